import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { proveStack, requireOfflineTools, stackNames, synthAll } from './offline-proof';
import {
  renderMarkdown,
  runIdOf,
  summarizePlan,
  summarizePlanText,
  type StackSummary,
  type TfPlan,
} from './plan-summary';

export const USAGE = `Usage: npm run plan -- [options]

Summarizes Terraform plans per stack: resources to add / change / destroy / replace by type, with IAM
and security-group changes spelled out. Markdown on stdout (for a pull-request comment), or JSON.

Where the plans come from (default: the offline plan of every stack, against empty state, with
terraform.tfvars.example and no AWS account, as in "npm run validate"):
  --stack NAME            only this stack (repeatable)
  --plan-json STACK=FILE  summarize saved "terraform show -json" output instead (repeatable)
  --plan-logs DIR         summarize saved plan logs instead: DIR/<stack>.log from "cdktf diff" or
                          "terraform plan" (counts, run link and errors only)
  --tfc-json              with --plan-logs: fetch each Terraform Cloud run's JSON plan for the full
                          summary (needs TF_TOKEN_<host> with admin access to the workspace)
Output:
  --json                  print JSON instead of Markdown
  --out FILE              write the output to FILE instead of stdout
  --json-out FILE         also write the JSON summary to FILE
  --title TEXT            Markdown heading (default "Plan summary")
  --note TEXT             Markdown paragraph under the heading
  --collapsed             each stack's details in a collapsed <details> block
  --max-length N          cut the Markdown to N characters (a GitHub comment holds 65,536)
Exit status: 1 when a stack failed to plan (the summary is still written), 2 on bad usage.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliOptions {
  stacks?: string[];
  planJson?: Array<{ stack: string; file: string }>;
  planLogs?: string;
  tfcJson: boolean;
  json: boolean;
  out?: string;
  jsonOut?: string;
  title: string;
  note?: string;
  collapsed: boolean;
  maxLength?: number;
  help: boolean;
}

function pairs(values: string[] | undefined, flag: string): Array<{ stack: string; file: string }> {
  return (values ?? []).map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) {
      throw new UsageError(`${flag} takes STACK=FILE, got "${v}"`);
    }
    return { stack: v.slice(0, at), file: v.slice(at + 1) };
  });
}

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: 'string', multiple: true },
        'plan-json': { type: 'string', multiple: true },
        'plan-logs': { type: 'string' },
        'tfc-json': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        'json-out': { type: 'string' },
        title: { type: 'string' },
        note: { type: 'string' },
        collapsed: { type: 'boolean', default: false },
        'max-length': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const planJson = pairs(v['plan-json'], '--plan-json');
  if (planJson.length > 0 && v['plan-logs']) {
    throw new UsageError('use either --plan-json or --plan-logs, not both');
  }
  if (v['tfc-json'] && !v['plan-logs']) throw new UsageError('--tfc-json needs --plan-logs');
  let maxLength: number | undefined;
  if (v['max-length'] !== undefined) {
    maxLength = Number(v['max-length']);
    if (!Number.isInteger(maxLength) || maxLength < 1000) {
      throw new UsageError(
        `--max-length must be a whole number of at least 1000, got "${v['max-length']}"`,
      );
    }
  }
  return {
    ...(v.stack ? { stacks: v.stack } : {}),
    ...(planJson.length > 0 ? { planJson } : {}),
    ...(v['plan-logs'] ? { planLogs: v['plan-logs'] } : {}),
    tfcJson: v['tfc-json'] === true,
    json: v.json === true,
    ...(v.out ? { out: v.out } : {}),
    ...(v['json-out'] ? { jsonOut: v['json-out'] } : {}),
    title: v.title ?? 'Plan summary',
    ...(v.note ? { note: v.note } : {}),
    collapsed: v.collapsed === true,
    ...(maxLength ? { maxLength } : {}),
    help: v.help === true,
  };
}

function failed(stack: string, error: unknown): StackSummary {
  return {
    ...summarizePlan(stack, {}),
    error: error instanceof Error ? error.message : String(error),
  };
}

/** The offline plan of each stack (synth with the local backend, init from the mirror, plan, show). */
export async function offlineSummaries(only?: readonly string[]): Promise<StackSummary[]> {
  const tools = requireOfflineTools();
  if (!tools) {
    throw new Error(
      'the offline plan needs the terraform CLI and a hashicorp/aws provider mirror (see README, Offline proof)',
    );
  }
  const outdir = await synthAll();
  const names = stackNames(outdir);
  const unknown = (only ?? []).filter((s) => !names.includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`unknown stack(s) ${unknown.join(', ')}; stacks: ${names.join(', ')}`);
  }
  const summaries: StackSummary[] = [];
  for (const stack of names.filter((n) => !only || only.includes(n))) {
    try {
      const proof = await proveStack(tools, outdir, stack);
      const summary = summarizePlan(stack, proof.plan as TfPlan);
      summaries.push(
        proof.validate.valid
          ? summary
          : { ...summary, error: JSON.stringify(proof.validate.diagnostics, null, 2) },
      );
    } catch (error) {
      summaries.push(failed(stack, error));
    }
  }
  return summaries;
}

/** Terraform's environment variable for a host's API token: dots as `_`, hyphens as `__`. */
export function tokenVariable(host: string): string {
  return `TF_TOKEN_${host.replace(/-/g, '__').replace(/\./g, '_')}`;
}

export type Fetch = (
  url: string,
  init: { headers: Record<string, string>; redirect: 'follow' },
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/**
 * The JSON plan of a Terraform Cloud run (GET /api/v2/runs/:id/plan/json-output, which redirects to a
 * short-lived download). Terraform Cloud serves it only to tokens with admin access to the workspace.
 */
export async function fetchRunPlan(
  runUrl: string,
  env: NodeJS.ProcessEnv,
  fetchImpl: Fetch,
): Promise<TfPlan | { error: string }> {
  const runId = runIdOf(runUrl);
  if (!runId) return { error: `no run id in ${runUrl}` };
  const host = new URL(runUrl).host;
  const token = env[tokenVariable(host)];
  if (!token) return { error: `${tokenVariable(host)} is not set` };
  try {
    const response = await fetchImpl(`https://${host}/api/v2/runs/${runId}/plan/json-output`, {
      headers: { Authorization: `Bearer ${token}` },
      redirect: 'follow',
    });
    if (!response.ok) {
      const hint =
        response.status === 401 || response.status === 403 || response.status === 404
          ? ' (the JSON plan needs a token with admin access to the workspace)'
          : '';
      return { error: `JSON plan of ${runId}: HTTP ${response.status}${hint}` };
    }
    return (await response.json()) as TfPlan;
  } catch (error) {
    return { error: `JSON plan of ${runId}: ${(error as Error).message}` };
  }
}

