import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TFVARS_EXAMPLE } from '../offline-proof';
import { findProviderMirror, writeCliConfig } from '../terraform-env';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from './aws/call';
import { findMoto, motoMissingNote } from './moto';
import { EMULATOR_STATE, ENDPOINT_SETTING } from './override';
import { stateResources, TEARDOWN_VARIABLES } from './deploy-proof';

/** Every stack of the app (stacks/app.ts STACKS), without loading the constructs. */
export const SANDBOX_STACKS = [
  'ebs-snapshot-lifecycle',
  'capacity-reservations',
  'ecs-spot-api',
  'ecs-autoscaling-drain',
  'redshift-resize',
] as const;

/** Where the sandbox keeps its emulator's address, state and logs (OPS_AUTOPILOT_SANDBOX_DIR for tests). */
export const SANDBOX_DIR = process.env.OPS_AUTOPILOT_SANDBOX_DIR || join(ROOT, '.cache', 'sandbox');
const INFO = join(SANDBOX_DIR, 'emulator.json');
const OUTDIR = join(SANDBOX_DIR, 'cdktf.out');
const OUTPUTS = join(SANDBOX_DIR, 'outputs.json');

export interface SandboxArgs {
  readonly destroy: boolean;
  /** The stacks named on the command line; all of them when none is. */
  readonly stacks: readonly string[];
}

export class SandboxUsageError extends Error {
  override readonly name = 'SandboxUsageError';
}

export const USAGE = `usage: npm run sandbox [-- <stack>...]     deploy to a local AWS emulator (all stacks by default)
       npm run sandbox -- --destroy [<stack>...]  destroy, and stop the emulator once nothing is deployed
stacks: ${SANDBOX_STACKS.join(', ')}`;

