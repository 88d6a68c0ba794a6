import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createConnection, escapeId, type Connection } from 'mysql2/promise';

/**
 * A throwaway MariaDB server for tests and benchmarks: its own datadir, socket and TCP port on 127.0.0.1,
 * one application user with a password, deleted again by stop(). Nothing of the machine's own MariaDB
 * (config files, service, datadir) is used: every program runs with --no-defaults.
 */

const SERVER_PROGRAMS = ['mariadbd', 'mysqld'];
const INSTALL_PROGRAMS = ['mariadb-install-db', 'mysql_install_db'];
const WELL_KNOWN_DIRS = [
  '/usr/sbin',
  '/usr/bin',
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/local/mysql/bin',
  '/usr/local/mysql/scripts',
];

export interface MariaDbTools {
  readonly server: string;
  readonly installDb: string;
}

/** A missing server under CI (CI=true): a missing tool there is a failure, not a reason to skip. */
export class MariaDbMissingError extends Error {
  override readonly name = 'MariaDbMissingError';
}

function findProgram(names: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...WELL_KNOWN_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

/** Finds the server and mariadb-install-db on PATH, /usr/sbin, /usr/bin (and /usr/local variants). */
export function findMariaDbTools(): MariaDbTools | undefined {
  const server = findProgram(SERVER_PROGRAMS);
  const installDb = findProgram(INSTALL_PROGRAMS);
  if (!server || !installDb) return undefined;
  const version = spawnSync(server, ['--version'], { encoding: 'utf8' });
  // MySQL's mysqld has no mariadb-install-db; only a MariaDB server is supported here.
  if (version.status !== 0 || !/mariadb/i.test(version.stdout)) return undefined;
  return { server, installDb };
}

const MISSING_MESSAGE =
  'no MariaDB server found (mariadbd/mysqld and mariadb-install-db on PATH, /usr/sbin or /usr/bin); ' +
  'install it with `apt-get install -y mariadb-server`';

/**
 * `describe` for tests that need a real MariaDB. Without the server: under CI (CI=true) the tests run and
 * fail in startMariaDb(); elsewhere they are skipped with a console message saying why.
 */
export function describeWithMariaDb(name: string, fn: () => void): void {
  if (!findMariaDbTools() && process.env.CI !== 'true') {
    console.warn(`[mariadb] skipping "${name}": ${MISSING_MESSAGE}`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

export interface MariaDbServer {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string;
  /** The application user (password authentication over TCP, all privileges). */
  readonly user: string;
  readonly password: string;
  /** Creates a fresh, empty database and returns its name: one per test keeps tests independent. */
  createDatabase(): Promise<string>;
  /** Connection as the application user over TCP (UTC DATETIMEs), e.g. to seed or read a table. */
  connect(database: string): Promise<Connection>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-25).join('\n');
  } catch {
    return '(no error log)';
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
}

/** Server-side TLS: PEM file paths of the CA, the server certificate and its key. */
export interface MariaDbTlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

async function launch(tools: MariaDbTools, dir: string, tls?: MariaDbTlsFiles): Promise<Started> {
  const runAsRoot = process.getuid?.() === 0;
  const socketPath = join(dir, 'mysqld.sock');
  const errorLog = join(dir, 'error.log');
  const port = await freePort();
  const child = spawn(
    tools.server,
    [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      `--socket=${socketPath}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${errorLog}`,
      `--tmpdir=${dir}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=0',
      '--character-set-server=utf8mb4',
      '--max-connections=200',
      ...(tls ? [`--ssl-ca=${tls.ca}`, `--ssl-cert=${tls.cert}`, `--ssl-key=${tls.key}`] : []),
      ...(runAsRoot ? ['--user=root'] : []),
    ],
    { stdio: 'ignore' },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`mariadbd exited during start-up (port ${port}):\n${readLog(errorLog)}`);
    }
    try {
      const probe = await createConnection({ socketPath, user: 'root' });
      await probe.end();
      return { child, port };
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new Error(
    `mariadbd did not accept connections within 60 s: ${String(lastError)}\n${readLog(errorLog)}`,
  );
}

/** Installs a datadir in a temp directory, starts mariadbd on it and creates the application user. */
export async function startMariaDb(
  options: { tls?: MariaDbTlsFiles } = {},
): Promise<MariaDbServer> {
  const tools = findMariaDbTools();
  if (!tools) {
    throw new MariaDbMissingError(MISSING_MESSAGE);
  }
  const dir = mkdtempSync(join(tmpdir(), 'mariadb-'));
  const runAsRoot = process.getuid?.() === 0;
  const install = spawnSync(
    tools.installDb,
    [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(runAsRoot ? ['--user=root'] : []),
    ],
    // The bootstrap server's temporary tables go in its own folder, as the server's do (--tmpdir): a
    // MariaDB server removes every #sql* file of its tmpdir when it starts, so bootstraps sharing one
    // TMPDIR deleted each other's ("Error on delete of '#sql-temptable-…'", seen in CI).
    { encoding: 'utf8', env: { ...process.env, TMPDIR: dir } },
  );
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `mariadb-install-db failed (${install.status}):\n${install.stdout}\n${install.stderr}`,
    );
  }

  let started: Started | undefined;
  let lastError: unknown;
  // The free port can be taken between probing and binding: try a few ports.
  for (let i = 0; i < 3 && !started; i++) {
    try {
      started = await launch(tools, dir, options.tls);
    } catch (error) {
      lastError = error;
    }
  }
  if (!started) {
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }
  const { child, port } = started;
  const socketPath = join(dir, 'mysqld.sock');
  const user = 'odcr_app';
  const password = randomBytes(12).toString('hex');

  const admin = await createConnection({ socketPath, user: 'root' });
  await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
  await admin.query('GRANT ALL PRIVILEGES ON *.* TO ?@?', [user, '%']);

  let databases = 0;
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    socketPath,
    user,
    password,
    async createDatabase() {
      databases += 1;
      const name = `odcr_t${databases}_${randomBytes(3).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${escapeId(name)}`);
      return name;
    },
    async connect(database: string) {
      return createConnection({ host: '127.0.0.1', port, user, password, database, timezone: 'Z' });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await admin.end().catch(() => undefined);
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 20_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
