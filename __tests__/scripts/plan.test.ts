import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fetchRunPlan,
  parseCli,
  run,
  tokenVariable,
  UsageError,
  type Deps,
  type Fetch,
} from '../../scripts/plan';
import { summarizePlan, type StackSummary } from '../../scripts/plan-summary';

const FIXTURES = join(__dirname, 'fixtures', 'plan-summary');
const RUN_URL =
  'https://app.terraform.io/app/acme/ops-autopilot-ebs-snapshot-lifecycle/runs/run-CZcmD7eagjhyX0vN';

function deps(
  overrides: Partial<Deps> = {},
): Deps & { warnings: string[]; offlineCalls: unknown[] } {
  const warnings: string[] = [];
  const offlineCalls: unknown[] = [];
  return {
    env: {},
    offline: async (only) => {
      offlineCalls.push(only);
      return [summarizePlan('ebs-snapshot-lifecycle', { resource_changes: [] })];
    },
    fetch: async () => {
      throw new Error('no network in tests');
    },
    warn: (m) => warnings.push(m),
    ...overrides,
    warnings,
    offlineCalls,
  };
}

function logsDir(...files: Array<[string, string]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plan-logs-'));
  for (const [fixture, name] of files) copyFileSync(join(FIXTURES, fixture), join(dir, name));
  return dir;
}

function jsonResponse(status: number, body: unknown): ReturnType<Fetch> {
  return Promise.resolve({ ok: status >= 200 && status < 300, status, json: async () => body });
}

describe('parseCli', () => {
  test('reads repeated --stack and --plan-json STACK=FILE', () => {
    expect(parseCli(['--stack', 'a', '--stack', 'b', '--plan-json', 'a=x.json'])).toMatchObject({
      stacks: ['a', 'b'],
      planJson: [{ stack: 'a', file: 'x.json' }],
      json: false,
      title: 'Plan summary',
    });
  });

  test('rejects --plan-json without STACK=, showing the value', () => {
    expect(() => parseCli(['--plan-json', 'x.json'])).toThrow(
      '--plan-json takes STACK=FILE, got "x.json"',
    );
  });

  test('rejects --tfc-json without --plan-logs', () => {
    expect(() => parseCli(['--tfc-json'])).toThrow(UsageError);
  });

  test('rejects a --max-length too small for a summary', () => {
    expect(() => parseCli(['--max-length', '10'])).toThrow(
      '--max-length must be a whole number of at least 1000, got "10"',
    );
  });

  test('rejects an unknown option', () => {
    expect(() => parseCli(['--bogus'])).toThrow(UsageError);
  });
});

