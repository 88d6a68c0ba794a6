import { join } from 'node:path';
import type { BenchResult } from '../support/bench/types';
import { readReports, summarize } from './harness/summary';

/**
 * The fault harness's count, "N of M cases end in the fault-free state with any failure visible", from the
 * reports the last `npm test` (phase 1: __tests__/reliability/*.faults.test.ts) left in .cache/reliability.
 * The harness needs Jest's fake clock, so the bench reports its result instead of running it again.
 */
export async function run(): Promise<BenchResult[]> {
  // dist/bench/reliability/ -> the repository root
  const { reports, oldest } = readReports(
    join(__dirname, '..', '..', '..', '.cache', 'reliability'),
  );
  const { passed, total, short } = summarize(reports);
  return Promise.resolve([
    {
      name: 'fault-injection cases',
      metric: 'cases ending in the fault-free state, failures visible (passed / total)',
      unit: 'ratio',
      runs: reports.length > 0 ? 1 : 0,
      median: total > 0 ? passed / total : Number.NaN,
      target: 'every case',
      met: total > 0 && passed === total,
      notes:
        total === 0
          ? 'no report: run `npm test` (or npx jest __tests__/reliability) first'
          : `${passed} of ${total} cases (${reports.length} groups, run ${oldest?.toISOString() ?? '?'})` +
            (short.length > 0 ? `; short: ${short.join('; ')}` : ''),
    },
  ]);
}