export function parseSandboxArgs(argv: readonly string[]): SandboxArgs {
  const unknownOption = argv.find((a) => a.startsWith('-') && a !== '--destroy');
  if (unknownOption) throw new SandboxUsageError(`unknown option ${unknownOption}\n${USAGE}`);
  const stacks = argv.filter((a) => !a.startsWith('-'));
  const unknown = stacks.filter((s) => !(SANDBOX_STACKS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new SandboxUsageError(`unknown stack ${unknown.join(', ')}\n${USAGE}`);
  return {
    destroy: argv.includes('--destroy'),
    stacks: stacks.length > 0 ? [...new Set(stacks)] : [...SANDBOX_STACKS],
  };
}

interface EmulatorInfo {
  readonly pid: number;
  readonly endpoint: string;
}

function running(): EmulatorInfo | undefined {
  if (!existsSync(INFO)) return undefined;
  const info = JSON.parse(readFileSync(INFO, 'utf8')) as EmulatorInfo;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The running emulator, or a new one started detached (it outlives this command). */
async function ensureEmulator(): Promise<EmulatorInfo> {
  const current = running();
  if (current) return current;
  if (!findMoto()) throw new Error(motoMissingNote());
  rmSync(INFO, { force: true });
  // States of an emulator that is gone describe nothing that exists.
  rmSync(OUTDIR, { recursive: true, force: true });
  const log = openSync(join(SANDBOX_DIR, 'emulator.log'), 'a');
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist', 'scripts', 'emulator-server.js'), '--info', INFO],
    {
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  child.unref();
  for (let waited = 0; waited < 60_000; waited += 250) {
    if (existsSync(INFO)) return JSON.parse(readFileSync(INFO, 'utf8')) as EmulatorInfo;
    if (child.exitCode !== null) break;
    await sleep(250);
  }
  throw new Error(`the emulator did not start; see ${join(SANDBOX_DIR, 'emulator.log')}`);
}

/**
 * The teardown and the destroy work on the configuration the deploy synthesized (it holds the state and the
 * emulator's endpoints), not on a new synth of sources that may have changed since; it also spares two synths.
 */
const AS_DEPLOYED = ['--skip-synth'];

/** Stacks whose sandbox state holds resources. */
export function deployedStacks(stacks: readonly string[], outdir = OUTDIR): string[] {
  return stacks.filter((s) => stateResources(join(outdir, 'stacks', s, EMULATOR_STATE)).length > 0);
}

/**
 * Runs the real cdktf CLI (node_modules/.bin/cdktf) against the emulator, output passed through. Variables
 * go in var files after the example: cdktf passes every --var before every --var-file, so a --var could not
 * override the example.
 */
function cdktf(endpoint: string, args: string[], varFiles: string[] = []): Promise<number> {
  const mirror = findProviderMirror();
  if (!mirror)
    throw new Error('no filesystem mirror of hashicorp/aws 5.100.0 found (set TF_PROVIDER_MIRROR)');
  const cliConfig = join(SANDBOX_DIR, 'terraform.tfrc');
  writeCliConfig(cliConfig, mirror);
  const env = {
    ...process.env,
    [ENDPOINT_SETTING]: endpoint,
    OPS_AUTOPILOT_BACKEND: 'local',
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: '1',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
  };
  const bin = join(ROOT, 'node_modules', '.bin', 'cdktf');
  const common = [
    '--output',
    OUTDIR,
    '--auto-approve',
    '--skip-provider-lock',
    ...[TFVARS_EXAMPLE, ...varFiles].map((f) => `--var-file=${f}`),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args, ...common], { cwd: ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}

function printOutputs(stacks: readonly string[]): void {
  if (!existsSync(OUTPUTS)) return;
  const outputs = JSON.parse(readFileSync(OUTPUTS, 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  for (const stack of stacks) {
    console.log(`\n${stack} outputs:`);
    for (const [name, value] of Object.entries(outputs[stack] ?? {})) {
      console.log(`  ${name} = ${JSON.stringify(value)}`);
    }
  }
}

function printHowToLook(endpoint: string): void {
  console.log(`\nendpoint=${endpoint}`);
  console.log(`
The emulator keeps running. Look around with the AWS CLI or an SDK pointed at it, for example:
  export AWS_ACCESS_KEY_ID=${EMULATOR_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${EMULATOR_CREDENTIALS.secretAccessKey}
  export AWS_REGION=${EMULATOR_REGION} AWS_DEFAULT_REGION=${EMULATOR_REGION}
  aws --endpoint-url ${endpoint} lambda list-functions
  aws --endpoint-url ${endpoint} ec2 describe-vpcs
  new LambdaClient({ endpoint: '${endpoint}', region: '${EMULATOR_REGION}' })   // JavaScript SDK v3
Stand-in records: curl ${endpoint}/_stand-ins/records
Destroy and stop it: npm run sandbox -- --destroy`);
}

export async function sandbox(args: SandboxArgs): Promise<number> {
  mkdirSync(SANDBOX_DIR, { recursive: true });
  if (args.destroy) {
    const emulator = running();
    if (!emulator) {
      console.log('no sandbox emulator is running: nothing to destroy');
      rmSync(INFO, { force: true });
      return 0;
    }
    const deployed = deployedStacks(args.stacks);
    for (const stack of deployed.filter((s) => TEARDOWN_VARIABLES[s])) {
      const file = join(SANDBOX_DIR, `teardown-${stack}.tfvars`);
      const settings = Object.entries(TEARDOWN_VARIABLES[stack]!).map(([k, v]) => `${k} = ${v}`);
      writeFileSync(file, settings.join('\n') + '\n');
      console.log(`==> ${stack}: the documented teardown first (${settings.join(', ')})`);
      if ((await cdktf(emulator.endpoint, ['deploy', stack, ...AS_DEPLOYED], [file])) !== 0)
        return 1;
    }
    if (deployed.length > 0) {
      console.log(`==> destroying ${deployed.join(', ')} with cdktf destroy`);
      const code = await cdktf(emulator.endpoint, ['destroy', ...deployed, ...AS_DEPLOYED]);
      if (code !== 0) return code;
    }
    const left = deployedStacks(SANDBOX_STACKS);
    if (left.length > 0) {
      console.log(`the emulator keeps running at ${emulator.endpoint} for ${left.join(', ')}`);
      return 0;
    }
    process.kill(emulator.pid, 'SIGTERM');
    for (let waited = 0; waited < 10_000 && running(); waited += 100) await sleep(100);
    rmSync(INFO, { force: true });
    console.log(`stopped the emulator at ${emulator.endpoint}`);
    return 0;
  }
  const emulator = await ensureEmulator();
  console.log(`endpoint=${emulator.endpoint}`);
  console.log(`==> deploying ${args.stacks.join(', ')} with cdktf deploy`);
  rmSync(OUTPUTS, { force: true });
  const code = await cdktf(emulator.endpoint, [
    'deploy',
    ...args.stacks,
    '--outputs-file',
    OUTPUTS,
  ]);
  printOutputs(args.stacks);
  printHowToLook(emulator.endpoint);
  return code;
}