describe('run', () => {
  test('with no input plans every stack offline, restricted by --stack', async () => {
    // Prepare
    const d = deps();

    // Act
    const result = await run(['--stack', 'ebs-snapshot-lifecycle'], d);

    // Assess
    expect(d.offlineCalls).toEqual([['ebs-snapshot-lifecycle']]);
    expect(result.stdout).toContain('### `ebs-snapshot-lifecycle`: 0 to add');
    expect(result.exitCode).toBe(0);
  });

  test('summarizes saved plan JSON as Markdown, without planning', async () => {
    // Prepare
    const d = deps();

    // Act
    const result = await run(
      ['--plan-json', `ecs-spot-api=${join(FIXTURES, 'security-groups.json')}`],
      d,
    );

    // Assess
    expect(d.offlineCalls).toEqual([]);
    expect(result.stdout).toContain('**Security group changes (6)**');
  });

  test('prints JSON with --json', async () => {
    const result = await run(
      ['--json', '--plan-json', `x=${join(FIXTURES, 'actions.json')}`],
      deps(),
    );
    const parsed = JSON.parse(result.stdout) as { stacks: StackSummary[] };
    expect(parsed.stacks.map((s) => [s.stack, s.counts.replace])).toEqual([['x', 2]]);
  });

  test('writes --out and --json-out files and prints nothing', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'plan-out-'));

    // Act
    const result = await run(
      [
        '--plan-json',
        `x=${join(FIXTURES, 'actions.json')}`,
        '--out',
        join(dir, 'md', 'plan.md'),
        '--json-out',
        join(dir, 'plan.json'),
      ],
      deps(),
    );

    // Assess
    expect(result.stdout).toBe('');
    expect(readFileSync(join(dir, 'md', 'plan.md'), 'utf8')).toContain('## Plan summary');
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'))).toMatchObject({
      stacks: [{ stack: 'x' }],
    });
  });

  test('exits 1 when a stack failed, still printing the summary', async () => {
    const result = await run(
      ['--plan-logs', logsDir(['cdktf-diff-error.log', 'redshift-resize.log'])],
      deps(),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('| `redshift-resize` | ❌ |');
  });

  test('exits 1 on a plan JSON file that is not JSON, naming the file', async () => {
    const file = join(FIXTURES, 'cdktf-diff.log');
    const result = await run(['--plan-json', `x=${file}`], deps());
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(file);
  });

  test('exits 2 on bad usage, with the usage on stderr', async () => {
    const result = await run(['--bogus'], deps());
    expect([result.exitCode, result.stdout, result.stderr.includes('Usage: npm run plan')]).toEqual(
      [2, '', true],
    );
  });

  test('reads counts and the run link from plan logs, one per stack', async () => {
    const result = await run(
      ['--json', '--plan-logs', logsDir(['cdktf-diff.log', 'ebs-snapshot-lifecycle.log'])],
      deps(),
    );
    const [summary] = (JSON.parse(result.stdout) as { stacks: StackSummary[] }).stacks;
    expect(summary).toMatchObject({
      stack: 'ebs-snapshot-lifecycle',
      source: 'plan-text',
      counts: { add: 1, change: 2, destroy: 1 },
      runUrl: RUN_URL,
    });
  });

  test('with --tfc-json summarizes the run JSON plan fetched with the host token', async () => {
    // Prepare
    const plan = JSON.parse(readFileSync(join(FIXTURES, 'iam.json'), 'utf8')) as unknown;
    const requests: Array<{ url: string; auth: string | undefined }> = [];
    const d = deps({
      env: { TF_TOKEN_app_terraform_io: 'secret-token' },
      fetch: (url, init) => {
        requests.push({ url, auth: init.headers.Authorization });
        return jsonResponse(200, plan);
      },
    });

    // Act
    const result = await run(
      [
        '--json',
        '--tfc-json',
        '--plan-logs',
        logsDir(['cdktf-diff.log', 'ebs-snapshot-lifecycle.log']),
      ],
      d,
    );

    // Assess
    expect(requests).toEqual([
      {
        url: 'https://app.terraform.io/api/v2/runs/run-CZcmD7eagjhyX0vN/plan/json-output',
        auth: 'Bearer secret-token',
      },
    ]);
    const [summary] = (JSON.parse(result.stdout) as { stacks: StackSummary[] }).stacks;
    expect(summary).toMatchObject({ source: 'plan-json', runUrl: RUN_URL });
    expect(summary?.iam.length).toBeGreaterThan(0);
  });

  test('with --tfc-json falls back to the log counts and warns when the token may not read the JSON plan', async () => {
    // Prepare
    const d = deps({
      env: { TF_TOKEN_app_terraform_io: 'secret-token' },
      fetch: () => jsonResponse(404, {}),
    });

    // Act
    const result = await run(
      [
        '--json',
        '--tfc-json',
        '--plan-logs',
        logsDir(['cdktf-diff.log', 'ebs-snapshot-lifecycle.log']),
      ],
      d,
    );

    // Assess
    const [summary] = (JSON.parse(result.stdout) as { stacks: StackSummary[] }).stacks;
    expect(summary?.source).toBe('plan-text');
    expect(d.warnings).toEqual([
      'ebs-snapshot-lifecycle: JSON plan of run-CZcmD7eagjhyX0vN: HTTP 404 (the JSON plan needs a token with admin access to the workspace); counts from the log only',
    ]);
  });
});

describe('Terraform Cloud access', () => {
  test("names the token variable the way Terraform does (dots '_', hyphens '__')", () => {
    expect(tokenVariable('tfe.acme-corp.io')).toBe('TF_TOKEN_tfe_acme__corp_io');
  });

  test('fetches nothing without a token for the host', async () => {
    // Prepare
    let called = false;
    const fetchImpl: Fetch = () => {
      called = true;
      return jsonResponse(200, {});
    };

    // Act
    const result = await fetchRunPlan(RUN_URL, {}, fetchImpl);

    // Assess
    expect([result, called]).toEqual([{ error: 'TF_TOKEN_app_terraform_io is not set' }, false]);
  });
});
