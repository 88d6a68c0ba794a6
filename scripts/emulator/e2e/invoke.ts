import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import type { DeployedFunction } from './deployed';
import { unzip, type Python } from './python';

/** What a handler returned, or the error it threw (or its module threw while loading). */
export type Invocation =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { name: string; message: string } };

/**
 * Loads the handler like the Node.js runtime (`file.export` under the task root), answers one event per
 * message; a module that throws while loading fails every invocation with that error (an init error).
 */
const RUNNER = `
const { join } = require('node:path');
const [dir, file, name, timeoutMs] = process.argv.slice(2);
let handler, initError;
try { handler = require(join(dir, file))[name]; if (typeof handler !== 'function') throw new Error(file + '.' + name + ' is not a function'); }
catch (e) { initError = e; }
const asError = (e) => ({ name: (e && e.name) || 'Error', message: String((e && e.message) || e) });
process.on('message', async ({ id, event }) => {
  if (initError) return process.send({ id, ok: false, error: asError(initError) });
  const deadline = Date.now() + Number(timeoutMs);
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST',
    invokedFunctionArn: process.env.E2E_FUNCTION_ARN, memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: 'e2e-' + id, logGroupName: '/aws/lambda/' + process.env.AWS_LAMBDA_FUNCTION_NAME,
    logStreamName: 'e2e', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  try { process.send({ id, ok: true, result: (await handler(event, context)) ?? null }); }
  catch (e) { process.send({ id, ok: false, error: asError(e) }); }
});
`;

/** A deployed function running from its zip in a process of its own, warm between invocations. */
export class LocalFunction {
  private next = 1;
  private readonly pending = new Map<number, (r: Invocation) => void>();
  private readonly output: string[] = [];

  private constructor(
    readonly fn: DeployedFunction,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    const keep = (c: Buffer) => {
      this.output.push(c.toString('utf8'));
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (m: Invocation & { id: number }) => {
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
    });
    child.once('exit', (code) => {
      for (const resolve of this.pending.values()) {
        resolve({ ok: false, error: { name: 'Runtime.ExitError', message: `exited ${code}` } });
      }
      this.pending.clear();
    });
  }

  /**
   * Unzips the function's zip and starts it with exactly the environment the emulator reports for it, plus
   * what the Lambda runtime sets (region, credentials, function name) and AWS_ENDPOINT_URL, the SDK's
   * endpoint setting (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
   */
  static start(fn: DeployedFunction, endpoint: string, python: Python): LocalFunction {
    const dir = mkdtempSync(join(tmpdir(), `e2e-${fn.bundle}-`));
    const code = join(dir, 'task');
    unzip(python, fn.zip, code);
    writeFileSync(join(dir, 'runner.js'), RUNNER);
    const dot = fn.handler.lastIndexOf('.');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...fn.environment,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: EMULATOR_REGION,
      AWS_DEFAULT_REGION: EMULATOR_REGION,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: code,
      E2E_FUNCTION_ARN: fn.arn,
    };
    const child = fork(
      join(dir, 'runner.js'),
      [code, fn.handler.slice(0, dot), fn.handler.slice(dot + 1), String(fn.timeoutSeconds * 1000)],
      { env, cwd: code, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] },
    );
    return new LocalFunction(fn, child, dir);
  }

  invoke(event: unknown): Promise<Invocation> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, event });
    });
  }

  /** What the function printed (its JSON logs and metrics), for a failure's message. */
  log(): string {
    return this.output.join('').slice(-4000);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
