import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../offline-proof';
import { jsonCall, restCall } from './aws/call';

const run = promisify(execFile);

export interface SandboxCheck {
  readonly deploy: { readonly code: number; readonly output: string };
  readonly endpoint?: string;
  readonly functions: string[];
  readonly tables: string[];
  readonly destroy: { readonly code: number; readonly output: string };
  /** Whether the endpoint still answered after --destroy. */
  readonly answersAfterDestroy: boolean;
}

async function sandbox(args: string[], env: NodeJS.ProcessEnv) {
  const script = join(ROOT, 'dist', 'scripts', 'sandbox.js');
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], {
      cwd: ROOT,
      env,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    };
  }
}

/**
 * `npm run sandbox -- <stack>` then `npm run sandbox -- --destroy`, as a user runs them (the real cdktf CLI),
 * in a sandbox folder of its own; what the emulator held in between, read through the printed endpoint.
 */
export async function checkSandbox(stack: string): Promise<SandboxCheck> {
  const env = {
    ...process.env,
    OPS_AUTOPILOT_SANDBOX_DIR: mkdtempSync(join(tmpdir(), 'sandbox-check-')),
  };
  const deploy = await sandbox([stack], env);
  const endpoint = /^endpoint=(\S+)$/m.exec(deploy.output)?.[1];
  let functions: string[] = [];
  let tables: string[] = [];
  if (endpoint) {
    const fns = await restCall<{ Functions?: Array<{ FunctionName: string }> }>(
      endpoint,
      'lambda',
      'GET',
      '/2015-03-31/functions/',
    );
    functions = (fns.Functions ?? []).map((f) => f.FunctionName).sort();
    const t = await jsonCall<{ TableNames?: string[] }>(
      endpoint,
      'dynamodb',
      'DynamoDB_20120810.ListTables',
      {},
      '1.0',
    );
    tables = t.TableNames ?? [];
  }
  const destroy = await sandbox(['--destroy'], env);
  let answersAfterDestroy = false;
  if (endpoint) {
    answersAfterDestroy = await fetch(`${endpoint}/_stand-ins/records`).then(
      () => true,
      () => false,
    );
  }
  // The sandbox's own lines come first and last; cdktf's plan in between can be long.
  // The sandbox's own progress lines (`==> …`) survive the cut: a teardown's output can push them out.
  const tail = (text: string) => {
    if (text.length <= 30_000) return text;
    const progress = text.split('\n').filter((line) => line.startsWith('==> '));
    return `${text.slice(0, 10_000)}\n…\n${progress.join('\n')}\n…\n${text.slice(-20_000)}`;
  };
  return {
    deploy: { code: deploy.code, output: tail(deploy.output) },
    ...(endpoint ? { endpoint } : {}),
    functions,
    tables,
    destroy: { code: destroy.code, output: tail(destroy.output) },
    answersAfterDestroy,
  };
}
