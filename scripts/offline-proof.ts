import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SfnValidationStub, type SfnValidationRequest } from './sfn-validation-stub';
import { SharedProvider } from './shared-provider';
import { readTfvars } from './synth-steps';
import {
  findProviderMirror,
  findTerraform,
  OFFLINE_PROVIDER_OVERRIDE,
  offlineEnv,
  OfflineToolMissingError,
  writeCliConfig,
} from './terraform-env';

const run = promisify(execFile);
/** The project folder, whether this runs from scripts/ (tests) or bundled into dist/scripts/. */
export const ROOT = (() => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdktf.json'))) return dir;
  }
  throw new Error(`no cdktf.json above ${__dirname}`);
})();
export const TFVARS_EXAMPLE = join(ROOT, 'terraform.tfvars.example');

export interface PlannedResource {
  address: string;
  type: string;
  name: string;
  index?: number | string;
  values: Record<string, unknown>;
}
export interface PlanJson {
  format_version: string;
  planned_values: { root_module: { resources?: PlannedResource[] } };
  resource_changes: Array<{ address: string; type: string; change: { actions: string[] } }>;
  variables: Record<string, { value: unknown }>;
}
export interface StackProof {
  stack: string;
  dir: string;
  validate: { valid: boolean; error_count: number; warning_count: number; diagnostics: unknown[] };
  plan: PlanJson;
  /** Definitions the provider asked Step Functions to validate while planning (answered by a local stub). */
  sfnValidations: SfnValidationRequest[];
  /** The plan's warnings, each as its summary line. */
  planWarnings: string[];
}

export class UndeclaredVariablesError extends Error {
  constructor(dir: string, warnings: readonly string[]) {
    super(`terraform plan in ${dir} warned about undeclared variables: ${warnings.join('; ')}`);
    this.name = 'UndeclaredVariablesError';
  }
}

export interface OfflineTools {
  terraform: string;
  mirror: string;
}

/** Finds terraform and the provider mirror; a missing one is an error under CI and a skip reason elsewhere. */
export function offlineTools(
  env: NodeJS.ProcessEnv = process.env,
): OfflineTools | { missing: string } {
  const terraform = findTerraform(env);
  if (!terraform) return { missing: 'terraform CLI not found on PATH (or TERRAFORM_BIN)' };
  const mirror = findProviderMirror(env);
  if (!mirror)
    return {
      missing: 'no filesystem mirror of hashicorp/aws 5.100.0 found (set TF_PROVIDER_MIRROR)',
    };
  return { terraform, mirror };
}

export function requireOfflineTools(
  env: NodeJS.ProcessEnv = process.env,
): OfflineTools | undefined {
  const tools = offlineTools(env);
  if ('missing' in tools) {
    if (env.CI === 'true')
      throw new OfflineToolMissingError(
        `offline Terraform proof is mandatory under CI: ${tools.missing}`,
      );
    return undefined;
  }
  return tools;
}

/** Runs a built app (`dist/<file>`) with its output folder set in CDKTF_OUTDIR, and gives that folder. */
export async function runBuiltApp(
  file: string,
  outdir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const app = join(ROOT, 'dist', file);
  if (!existsSync(app)) throw new Error(`${app} is missing: run "npm run build" first`);
  await run(process.execPath, [app], {
    cwd: ROOT,
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir },
    maxBuffer: 64 * 1024 * 1024,
  });
  return outdir;
}

/**
 * Synthesizes every stack from the built app into a fresh folder, with the local backend forced and no
 * terraform.tfvars of this machine (OPS_AUTOPILOT_TFVARS in `env` names one).
 */
export async function synthAll(
  outdir = mkdtempSync(join(tmpdir(), 'ops-autopilot-synth-')),
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  // Never the emulator override (scripts/emulator/override.ts) unless the caller asks for it in `env`.
  return runBuiltApp('main.js', outdir, {
    OPS_AUTOPILOT_BACKEND: 'local',
    OPS_AUTOPILOT_AWS_ENDPOINT: '',
    OPS_AUTOPILOT_TFVARS: '',
    ...env,
  });
}

/** Names the folder of a synth made once for a whole test run (globalSetup), with synthAll's defaults. */
export const SHARED_SYNTH_SETTING = 'OPS_AUTOPILOT_SHARED_SYNTH';

/**
 * A folder of its own holding what synthAll() writes: a copy of the run's shared synth when globalSetup made
 * one, else a new synth. For tests that plan or read the default synth, not for tests of the synth itself.
 */
