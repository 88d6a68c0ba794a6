/** One line of the benchmark report (`npm run bench` writes them all to bench-report.json). */
export interface BenchResult {
  readonly name: string;
  /** What is measured, in words, including the unit. */
  readonly metric: string;
  readonly unit: 'ms' | 's' | 'MB' | 'bytes' | 'ratio';
  readonly runs: number;
  readonly median: number;
  /** Same work done the naive way in the same process, when the issue names a baseline. */
  readonly baselineMedian?: number;
  /** median / baselineMedian, or median / bound when the target is a bound. */
  readonly ratio?: number;
  /** Human-readable target, e.g. "<= 1.3x the rate bound". */
  readonly target: string;
  readonly met: boolean;
  readonly notes?: string;
}

/** A bench module exports `run`; `npm run bench` bundles and runs every bench/*.bench.ts. */
export type BenchModule = { run(): Promise<BenchResult[]> };
