import { createConnection, type Connection, type SslOptions } from 'mysql2/promise';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DatabaseAuthError, DatabaseUnavailableError } from './errors';
import { RDS_CA_BUNDLE } from './rds-ca';
import type { CredentialSource, DbCredentials } from './secret';

interface DatabaseSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** TLS verified against the Amazon RDS CA bundle (chain and host name). */
  readonly tls: boolean;
  /**
   * CA certificates (PEM) the server's certificate must chain to; they replace Node's own roots.
   * @default RDS_CA_BUNDLE (every Region and partition)
   */
  readonly caCertificates?: readonly string[];
  /**
   * Time for one connection attempt (TCP, TLS and MySQL handshake).
   * @default DEFAULT_CONNECT_TIMEOUT_MS
   */
  readonly connectTimeoutMs?: number;
  /**
   * Connection attempts when the server cannot be reached (timeout, refused, reset), paused apart.
   * @default { attempts: 3, delayMs: 2000 } (the pause grows with each attempt)
   */
  readonly connectRetry?: { readonly attempts: number; readonly delayMs: number };
  /**
   * Seconds the server keeps the session while it is idle (wait_timeout). GET_LOCK is released only when
   * its session ends, so a run killed mid-way holds the lock until then: the server's default is 8 hours.
   * @default DEFAULT_SESSION_TIMEOUT_SECONDS
   */
  readonly sessionTimeoutSeconds?: number;
}

/**
 * An Aurora Serverless v2 instance paused at 0 ACU resumes when a connection arrives, which takes about 15 s;
 * one attempt has room for a resume, and the retries cover a resume that outlasts it.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_RETRY = { attempts: 3, delayMs: 2000 } as const;
/** Errors of a server that is not (yet) reachable, as opposed to one that answered and refused. */
const UNREACHABLE = new Set([
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
]);

/** The function's 300 s timeout plus a margin: longer than any idle gap of a live run. */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 360;

/** TLS options: the given CAs, certificate chain verified, server name verified, TLS 1.2 or later. */
export function tlsOptions(caCertificates: readonly string[] = RDS_CA_BUNDLE): SslOptions {
  return {
    ca: [...caCertificates],
    rejectUnauthorized: true,
    verifyIdentity: true,
    minVersion: 'TLSv1.2',
  };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function open(settings: DatabaseSettings, credentials: DbCredentials): Promise<Connection> {
  const connection = await createConnection({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: credentials.username,
    password: credentials.password,
    ...(settings.tls ? { ssl: tlsOptions(settings.caCertificates) } : {}),
    connectTimeout: settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // DATETIME columns (End_Date, Last_Reconciled_At) are UTC.
    timezone: 'Z',
    multipleStatements: false,
  });
  try {
    // GET_LOCK holds until the session ends: https://dev.mysql.com/doc/refman/8.0/en/locking-functions.html
    // https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_wait_timeout
    await connection.query('SET SESSION wait_timeout = ?', [
      settings.sessionTimeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS,
    ]);
  } catch (error) {
    connection.destroy();
    throw error;
  }
  return connection;
}

/** Opens a connection, trying again while the server is unreachable (a paused instance resuming). */
async function openWithRetry(
  settings: DatabaseSettings,
  credentials: DbCredentials,
  log: Logger,
): Promise<Connection> {
  const { attempts, delayMs } = settings.connectRetry ?? DEFAULT_CONNECT_RETRY;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await open(settings, credentials);
    } catch (error) {
      const code = errorCode(error);
      if (attempt >= attempts || code === undefined || !UNREACHABLE.has(code)) throw error;
      log.warn('database unreachable; trying again (a paused instance may be resuming)', {
        attempt,
        code,
      });
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}

/**
 * Connects with the secret's credentials. On ER_ACCESS_DENIED_ERROR the secret is read again bypassing
 * the cache (the RDS-managed secret rotates) and the connection is tried once more.
 */
export async function connectDatabase(
  settings: DatabaseSettings,
  credentials: CredentialSource,
  log: Logger,
): Promise<Connection> {
  const target = `${settings.host}:${settings.port}/${settings.database}`;
  const attempt = async (creds: DbCredentials): Promise<Connection> => {
    try {
      return await openWithRetry(settings, creds, log);
    } catch (error) {
      if (errorCode(error) === 'ER_ACCESS_DENIED_ERROR') throw error;
      throw new DatabaseUnavailableError(
        `cannot connect to the database at ${target}: ${errorCode(error) ?? ''} ${(error as Error).message}`.trim(),
        { cause: error },
      );
    }
  };
  try {
    return await attempt(await credentials.get({ forceFetch: false }));
  } catch (error) {
    if (errorCode(error) !== 'ER_ACCESS_DENIED_ERROR') throw error;
    log.warn(
      'database refused the cached credentials; re-reading the secret (it may have rotated)',
      {
        database: target,
      },
    );
  }
  try {
    return await attempt(await credentials.get({ forceFetch: true }));
  } catch (error) {
    if (errorCode(error) !== 'ER_ACCESS_DENIED_ERROR') throw error;
    throw new DatabaseAuthError(
      `the database at ${target} refused the credentials of the secret, also after re-reading it`,
      { cause: error },
    );
  }
}