export async function sharedSynth(): Promise<string> {
  const shared = process.env[SHARED_SYNTH_SETTING];
  if (!shared || !existsSync(join(shared, 'manifest.json'))) return synthAll();
  const copy = mkdtempSync(join(tmpdir(), 'ops-autopilot-synth-'));
  cpSync(shared, copy, { recursive: true });
  return copy;
}

export function stackNames(outdir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, unknown>;
  };
  return Object.keys(manifest.stacks).sort();
}

async function tf(
  tools: OfflineTools,
  dir: string,
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<string> {
  try {
    const { stdout } = await run(tools.terraform, [`-chdir=${dir}`, ...args], {
      env,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `terraform ${args[0]} failed in ${dir}:\n${e.stderr || e.stdout || e.message}`,
      { cause: error },
    );
  }
}

/**
 * A terraform command that reads the provider's schema, on this process's shared provider when it runs
 * (scripts/shared-provider.ts), one such command at a time; else on a provider of its own.
 */
export async function tfOnProvider(
  tools: OfflineTools,
  dir: string,
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<string> {
  const shared = await SharedProvider.for(tools.mirror);
  if (!shared) return tf(tools, dir, env, args);
  return shared.exclusive(() => tf(tools, dir, shared.env(env), args));
}

/** Variable names a configuration folder declares, from its `.tf.json` and `.tf` files. */
export async function declaredVariableNames(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of readdirSync(dir).sort()) {
    const text = () => readFileSync(join(dir, file), 'utf8');
    let config: { variable?: Record<string, unknown> } | undefined;
    if (file.endsWith('.tf.json')) config = JSON.parse(text()) as typeof config;
    else if (file.endsWith('.tf')) {
      const { parse } = await import('@cdktf/hcl2json');
      config = (await parse(file, text())) as typeof config;
    }
    for (const name of Object.keys(config?.variable ?? {})) names.add(name);
  }
  return names;
}

/**
 * The values of `varFile` that the configuration in `dir` declares, as a new variables file: Terraform warns
 * about every value of a variable the configuration does not declare.
 */
export async function ownVarFile(dir: string, varFile: string): Promise<string> {
  const [declared, values] = await Promise.all([declaredVariableNames(dir), readTfvars(varFile)]);
  const own = Object.fromEntries(Object.entries(values).filter(([name]) => declared.has(name)));
  const file = join(mkdtempSync(join(tmpdir(), 'stack-vars-')), 'own.tfvars.json');
  writeFileSync(file, JSON.stringify(own, null, 2) + '\n');
  return file;
}

/** The summary line of every warning in Terraform's human-readable output (`-no-color`). */
export function warningsIn(output: string): string[] {
  return [...output.matchAll(/^(?:[╷│ ]*)Warning: (.+)$/gm)].map((m) => (m[1] as string).trim());
}

const UNDECLARED = /undeclared variable/i;

const OFFLINE_OVERRIDE_FILE = 'zz_offline_override.tf.json';

/** Names a folder where one whole test run (globalSetup) keeps validate and plan results, by content. */
export const PROOF_CACHE_SETTING = 'OPS_AUTOPILOT_PROOF_CACHE';

/** What Terraform reads from a folder: configuration and the variables files it loads by itself. */
const CONFIG_FILE = /\.tf(\.json)?$|\.auto\.tfvars(\.json)?$|^terraform\.tfvars(\.json)?$/;

/** A module block with a local source: its configuration lives outside the folder the key reads. */
const LOCAL_MODULE = /"source"\s*:\s*"\.\.?\/|\bsource\s*=\s*"\.\.?\//;

/**
 * The hash of what Terraform reads in a folder (but the offline override, whose stub port differs between
 * calls); undefined when the folder calls a local module.
 */
function configHash(dir: string): string | undefined {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) {
    if (!CONFIG_FILE.test(file) || file === OFFLINE_OVERRIDE_FILE) continue;
    const text = readFileSync(join(dir, file));
    if (LOCAL_MODULE.test(text.toString('utf8'))) return undefined;
    hash.update(`${file}\0`).update(text).update('\0');
  }
  return hash.digest('hex');
}

/** A plan's key: its configuration's hash and the variables file it is given (null: none). */
function planKey(config: string | undefined, varFile: string | null): string | undefined {
  if (!config) return undefined;
  const hash = createHash('sha256').update(`${config}\0`);
  return hash.update(varFile === null ? '' : readFileSync(varFile)).digest('hex');
}

/**
 * What this run already proved, by configuration content: a folder of JSON files under
 * OPS_AUTOPILOT_PROOF_CACHE (set for whole runs by globalSetup, removed by globalTeardown). Only results
 * are kept, never failures; two workers that miss at once both compute and write the same result.
 */
async function remembered<T>(
  kind: string,
  key: string | undefined,
  make: () => Promise<T>,
): Promise<T> {
  const folder = process.env[PROOF_CACHE_SETTING];
  if (!folder || !key || !existsSync(folder)) return make();
  const file = join(folder, `${kind}-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const value = await make();
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(value));
  renameSync(partial, file);
  return value;
}

/**
 * init and validate depend on the configuration alone, not on the variable values: a configuration this
 * run already validated (a plan variant, another test file's plan of the same synth) is not validated
 * again. init still runs, so the folder is ready for any terraform command a test runs in it.
 */
const validated = new Map<string, StackProof['validate']>();

async function initAndValidate(
  tools: OfflineTools,
  dir: string,
  env: NodeJS.ProcessEnv,
  hash: string | undefined,
): Promise<StackProof['validate']> {
  const key = `${dir}\0${hash ?? 'local modules'}`;
  const known = validated.get(key);
  if (known && existsSync(join(dir, '.terraform.lock.hcl'))) return known;
  await tf(tools, dir, env, ['init', '-input=false', '-no-color']);
  const validate = await remembered(
    'validate',
    hash,
    async () =>
      JSON.parse(
        await tfOnProvider(tools, dir, env, ['validate', '-json', '-no-color']),
      ) as StackProof['validate'],
  );
  validated.set(key, validate);
  return validate;
}

/**
 * init from the mirror, validate, plan with fake credentials, show -json. The plan gets the values of
 * `varFile` (the example by default) that the stack declares; with `varFile` null, only the variables files
 * in the stack's folder (the synthesized ops-autopilot.auto.tfvars.json). A plan that warns about an
 * undeclared variable fails the proof.
 */
export async function proveStack(
  tools: OfflineTools,
  outdir: string,
  stack: string,
  varFile: string | null = TFVARS_EXAMPLE,
): Promise<StackProof> {
  const dir = join(outdir, 'stacks', stack);
  const cliConfig = join(dir, 'offline.tfrc');
  writeCliConfig(cliConfig, tools.mirror);
  // aws_sfn_state_machine validates its definition through Step Functions while planning: a local stub.
  const sfn = await SfnValidationStub.start();
  const [provider] = OFFLINE_PROVIDER_OVERRIDE.provider.aws;
  writeFileSync(
    join(dir, OFFLINE_OVERRIDE_FILE),
    JSON.stringify(
      {
        ...OFFLINE_PROVIDER_OVERRIDE,
        provider: { aws: [{ ...provider, endpoints: [{ sfn: sfn.endpoint }] }] },
      },
      null,
      2,
    ),
  );
  const env = offlineEnv(cliConfig);
  try {
    const hash = configHash(dir);
    const validate = await initAndValidate(tools, dir, env, hash);
    const own = varFile === null ? null : await ownVarFile(dir, varFile);
    const planned = await remembered('plan', planKey(hash, own), async () => {
      const planOutput = await tfOnProvider(tools, dir, env, [
        'plan',
        '-input=false',
        '-no-color',
        '-lock=false',
        '-refresh=false',
        '-out=offline.tfplan',
        ...(own === null ? [] : [`-var-file=${own}`]),
      ]);
      const planWarnings = warningsIn(planOutput);
      const undeclared = planWarnings.filter((w) => UNDECLARED.test(w));
      if (undeclared.length > 0) throw new UndeclaredVariablesError(dir, undeclared);
      const plan = JSON.parse(
        await tfOnProvider(tools, dir, env, ['show', '-json', '-no-color', 'offline.tfplan']),
      ) as PlanJson;
      return { plan, planWarnings, sfnValidations: sfn.requests };
    });
    const { plan, planWarnings, sfnValidations } = planned;
    return { stack, dir, validate, plan, sfnValidations, planWarnings };
  } finally {
    await sfn.stop();
  }
}

export function plannedResources(plan: PlanJson, type?: string): PlannedResource[] {
  const all = plan.planned_values.root_module.resources ?? [];
  return type ? all.filter((r) => r.type === type) : all;
}

/** Resource type -> count, for assertions and reports. */
export function resourceCounts(plan: PlanJson): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of plannedResources(plan)) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}
