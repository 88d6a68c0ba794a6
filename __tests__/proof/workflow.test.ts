import { buildSync } from 'esbuild';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PLAN_COMMENT_MARKER } from '../../scripts/plan-summary';
import { AWS_PROVIDER } from '../../scripts/terraform-env';

const ROOT = join(__dirname, '..', '..');
const WORKFLOW_FILE = join(ROOT, '.github', 'workflows', 'pr.yml');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  uses?: string;
  'timeout-minutes'?: number;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** The parts of @actions/workflow-parser (GitHub's own workflow schema and parser) used here. */
interface WorkflowParser {
  NoOperationTraceWriter: new () => unknown;
  parseWorkflow(
    file: { name: string; content: string },
    trace: unknown,
  ): { context: { errors: { getErrors(): Array<{ message: string }> } }; value: unknown };
  convertWorkflowTemplate(
    context: unknown,
    root: unknown,
  ): Promise<{ errors?: Array<{ Message: string }> }>;
}

/**
 * @actions/workflow-parser is ESM-only and imports its JSON schema without import attributes, which Node
 * refuses; like the editors that use it, bundle it (esbuild, already a devDependency) into one CommonJS file.
 */
async function loadParser(): Promise<WorkflowParser> {
  const result = buildSync({
    stdin: {
      contents:
        "export { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';",
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    write: false,
    logLevel: 'error',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'workflow-parser-')), 'parser.js');
  writeFileSync(file, result.outputFiles[0]?.text ?? '');
  return (await import(file)) as WorkflowParser;
}

/** Schema and semantic errors (unknown keys, bad values, unknown or cyclic `needs`) of a workflow text. */
async function workflowErrors(
  parser: WorkflowParser,
  name: string,
  content: string,
): Promise<string[]> {
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || !parsed.value) return errors;
  const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((e) => e.Message);
}

const text = readFileSync(WORKFLOW_FILE, 'utf8');
const workflow = parse(text) as Workflow;
const jobs = Object.entries(workflow.jobs);
const steps = jobs.flatMap(([id, job]) => (job.steps ?? []).map((step) => ({ job: id, step })));

function job(id: string): Job {
  const found = workflow.jobs[id];
  if (!found) throw new Error(`no job ${id}`);
  return found;
}

describe('the pull-request workflow: GitHub schema', () => {
  let parser: WorkflowParser;
  beforeAll(async () => {
    parser = await loadParser();
  });

  test('is a valid GitHub Actions workflow (schema, expressions and job graph)', async () => {
    expect(await workflowErrors(parser, 'pr.yml', text)).toEqual([]);
  });

  test('the check can fail: a misspelt key is reported', async () => {
    // Prepare
    const broken = text.replace('timeout-minutes: 5', 'timeout: 5');

    // Act
    const errors = await workflowErrors(parser, 'pr.yml', broken);

    // Assess
    expect(errors).toEqual([expect.stringContaining("Unexpected value 'timeout'")]);
  });

  test('the check can fail: a job needing an unknown job is reported', async () => {
    // Prepare
    const broken = text.replace('needs: test\n', 'needs: tests\n');

    // Act
    const errors = await workflowErrors(parser, 'pr.yml', broken);

    // Assess
    expect(errors).toContainEqual(expect.stringContaining("depends on unknown job 'tests'"));
  });
});

