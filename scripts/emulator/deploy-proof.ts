import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TFVARS_EXAMPLE, type OfflineTools } from '../offline-proof';
import { SharedProvider } from '../shared-provider';
import { offlineEnv, writeCliConfig } from '../terraform-env';
import { drift, type Drift } from './drift';
import { SCENARIOS } from './e2e';
import { readTfvars, runScenario, type ScenarioResult } from './e2e/scenario';
import { startEmulator, warmUp } from './emulator';
import { EXPECTED_REMNANTS, SEEN_AS } from './coverage';
import { leftOut } from './gap-rules';
import { inventoryDiff, takeInventory, type Inventory } from './inventory';
import type { MotoCommand } from './moto';
import { EMULATOR_STATE, emulatorOverride, OVERRIDE_FILE } from './override';
import type { StandInRecord } from './stand-ins/types';

/**
 * Variables a stack's documented teardown flips before `destroy` (applied as an update after the re-plan):
 * the capacity database ("set false before destroying the stack", terraform.tfvars.example) and the snapshot
 * table refuse deletion while deletion protection is on.
 */
export const TEARDOWN_VARIABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'capacity-reservations': { capacity_db_deletion_protection: 'false' },
  'ebs-snapshot-lifecycle': { snapshot_table_deletion_protection: 'false' },
};

/**
 * Variables a stack is applied with on top of terraform.tfvars.example, so parts the example leaves off are
 * applied and re-planned too: ebs-snapshot-lifecycle's cross-Region copies (rule, queue, function, mapping),
 * which its scenario then runs into us-west-2.
 */
export const DEPLOY_VARIABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'ebs-snapshot-lifecycle': { snapshot_copy_regions: '["us-west-2"]' },
};

/** terraform.tfvars.example with a stack's DEPLOY_VARIABLES (values as HCL, JSON-compatible). */
export function deployVariables(stack: string): Record<string, unknown> {
  const extra = Object.entries(DEPLOY_VARIABLES[stack] ?? {}).map(
    ([k, v]) => [k, JSON.parse(v) as unknown] as const,
  );
  return { ...readTfvars(TFVARS_EXAMPLE), ...Object.fromEntries(extra) };
}

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly attributes: Record<string, unknown>;
}

export interface StackDeployResult {
  readonly stack: string;
  /** Resources the apply planned to create ("Plan: N to add"). */
  planned: number;
  /** Managed resources in the state after apply. */
  applied: number;
  appliedAddresses: string[];
  applyError?: string;
  /** 0: the re-plan is empty; 2: it has changes (see drift). */
  replanExitCode?: number;
  drift: Drift[];
  teardownError?: string;
  destroyError?: string;
  /** Managed resources still in the state after destroy. */
  remaining: number;
  /** Applied resources the inventory did not see after apply (it must see them all). */
  unseen: string[];
  /** Resource types with no way to be seen (coverage.ts lacks them). */
  uncovered: string[];
  /** New objects the emulator still holds after destroy, minus the expected remnants. */
  leftovers: Inventory;
  /** Expected remnants found, with why they stay. */
  remnants: string[];
  timings: Record<string, number>;
  records: StandInRecord[];
  /** The stack's end-to-end scenario (scripts/emulator/e2e), run between apply and re-plan. */
  scenario?: ScenarioResult;
}

interface TfRun {
  code: number;
  /** The last 20 kB of stdout and stderr, interleaved. */
  output: string;
  stdout: string;
  /** The plan's summary line ("Plan: N to add, …"), wherever it was: a slow apply's progress lines can push it out of the tail. */
  summary?: string;
}

/**
 * The stack whose fixed provider waits make it the deploy proof's longest: an Aurora cluster and its instance,
 * each first polled 30 s after its create, the teardown's update and its delete. The other stacks' terraform
 * and provider processes run at a lower priority (OFF_PATH_NICE), so they yield the CPU to its short bursts
 * between those waits, and the proof ends when it does.
 */
export const CRITICAL_PATH_STACK = 'capacity-reservations';
export const OFF_PATH_NICE = 5;

/** The priority of a stack's terraform and provider processes (0 where there is no `nice` command). */
export function niceOf(stack: string): number {
  return stack === CRITICAL_PATH_STACK || process.platform === 'win32' ? 0 : OFF_PATH_NICE;
}

/**
 * Runs terraform in `dir` (through `nice -n <nice>` when nice > 0); resolves with the exit code, all of
 * stdout and the tail of both streams.
 */
