import { existsSync, readFileSync } from 'node:fs';
import { requireOfflineTools, stackNames, synthAll } from '../../scripts/offline-proof';
import { deployStack, type StackDeployResult } from '../../scripts/emulator/deploy-proof';
import { motoMissingNote, requireMoto } from '../../scripts/emulator/moto';

/** Under CI=true missing terraform, mirror or moto throws (a failure); elsewhere the deploy proof skips. */
export const deployTools = requireOfflineTools();
export const moto = requireMoto();
if (!deployTools)
  console.warn('deploy proof skipped here: terraform or the provider mirror is missing');
else if (!moto) console.warn(motoMissingNote());
export const describeDeploy = deployTools && moto ? describe : describe.skip;

export interface DeployProofRun {
  readonly seconds: number;
  readonly results: StackDeployResult[];
  /** 'background': started by globalSetup while the other test files ran; 'inline': run by this file. */
  readonly mode: 'background' | 'inline';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The result of the background job `<prefix>` (support/background-jobs.js) once it has written it, or
 * undefined when this Jest run did not start that job.
 */
export async function backgroundResult<T>(prefix: string): Promise<T | undefined> {
  const file = process.env[`${prefix}_RESULT`];
  const pid = Number(process.env[`${prefix}_PID`]);
  if (!file || !pid) return undefined;
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
    if (existsSync(`${file}.error`)) {
      throw new Error(`background job ${prefix} failed:\n${readFileSync(`${file}.error`, 'utf8')}`);
    }
    if (!alive(pid))
      throw new Error(`background job ${prefix} (pid ${pid}) ended without a result`);
    await sleep(1000);
  }
}

/** Every stack deployed, re-planned and destroyed: the background job's run, or one run here. */
export async function deployProof(): Promise<DeployProofRun> {
  const background = await backgroundResult<Omit<DeployProofRun, 'mode'>>(
    'OPS_AUTOPILOT_DEPLOY_PROOF',
  );
  if (background) return { ...background, mode: 'background' };
  if (!deployTools || !moto) throw new Error('deploy proof tools missing');
  const started = performance.now();
  const outdir = await synthAll();
  const results = await Promise.all(
    stackNames(outdir).map((s) => deployStack(deployTools, moto, outdir, s)),
  );
  return { seconds: (performance.now() - started) / 1000, results, mode: 'inline' };
}
