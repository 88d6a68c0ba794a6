import { deployStack, type StackDeployResult } from '../../../scripts/emulator/deploy-proof';
import { requireMoto } from '../../../scripts/emulator/moto';
import { requireOfflineTools, stackNames, synthAll } from '../../../scripts/offline-proof';
import type { BenchResult } from '../../support/bench/types';

const RUNS = Number(process.env.DEPLOY_BENCH_RUNS ?? 3);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The deploy proof (scripts/emulator/deploy-proof.ts) RUNS times, all stacks at once each time: the median
 * wall time of the whole proof, and per stack the median apply, re-plan and teardown + destroy times.
 * Timings only; the tests (__tests__/proof/deploy/) decide pass or fail.
 */
export async function run(): Promise<BenchResult[]> {
  const tools = requireOfflineTools();
  const moto = requireMoto();
  if (!tools || !moto) {
    console.warn('deploy bench skipped: terraform, the provider mirror or moto is missing');
    return [];
  }
  const walls: number[] = [];
  const runs: StackDeployResult[][] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const outdir = await synthAll();
    runs.push(
      await Promise.all(stackNames(outdir).map((s) => deployStack(tools, moto, outdir, s))),
    );
    walls.push((performance.now() - started) / 1000);
  }
  const wall = median(walls);
  const results: BenchResult[] = [
    {
      name: 'deploy proof of all stacks (wall)',
      metric: 'synth, then apply, re-plan, teardown and destroy of every stack at once on moto, s',
      unit: 's',
      runs: RUNS,
      median: wall,
      target: '<= 240 s',
      met: wall <= 240,
    },
  ];
  // The end-to-end scenarios run between apply and re-plan, each stack's on its own emulator, all at once.
  const scenarios = median(
    runs.map((r) => r.reduce((sum, x) => sum + (x.timings.scenario ?? 0), 0)),
  );
  const longest = median(runs.map((r) => Math.max(0, ...r.map((x) => x.timings.scenario ?? 0))));
  results.push(
    {
      name: 'end-to-end scenarios (sum over stacks)',
      metric: 'scripts/emulator/e2e scenarios, added up, s',
      unit: 's',
      runs: RUNS,
      median: scenarios,
      target: '<= 90 s',
      met: scenarios <= 90,
    },
    {
      name: 'end-to-end scenarios (longest, on the critical path)',
      metric: 'the slowest stack scenario, s',
      unit: 's',
      runs: RUNS,
      median: longest,
      target: 'reported',
      met: true,
    },
  );
  for (const stack of runs[0]!.map((r) => r.stack)) {
    const of = (phase: string) =>
      median(runs.map((r) => r.find((x) => x.stack === stack)!.timings[phase] ?? 0));
    for (const [phase, label] of [
      ['apply', 'apply'],
      ['scenario', 'end-to-end scenario'],
      ['replan', 're-plan'],
      ['destroy', 'teardown + destroy'],
    ] as const) {
      results.push({
        name: `${stack} ${label}`,
        metric: `terraform ${label} on moto, s`,
        unit: 's',
        runs: RUNS,
        median: of(phase),
        target: 'reported',
        met: true,
      });
    }
  }
  return results;
}