export function runTerraform(
  tools: OfflineTools,
  dir: string,
  env: NodeJS.ProcessEnv,
  args: string[],
  nice = 0,
): Promise<TfRun> {
  return new Promise((resolve, reject) => {
    const command = [tools.terraform, `-chdir=${dir}`, ...args];
    const niced = nice > 0 ? ['nice', '-n', String(nice), ...command] : command;
    const child = spawn(niced[0]!, niced.slice(1), {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let summary: string | undefined;
    let partial = '';
    const stdout: Buffer[] = [];
    const started = performance.now();
    const log = process.env.DEPLOY_PROOF_LOGS
      ? join(process.env.DEPLOY_PROOF_LOGS, `${basename(dir)}.log`)
      : undefined;
    const keep = (c: Buffer) => {
      output = (output + c.toString('utf8')).slice(-20_000);
      if (log) {
        const at = ((performance.now() - started) / 1000).toFixed(1);
        appendFileSync(log, c.toString('utf8').replace(/^(?=.)/gm, `${args[0]} ${at} `));
      }
    };
    child.stdout.on('data', (c: Buffer) => {
      stdout.push(c);
      keep(c);
      const lines = (partial + c.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      summary ??= lines.find((line) => line.startsWith('Plan: '));
    });
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code: code ?? 1,
        output,
        stdout: Buffer.concat(stdout).toString('utf8'),
        ...(summary ? { summary } : {}),
      }),
    );
  });
}

/** Managed resource instances of a local state file (read directly: no provider needed). */
export function stateResources(file: string): StateResource[] {
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    resources?: Array<{
      mode: string;
      type: string;
      name: string;
      instances: Array<{ index_key?: string | number; attributes: Record<string, unknown> }>;
    }>;
  };
  return (state.resources ?? [])
    .filter((r) => r.mode === 'managed')
    .flatMap((r) =>
      r.instances.map((i) => ({
        address: `${r.type}.${r.name}${i.index_key === undefined ? '' : `[${JSON.stringify(i.index_key)}]`}`,
        type: r.type,
        attributes: i.attributes,
      })),
    );
}

/** Applied resources the inventory does not list, and types it has no way to see. */
export function unseenResources(
  resources: readonly StateResource[],
  inventory: Inventory,
): { unseen: string[]; uncovered: string[] } {
  const unseen: string[] = [];
  const uncovered = new Set<string>();
  for (const r of resources) {
    const seen = SEEN_AS[r.type];
    if (!seen) uncovered.add(r.type);
    else if (
      'kind' in seen &&
      !(inventory[seen.kind] ?? []).includes(String(r.attributes[seen.attribute]))
    ) {
      unseen.push(`${r.address} (${seen.kind} ${String(r.attributes[seen.attribute])})`);
    }
  }
  return { unseen, uncovered: [...uncovered].sort() };
}

/** The override plus `count = 0` for each left-out resource address (`type.name`). */
export function withLeftOut<T extends object>(override: T, addresses: readonly string[]): T {
  if (addresses.length === 0) return override;
  const resource: Record<string, Record<string, { count: number }>> = {};
  for (const address of addresses) {
    const [type, name] = address.split('.') as [string, string];
    (resource[type] ??= {})[name] = { count: 0 };
  }
  return { ...override, resource };
}

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

/**
 * Applies one synthesized stack (its folder under `outdir`) to a fresh emulator with
 * terraform.tfvars.example, re-plans, runs the documented teardown, destroys, and inventories moto before,
 * between and after. Never throws for a Terraform failure: the result says what failed.
 */
