import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../offline-proof';
import { createServer } from 'node:net';
import { OfflineToolMissingError } from '../terraform-env';

/** How to run moto's server: a program and the arguments before `-H host -p port`. */
export interface MotoCommand {
  readonly file: string;
  readonly args: readonly string[];
}

const HOW_TO_INSTALL =
  'npm run setup installs it; or: python3 -m pip install "moto[server]==5.2.1"';

function runs(file: string, args: readonly string[]): boolean {
  try {
    execFileSync(file, [...args], { stdio: 'pipe', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Where .ci/setup.sh installs moto when the machine has none. */
export const SETUP_VENV_MOTO = join(ROOT, '.cache', 'moto-venv', 'bin', 'moto_server');

/**
 * moto's server: MOTO_SERVER when set (a program, e.g. a virtualenv's moto_server), else `moto_server` on
 * PATH, else the one .ci/setup.sh installed, else `python3 -m moto.server`. Undefined when none runs.
 */
export function findMoto(env: NodeJS.ProcessEnv = process.env): MotoCommand | undefined {
  const fromEnv = env.MOTO_SERVER?.trim();
  if (fromEnv) return runs(fromEnv, ['--help']) ? { file: fromEnv, args: [] } : undefined;
  if (runs('moto_server', ['--help'])) return { file: 'moto_server', args: [] };
  if (existsSync(SETUP_VENV_MOTO) && runs(SETUP_VENV_MOTO, ['--help'])) {
    return { file: SETUP_VENV_MOTO, args: [] };
  }
  if (runs('python3', ['-c', 'import moto.server'])) {
    return { file: 'python3', args: ['-m', 'moto.server'] };
  }
  return undefined;
}

/** Under CI=true a missing moto is an error; elsewhere undefined (the caller skips with a note). */
export function requireMoto(env: NodeJS.ProcessEnv = process.env): MotoCommand | undefined {
  const moto = findMoto(env);
  if (!moto && env.CI === 'true') {
    throw new OfflineToolMissingError(
      `the deploy proof is mandatory under CI: moto is missing; ${HOW_TO_INSTALL}`,
    );
  }
  return moto;
}

export function motoMissingNote(): string {
  return `deploy proof skipped here: moto's server is not installed (${HOW_TO_INSTALL}, or set MOTO_SERVER)`;
}

/** A free loopback port (bound and released; moto binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class MotoServer {
  private constructor(
    readonly process: ChildProcess,
    readonly endpoint: string,
    private readonly output: string[],
  ) {}

  /** Starts moto on a free loopback port (or `port`) and waits until it answers. */
  static async start(
    moto: MotoCommand,
    options: { port?: number; timeoutMs?: number; detached?: boolean } = {},
  ): Promise<MotoServer> {
    const port = options.port ?? (await freePort());
    const child = spawn(moto.file, [...moto.args, '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A crash of this process must not leave moto running (the sandbox detaches its own emulator process).
    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const server = new MotoServer(child, `http://127.0.0.1:${port}`, output);
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(`${server.endpoint}/moto-api/`);
        if (res.ok) return server;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await server.stop();
    throw new Error(`moto did not start on port ${port}:\n${output.join('').slice(-2000)}`);
  }

  /** The last lines moto printed (requests and tracebacks), for error messages. */
  log(): string {
    return this.output.join('').slice(-4000);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGTERM');
    // moto holds nothing worth a graceful shutdown; give it a second, then kill it.
    const killed = await Promise.race([exited.then(() => true), sleep(1000).then(() => false)]);
    if (!killed) {
      this.process.kill('SIGKILL');
      await exited;
    }
  }
}
