import { build, type Plugin } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { BenchModule, BenchResult } from '../__tests__/support/bench/types';
import { cliBench, median } from './bench-cli';
import { ROOT } from './offline-proof';
import { substituteTf } from './tf-values';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dist = join(ROOT, 'dist');

/** Wall time (ms, measured here) and peak RSS (MB, reported by the child at exit) of one Node process. */
function measure(args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; mb: number } {
  const reporter = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss.js');
  writeFileSync(
    reporter,
    "process.on('exit', () => process.stderr.write('MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));",
  );
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', reporter, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const kb = /MAXRSS_KB (\d+)/.exec(r.stderr ?? '')?.[1];
  if (r.status !== 0 || !kb) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, mb: Number(kb) / 1024 };
}

/** Redirects every deep provider import to the package root, as an app usually imports it. */
const providerRoot: Plugin = {
  name: 'provider-root',
  setup(b) {
    b.onResolve({ filter: /^@cdktf\/provider-aws\/lib\/[a-z0-9-]+$/ }, (a) => ({
      path: a.path,
      namespace: 'provider-root',
    }));
    b.onLoad({ filter: /.*/, namespace: 'provider-root' }, (a) => {
      const ns = a.path
        .split('/')
        .pop()!
        .replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      return {
        contents: `module.exports = require('@cdktf/provider-aws').${ns};`,
        loader: 'js',
        resolveDir: ROOT,
      };
    });
  },
};

async function synthBench(): Promise<BenchResult[]> {
  const baseline = join(dist, 'bench', 'baseline-app.js');
  await build({
    entryPoints: [join(ROOT, '__tests__', 'support', 'bench', 'baseline-app.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    plugins: [providerRoot],
    outfile: baseline,
    logLevel: 'error',
  });
  const ours: Array<{ ms: number; mb: number }> = [];
  const usual: Array<{ ms: number; mb: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(
      measure([join(dist, 'main.js')], {
        CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), 'bench-')),
        OPS_AUTOPILOT_BACKEND: 'local',
      }),
    );
    usual.push(
      measure([baseline], {
        CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), 'bench-')),
        OPS_AUTOPILOT_DIST: dist,
      }),
    );
  }
  const [ms, mb, bms, bmb] = [
    median(ours.map((r) => r.ms)),
    median(ours.map((r) => r.mb)),
    median(usual.map((r) => r.ms)),
    median(usual.map((r) => r.mb)),
  ];
  return [
    {
      name: 'synth wall time',
      metric: 'full synth with plain node (all stacks), ms',
      unit: 'ms',
      runs: RUNS,
      median: ms,
      baselineMedian: bms,
      ratio: ms / bms,
      target: '<= 400 ms',
      met: ms <= 400,
      notes: 'baseline: provider package-root imports + ARCHIVE assets',
    },
    {
      name: 'synth peak RSS',
      metric: 'peak resident memory of the synth process, MB',
      unit: 'MB',
      runs: RUNS,
      median: mb,
      baselineMedian: bmb,
      ratio: mb / bmb,
      target: '<= 150 MB',
      met: mb <= 150,
    },
  ];
}

function jestFileBench(): BenchResult[] {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-jest-')), 'jest.json');
  spawnSync(
    join(ROOT, 'node_modules', '.bin', 'jest'),
    [
      '--testPathPatterns',
      '(/stack\\.test\\.ts|__tests__/(platform|ecs)/)',
      '--json',
      `--outputFile=${out}`,
      '--silent',
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    testResults: Array<{ name: string; startTime: number; endTime: number }>;
  };
  const files = report.testResults.map((t) => ({
    file: relative(ROOT, t.name),
    s: (t.endTime - t.startTime) / 1000,
  }));
  const seconds = files.map((f) => f.s);
  const m = median(seconds);
  const slow = files.filter((f) => f.s > 0.8).map((f) => `${f.file} ${f.s.toFixed(2)} s`);
  return [
    {
      name: 'construct/stack test file',
      metric: 'seconds per Jest test file under __tests__/stacks',
      unit: 's',
      runs: seconds.length,
      median: m,
      target: '<= 0.8 s per file',
      met: slow.length === 0,
      notes:
        slow.length > 0
          ? `over 0.8 s (${slow.length} of ${files.length} files): ${slow.join(', ')}`
          : `all ${files.length} files within 0.8 s`,
    },
  ];
}

/** A value of the right shape for an environment variable only known after apply (an ARN, host or URL). */
function placeholder(key: string): string {
  if (key.endsWith('_URL')) return 'https://sqs.us-east-1.amazonaws.com/123456789012/bench';
  if (key.endsWith('_HOST')) return 'bench.cluster-example.us-east-1.rds.amazonaws.com';
  if (key.includes('SECRET'))
    return 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-bench-AbCdEf';
  if (key.includes('STATE_MACHINE'))
    return 'arn:aws:states:us-east-1:123456789012:stateMachine:bench';
  return 'arn:aws:sns:us-east-1:123456789012:bench';
}

/** Environment each handler is deployed with, from the synthesized stacks and the example variables. */
function handlerEnvironments(): Map<string, Record<string, string>> {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-env-'));
  execFileSync(process.execPath, [join(dist, 'main.js')], {
    env: { ...process.env, CDKTF_OUTDIR: outdir, OPS_AUTOPILOT_BACKEND: 'local' },
  });
  const vars = Object.fromEntries(
    readFileSync(join(ROOT, 'terraform.tfvars.example'), 'utf8')
      .split('\n')
      .flatMap((l) => {
        const m = /^([a-z_0-9]+)\s*=\s*(.+)$/.exec(l.trim());
        return m?.[1] && m[2] ? [[m[1], JSON.parse(m[2]) as unknown]] : [];
      }),
  );
  const envs = new Map<string, Record<string, string>>();
  for (const stack of readdirSync(join(outdir, 'stacks'))) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
      variable: Record<string, { default?: unknown }>;
      resource: Record<
        string,
        Record<string, { filename?: string; environment?: { variables: Record<string, string> } }>
      >;
    };
    for (const fn of Object.values(json.resource.aws_lambda_function ?? {})) {
      const variables = fn.environment?.variables ?? {};
      // The zip's file name is the bundle (asset) name; the service name may differ.
      const name = /([a-z0-9-]+)\.zip$/.exec(fn.filename ?? '')?.[1];
      if (!name) continue;
      const resolved = Object.fromEntries(
        Object.entries(variables).map(([k, v]) => {
          try {
            return [k, substituteTf(v, vars, json.variable)];
          } catch {
            return [k, placeholder(k)];
          }
        }),
      );
      envs.set(name, resolved);
    }
  }
  return envs;
}