describe('the pull-request workflow: hygiene', () => {
  test('runs on pull_request only (never pull_request_target, which hands secrets to code from forks)', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
  });

  test('grants only contents: read at the top', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  test('lets only the comment job write, and only to pull requests', () => {
    const granted = Object.fromEntries(jobs.map(([id, j]) => [id, j.permissions ?? 'inherited']));
    expect(granted).toEqual({
      test: 'inherited',
      plan: 'inherited',
      comment: { 'pull-requests': 'write' },
    });
  });

  test('pins every action to a full commit SHA with its version in a comment', () => {
    // Every `uses:` line, whatever its context (steps, reusable workflows).
    const lines = text.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(lines.length).toBe(steps.filter((s) => s.step.uses).length);
    for (const line of lines) {
      expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  test('uses no action by tag or branch, in any job', () => {
    const unpinned = [...steps.map((s) => s.step.uses), ...jobs.map(([, j]) => j.uses)].filter(
      (u): u is string => u !== undefined && !/@[0-9a-f]{40}$/.test(u),
    );
    expect(unpinned).toEqual([]);
  });

  test('cancels the superseded run of the same pull request', () => {
    expect(workflow.concurrency).toEqual({
      group: expect.stringContaining('${{ github.event.pull_request.number }}'),
      'cancel-in-progress': true,
    });
  });

  test('checks out without leaving the token in the git config', () => {
    const checkouts = steps.filter((s) => s.step.uses?.startsWith('actions/checkout@'));
    expect(checkouts.length).toBeGreaterThan(0);
    for (const { step } of checkouts) expect(step.with?.['persist-credentials']).toBe(false);
  });

  test('the job that may write runs no code from the pull request', () => {
    const commentSteps = job('comment').steps ?? [];
    expect(commentSteps.map((s) => [s.run, s.uses?.split('@')[0]])).toEqual([
      [undefined, 'actions/download-artifact'],
      [undefined, 'actions/github-script'],
    ]);
  });

  test('comments only on pull requests of this repository, and not when the run was cancelled', () => {
    expect(job('comment').if).toBe(
      '${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository }}',
    );
  });

  test("edits its own previous comment, found by the summaries' marker, instead of adding one", () => {
    const script = String(job('comment').steps?.[1]?.with?.script ?? '');
    expect(script).toContain(`const marker = '${PLAN_COMMENT_MARKER}';`);
    expect(script).toContain("c.user?.login === 'github-actions[bot]' && c.body?.includes(marker)");
    expect(script).toMatch(/if \(previous\) \{\s+await github\.rest\.issues\.updateComment/);
  });

  test('gives the Terraform Cloud token only to the step that plans', () => {
    const holders = steps.filter((s) =>
      Object.values(s.step.env ?? {}).some((v) => v.includes('secrets.')),
    );
    expect(holders.map((s) => [s.job, s.step.env])).toEqual([
      ['plan', { TF_TOKEN_app_terraform_io: '${{ secrets.TF_API_TOKEN }}' }],
    ]);
    expect(text.match(/secrets\./g)?.length).toBe(1);
  });

  test('interpolates no text an author controls (title, body, branch name) into scripts', () => {
    expect(text).not.toMatch(
      /\$\{\{[^}]*(github\.head_ref|pull_request\.(title|body|head\.ref|head\.label)|\.body\b)[^}]*\}\}/,
    );
  });

  test('gives every job a timeout', () => {
    expect(jobs.filter(([, j]) => !j['timeout-minutes']).map(([id]) => id)).toEqual([]);
  });
});

describe('the pull-request workflow: what it runs', () => {
  const runs = (id: string) => (job(id).steps ?? []).map((s) => s.run ?? '').join('\n');

  test('installs, lints, builds, type-checks, runs both test phases and synthesizes', () => {
    const script = runs('test');
    const order = [
      'npm ci',
      'npm run lint',
      'npm run build',
      'npm run typecheck',
      'npx jest\n',
      'npx jest -c jest.iam.config.js',
      'node dist/main.js',
    ].map((c) => script.indexOf(c));
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > (order[n - 1] ?? -1)))).toBe(true);
  });

  test('every job that installs runs the locked tree with npm ci, then proves it rewrote nothing', () => {
    const installing = jobs.filter(([id]) => /\bnpm (ci|install|i)\b/.test(runs(id)));
    expect(installing.map(([id]) => id)).toEqual(['test', 'plan']);
    for (const [id] of installing) {
      expect(runs(id)).not.toMatch(/\bnpm (install|i)\b/);
      expect(runs(id)).toMatch(
        /npm ci --no-audit --no-fund\n(?:[^\n]*\n)?bash \.ci\/check-clean\.sh/,
      );
    }
  });

  test("sets Node up from package.json's engines and runs every later step on the locked Node", () => {
    const setups = steps.filter((s) => s.step.uses?.startsWith('actions/setup-node@'));
    expect(setups.map((s) => s.job)).toEqual(['test', 'plan']);
    for (const { step } of setups) {
      expect(step.with).toEqual({ 'node-version-file': 'package.json', cache: 'npm' });
    }
    for (const id of ['test', 'plan']) {
      expect(runs(id)).toContain('echo "$PWD/node_modules/.bin" >> "$GITHUB_PATH"');
    }
  });

  test('installs MariaDB for the SQL tests', () => {
    expect(runs('test')).toContain('apt-get install -y -qq --no-install-recommends mariadb-server');
  });

  test('mirrors exactly the provider version the offline proof needs and points the tests at it', () => {
    expect(workflow.env?.AWS_PROVIDER_VERSION).toBe(AWS_PROVIDER.version);
    expect(runs('test')).toContain('providers mirror -platform=linux_amd64');
    expect(runs('test')).toContain('echo "TF_PROVIDER_MIRROR=$mirror" >> "$GITHUB_ENV"');
  });

  test('pins the Terraform CLI to a release and runs it without the output wrapper', () => {
    expect(workflow.env?.TERRAFORM_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const setups = steps.filter((s) => s.step.uses?.startsWith('hashicorp/setup-terraform@'));
    for (const { step } of setups) expect(step.with?.terraform_wrapper).toBe(false);
  });

  test('plans every synthesized stack with cdktf diff and summarizes the logs', () => {
    const script = runs('plan');
    expect(script).toContain(
      "for stack in $(jq -r '.stacks | keys[]' cdktf.out/manifest.json); do",
    );
    expect(script).toContain('npx cdktf diff --skip-synth --no-color "$stack"');
    expect(script).toContain('node dist/scripts/plan.js --plan-logs plan-tfc/logs --tfc-json');
  });

  test('reads the Terraform Cloud settings from repository variables', () => {
    expect(job('plan').env).toMatchObject({
      TF_CLOUD_ORGANIZATION: '${{ vars.TF_CLOUD_ORGANIZATION }}',
      OPS_AUTOPILOT_WORKSPACE_TAGS: '${{ vars.OPS_AUTOPILOT_WORKSPACE_TAGS }}',
    });
  });
});