export async function deployStack(
  tools: OfflineTools,
  moto: MotoCommand,
  outdir: string,
  stack: string,
): Promise<StackDeployResult> {
  const dir = join(outdir, 'stacks', stack);
  const result: StackDeployResult = {
    stack,
    planned: 0,
    applied: 0,
    appliedAddresses: [],
    drift: [],
    remaining: 0,
    unseen: [],
    uncovered: [],
    leftovers: {},
    remnants: [],
    timings: {},
    records: [],
  };
  let start = performance.now();
  const nice = niceOf(stack);
  const tf = (env: NodeJS.ProcessEnv, args: string[]) => runTerraform(tools, dir, env, args, nice);
  const [emulator, provider] = await Promise.all([
    startEmulator(moto),
    stackProvider(tools, dir, nice),
  ]);
  try {
    const config = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as object;
    const override = emulatorOverride(emulator.endpoint, config);
    writeFileSync(
      join(dir, OVERRIDE_FILE),
      JSON.stringify(withLeftOut(override, leftOut(stack)), null, 2),
    );
    const cliConfig = join(dir, 'emulator.tfrc');
    writeCliConfig(cliConfig, tools.mirror);
    const initEnv = offlineEnv(cliConfig);
    const env = provider ? provider.env(initEnv) : initEnv;
    const vars = [
      `-var-file=${TFVARS_EXAMPLE}`,
      ...Object.entries(DEPLOY_VARIABLES[stack] ?? {}).map(([k, v]) => `-var=${k}=${v}`),
    ];
    const [init] = await Promise.all([
      tf(initEnv, ['init', '-input=false', '-no-color']),
      warmUp(emulator.moto.endpoint),
    ]);
    if (init.code !== 0) throw new Error(`terraform init failed in ${dir}:\n${init.output}`);
    const baseline = await takeInventory(emulator.moto.endpoint, [], emulator.endpoint);
    result.timings.init = seconds(start);

    start = performance.now();
    const apply = await tf(env, [
      'apply',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-parallelism=30',
      ...vars,
    ]);
    result.timings.apply = seconds(start);
    result.planned =
      Number(/Plan: (\d+) to add/.exec(apply.summary ?? '')?.[1] ?? 0) + leftOut(stack).length;
    const applied = stateResources(join(dir, EMULATOR_STATE));
    result.applied = applied.length;
    result.appliedAddresses = applied.map((r) => r.address).sort();
    if (apply.code !== 0) result.applyError = apply.output;
    const providers = applied
      .filter((r) => r.type === 'aws_ecs_capacity_provider')
      .map((r) => String(r.attributes.name));
    Object.assign(
      result,
      unseenResources(
        applied,
        await takeInventory(emulator.moto.endpoint, providers, emulator.endpoint),
      ),
    );

    const scenario = SCENARIOS[stack];
    if (apply.code === 0 && scenario) {
      result.scenario = await runScenario(scenario, {
        stack,
        stackDir: dir,
        endpoint: emulator.endpoint,
        resources: applied,
        variables: deployVariables(stack),
        moto,
        records: () => emulator.standIns.records,
      });
      result.timings.scenario = result.scenario.seconds;
    }

    if (apply.code === 0) {
      start = performance.now();
      const replan = await tf(env, [
        'plan',
        '-detailed-exitcode',
        '-input=false',
        '-no-color',
        '-out=replan.tfplan',
        ...vars,
      ]);
      result.replanExitCode = replan.code;
      if (replan.code === 2) {
        const shown = await tf(env, ['show', '-json', '-no-color', 'replan.tfplan']);
        result.drift = drift(JSON.parse(shown.stdout) as Parameters<typeof drift>[0]);
      } else if (replan.code !== 0) {
        result.drift = [
          { address: '(plan failed)', type: '', actions: [], paths: [replan.output] },
        ];
      }
      result.timings.replan = seconds(start);
    }

    start = performance.now();
    const teardown = Object.entries(TEARDOWN_VARIABLES[stack] ?? {}).map(
      ([k, v]) => `-var=${k}=${v}`,
    );
    if (teardown.length > 0 && applied.length > 0) {
      const flip = await tf(env, [
        'apply',
        '-auto-approve',
        '-input=false',
        '-no-color',
        '-refresh=false',
        '-parallelism=30',
        ...vars,
        ...teardown,
      ]);
      if (flip.code !== 0) result.teardownError = flip.output;
    }
    // The re-plan just refreshed every resource: the destroy plan need not read them all again.
    const destroy = await tf(env, [
      'destroy',
      '-auto-approve',
      '-input=false',
      '-no-color',
      '-refresh=false',
      '-parallelism=30',
      ...vars,
      ...teardown,
    ]);
    result.timings.destroy = seconds(start);
    if (destroy.code !== 0) result.destroyError = destroy.output;
    result.remaining = stateResources(join(dir, EMULATOR_STATE)).length;

    const left = inventoryDiff(
      baseline,
      await takeInventory(emulator.moto.endpoint, providers, emulator.endpoint),
    );
    for (const { kind, id, why } of EXPECTED_REMNANTS[stack] ?? []) {
      const kept = (left[kind] ?? []).filter((x) => id.test(x));
      result.remnants.push(...kept.map((x) => `${kind} ${x}: ${why}`));
      left[kind] = (left[kind] ?? []).filter((x) => !id.test(x));
      if (left[kind]!.length === 0) delete left[kind];
    }
    result.leftovers = left;
    result.records = [...emulator.standIns.records];
  } finally {
    provider?.close();
    await emulator.stop();
  }
  return result;
}

/**
 * One provider process for all of a stack's commands after init (apply, re-plan, show, destroy), through
 * Terraform's documented reattach setting: each command would otherwise start the provider two or three
 * times, seconds of CPU each to build its schema. Every command of a stack configures it alike (the
 * override's endpoints and fake credentials), they run one after another, and it runs in the stack's folder,
 * where the configuration's relative paths (the function zips) point. Off with
 * OPS_AUTOPILOT_SHARED_PROVIDER=off, or when it cannot start: then each command starts its own.
 */
async function stackProvider(
  tools: OfflineTools,
  dir: string,
  nice: number,
): Promise<SharedProvider | undefined> {
  if (process.env.OPS_AUTOPILOT_SHARED_PROVIDER === 'off') return undefined;
  return SharedProvider.own(tools.mirror, dir, nice).catch(() => undefined);
}