function handlerBench(): BenchResult[] {
  const manifest = JSON.parse(
    readFileSync(join(dist, 'assets', 'manifest.json'), 'utf8'),
  ) as Record<string, { bytes: number }>;
  const envs = handlerEnvironments();
  return Object.entries(manifest).flatMap(([name, { bytes }]) => {
    if (!envs.has(name)) return []; // bundled but not deployed by any stack yet
    const entry = join(dist, 'functions', name, 'index.js');
    // NODE_NO_WARNINGS: the SDK warns about Node 20 here; Lambda's nodejs22.x never prints it.
    const env = {
      ...(envs.get(name) ?? {}),
      AWS_REGION: 'us-east-1',
      NODE_OPTIONS: '',
      NODE_NO_WARNINGS: '1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(entry)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
    const inits: number[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const out = execFileSync(process.execPath, ['-e', probe], {
          encoding: 'utf8',
          env: { ...process.env, ...env },
          stdio: 'pipe',
        });
        inits.push(Number(out.trim()));
      }
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '');
      const reason = /(\w*Error): ([^\n]{0,300})/.exec(
        stderr
          .split('\n')
          .filter((l) => /Error/.test(l) && l.length < 2000)
          .pop() ?? '',
      )?.[0];
      return [
        {
          name: `${name} cold init`,
          metric: 'require() of the bundle in a fresh Node process, ms',
          unit: 'ms',
          runs: 0,
          median: Number.NaN,
          target: '<= 150 ms',
          met: false,
          notes: `failed to load: ${reason ?? 'see stderr'}`,
        },
      ] satisfies BenchResult[];
    }
    const init = median(inits);
    return [
      {
        name: `${name} bundle size`,
        metric: 'zipped bundle, bytes',
        unit: 'bytes',
        runs: 1,
        median: bytes,
        target: 'reported',
        met: true,
      },
      {
        name: `${name} cold init`,
        metric: 'require() of the bundle in a fresh Node process, ms',
        unit: 'ms',
        runs: RUNS,
        median: init,
        target: '<= 150 ms',
        met: init <= 150,
      },
    ] satisfies BenchResult[];
  });
}

async function moduleBenches(): Promise<BenchResult[]> {
  const dir = join(dist, 'bench');
  if (!existsSync(dir)) return [];
  const results: BenchResult[] = [];
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.bench.js'))
    .sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(dir, file)) as BenchModule;
    results.push(...(await mod.run()));
  }
  return results;
}

function table(results: readonly BenchResult[]): string {
  const fmt = (n: number | undefined, unit: string) =>
    n === undefined
      ? ''
      : unit === 'bytes'
        ? `${(n / 1024).toFixed(0)} KiB`
        : `${n.toFixed(unit === 'ratio' ? 2 : unit === 's' ? 2 : 0)} ${unit}`;
  return [
    '| benchmark | median | baseline | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${fmt(r.median, r.unit)} | ${fmt(r.baselineMedian, r.unit)} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(join(dist, 'main.js'))) throw new Error('run "npm run build" first');
  // BENCH_ONLY=synth,cli,jest,handlers,modules runs a subset (the README table is rewritten only by a full run).
  const only = process.env.BENCH_ONLY?.split(',');
  const want = (part: string) => !only || only.includes(part);
  const results = [
    ...(want('synth') ? await synthBench() : []),
    ...(want('cli') ? cliBench(RUNS) : []),
    ...(want('jest') ? jestFileBench() : []),
    ...(want('handlers') ? handlerBench() : []),
    ...(want('modules') ? await moduleBenches() : []),
  ];
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: `${process.platform}/${process.arch}`,
    runs: RUNS,
    results,
  };
  if (!only) writeFileSync(join(ROOT, 'bench-report.json'), JSON.stringify(report, null, 2) + '\n');
  const readme = join(ROOT, 'README.md');
  if (!only && existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const next = text.replace(
      /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/,
      `$1${table(results)}\n$2`,
    );
    if (next !== text) {
      writeFileSync(readme, next);
      execFileSync(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', readme], {
        stdio: 'ignore',
      });
    }
  }
  console.log(table(results));
  console.log(`\nreport: ${join(ROOT, 'bench-report.json')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
