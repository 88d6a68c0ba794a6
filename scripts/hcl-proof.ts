import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { proveStack, runBuiltApp, type OfflineTools, type StackProof } from './offline-proof';
import { SharedProvider } from './shared-provider';
import { offlineEnv, writeCliConfig } from './terraform-env';

const run = promisify(execFile);

/** Synthesizes every stack as an HCL module from the built app (dist/main-hcl.js) into a fresh folder. */
export async function synthHcl(
  outdir = mkdtempSync(join(tmpdir(), 'ops-autopilot-hcl-')),
): Promise<string> {
  return runBuiltApp('main-hcl.js', outdir);
}

export interface ValidateResult {
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: Array<{ severity: string; summary: string; detail?: string }>;
}

/**
 * `terraform init` (provider from the mirror only) and `terraform validate` of one synthesized module folder,
 * on its own: a module has no provider configuration or backend to override, and validate needs neither.
 */
export async function validateModule(tools: OfflineTools, dir: string): Promise<ValidateResult> {
  const cliConfig = join(dir, 'offline.tfrc');
  writeCliConfig(cliConfig, tools.mirror);
  const env = offlineEnv(cliConfig);
  const tf = async (args: string[], shared?: SharedProvider) => {
    try {
      return (
        await run(tools.terraform, [`-chdir=${dir}`, ...args], {
          env: shared ? shared.env(env) : env,
          maxBuffer: 64 * 1024 * 1024,
        })
      ).stdout;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      // validate -json exits 1 on an invalid configuration, with the diagnostics on stdout
      if (args[0] === 'validate' && e.stdout) return e.stdout;
      throw new Error(
        `terraform ${args[0]} failed in ${dir}:\n${e.stderr || e.stdout || e.message}`,
        {
          cause: error,
        },
      );
    }
  };
  await tf(['init', '-input=false', '-no-color', '-backend=false']);
  const shared = await SharedProvider.for(tools.mirror);
  const validate = () => tf(['validate', '-json', '-no-color'], shared);
  return JSON.parse(await (shared ? shared.exclusive(validate) : validate())) as ValidateResult;
}

/**
 * Runs the offline proof (init, validate, plan with fake credentials, show -json) of a root module that calls
 * the synthesized stacks: `root` is copied next to them, to `<outdir>/stacks/<name>`, so its module sources
 * are sibling folders (`../ebs-snapshot-lifecycle`), and proveStack treats it like any stack (mirror, provider
 * skip flags as an override file, the Step Functions validation stub).
 */
export async function proveCallingModule(
  tools: OfflineTools,
  outdir: string,
  root: string,
  name: string,
  varFile: string,
): Promise<StackProof> {
  cpSync(root, join(outdir, 'stacks', name), { recursive: true });
  return proveStack(tools, outdir, name, varFile);
}