export interface Deps {
  env: NodeJS.ProcessEnv;
  offline: (only?: readonly string[]) => Promise<StackSummary[]>;
  fetch: Fetch;
  warn: (message: string) => void;
}

/** The summaries the options ask for. */
export async function collectSummaries(options: CliOptions, deps: Deps): Promise<StackSummary[]> {
  const keep = (stack: string) => !options.stacks || options.stacks.includes(stack);
  if (options.planJson) {
    return options.planJson
      .filter((p) => keep(p.stack))
      .map(({ stack, file }) => {
        try {
          return summarizePlan(stack, JSON.parse(readFileSync(file, 'utf8')) as TfPlan);
        } catch (error) {
          return failed(stack, `${file}: ${(error as Error).message}`);
        }
      });
  }
  if (options.planLogs) {
    const dir = options.planLogs;
    const logs = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    const summaries: StackSummary[] = [];
    for (const file of logs) {
      const stack = basename(file, '.log');
      if (!keep(stack)) continue;
      const fromText = summarizePlanText(stack, readFileSync(join(dir, file), 'utf8'));
      if (options.tfcJson && fromText.runUrl && !fromText.error) {
        const plan = await fetchRunPlan(fromText.runUrl, deps.env, deps.fetch);
        if ('error' in plan && typeof plan.error === 'string') {
          deps.warn(`${stack}: ${plan.error}; counts from the log only`);
        } else {
          summaries.push({ ...summarizePlan(stack, plan as TfPlan), runUrl: fromText.runUrl });
          continue;
        }
      }
      summaries.push(fromText);
    }
    return summaries;
  }
  return deps.offline(options.stacks);
}

function write(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content.endsWith('\n') ? content : `${content}\n`);
}

/** Runs the command; returns what to print and the exit status (no process exit, for tests). */
export async function run(
  argv: readonly string[],
  deps: Deps,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      return { stdout: '', stderr: `${error.message}\n\n${USAGE}\n`, exitCode: 2 };
    }
    throw error;
  }
  if (options.help) return { stdout: `${USAGE}\n`, stderr: '', exitCode: 0 };
  let summaries: StackSummary[];
  try {
    summaries = await collectSummaries(options, deps);
  } catch (error) {
    if (error instanceof UsageError)
      return { stdout: '', stderr: `${error.message}\n`, exitCode: 2 };
    throw error;
  }
  const json = `${JSON.stringify({ stacks: summaries }, null, 2)}\n`;
  const output = options.json
    ? json
    : `${renderMarkdown(summaries, {
        title: options.title,
        ...(options.note ? { note: options.note } : {}),
        collapsed: options.collapsed,
        ...(options.maxLength ? { maxLength: options.maxLength } : {}),
      })}\n`;
  if (options.jsonOut) write(options.jsonOut, json);
  let stdout = output;
  if (options.out) {
    write(options.out, output);
    stdout = '';
  }
  return { stdout, stderr: '', exitCode: summaries.some((s) => s.error) ? 1 : 0 };
}

if (require.main === module) {
  run(process.argv.slice(2), {
    env: process.env,
    offline: offlineSummaries,
    fetch: (url, init) => fetch(url, init),
    warn: (message) => console.warn(message),
  }).then(
    ({ stdout, stderr, exitCode }) => {
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      process.exitCode = exitCode;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
