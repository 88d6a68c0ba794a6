import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../__tests__/support/bench/types';
import { ROOT } from './offline-proof';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall time (ms) and CPU time (ms, user + system, reported by the child at exit) of one Node process. */
function timed(args: readonly string[]): { ms: number; cpuMs: number } {
  const reporter = join(mkdtempSync(join(tmpdir(), 'bench-cpu-')), 'cpu.js');
  writeFileSync(
    reporter,
    "process.on('exit', () => { const c = process.cpuUsage(); process.stderr.write('CPU_US ' + (c.user + c.system) + '\\n'); });",
  );
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', reporter, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const us = /CPU_US (\d+)/.exec(r.stderr ?? '')?.[1];
  if (r.status !== 0 || !us) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, cpuMs: Number(us) / 1000 };
}

/** The build step with nothing to do, as `cdktf synth` runs it before every synth. */
function noChangeBuild(runs: number): BenchResult {
  const build = join(ROOT, 'scripts', 'build.mjs');
  timed([build]); // settles the fingerprints of what `npm run build` just wrote
  const samples: Array<{ ms: number; cpuMs: number }> = [];
  const empty: number[] = [];
  for (let i = 0; i < runs; i++) {
    samples.push(timed([build]));
    empty.push(timed(['-e', '0']).ms);
  }
  const ms = median(samples.map((s) => s.ms));
  const cpu = median(samples.map((s) => s.cpuMs));
  const bare = median(empty);
  return {
    name: 'build, nothing changed',
    metric: '`node scripts/build.mjs` wall time when every bundle is up to date, ms',
    unit: 'ms',
    runs,
    median: ms,
    baselineMedian: bare,
    ratio: ms / bare,
    target: '<= 300 ms',
    met: ms <= 300,
    notes: `CPU ${cpu.toFixed(0)} ms; baseline: an empty Node process (\`node -e 0\`), run alternately`,
  };
}

/** A cdktf project with one stack holding one resource, in dist/bench/one-resource-app. */
function oneResourceApp(): string {
  const dir = join(ROOT, 'dist', 'bench', 'one-resource-app');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app: 'node main.js', sendCrashReports: 'false' }),
  );
  writeFileSync(
    join(dir, 'main.js'),
    [
      "const { App, TerraformStack } = require('cdktf');",
      "const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');",
      "const { SnsTopic } = require('@cdktf/provider-aws/lib/sns-topic');",
      'const app = new App();',
      "const stack = new TerraformStack(app, 'one');",
      "new AwsProvider(stack, 'aws', { region: 'us-east-1' });",
      "new SnsTopic(stack, 'topic', { name: 'one' });",
      'app.synth();',
    ].join('\n'),
  );
  return dir;
}

function cdktfSynth(cwd: string): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'cdktf'),
    ['synth', '--output', mkdtempSync(join(tmpdir(), 'bench-cli-'))],
    {
      cwd,
      stdio: 'ignore',
      env: {
        ...process.env,
        OPS_AUTOPILOT_BACKEND: 'local',
        OPS_AUTOPILOT_TFVARS: '',
        CHECKPOINT_DISABLE: '1',
        CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      },
    },
  );
  if (r.status !== 0) throw new Error(`cdktf synth in ${cwd} exited ${r.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** `cdktf synth` of this project (the build step included) against the CLI's own floor, interleaved. */
function cliSynth(runs: number): BenchResult {
  const bare = oneResourceApp();
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(cdktfSynth(ROOT));
    floor.push(cdktfSynth(bare));
  }
  const [ms, bms] = [median(ours), median(floor)];
  return {
    name: 'cdktf synth',
    metric: '`cdktf synth` wall time (build step and all stacks), ms',
    unit: 'ms',
    runs,
    median: ms,
    baselineMedian: bms,
    ratio: ms / bms,
    target: '<= 1.5x a one-resource app',
    met: ms / bms <= 1.5,
    notes:
      'baseline: `cdktf synth` of one stack with one resource, run alternately in the same process',
  };
}

/** The build and CLI figures: what a user waits for on every `cdktf synth`, `diff` and `deploy`. */
export function cliBench(runs: number): BenchResult[] {
  return [noChangeBuild(runs), cliSynth(Math.min(runs, 3))];
}
