import { OpsError } from '../shared/errors';

/** The database secret is not the JSON `{ "username", "password" }` an RDS-managed secret holds. */
export class SecretMalformedError extends OpsError {}

/** The secret could not be read from Secrets Manager. */
export class SecretUnavailableError extends OpsError {}

/** The database did not accept a connection (down, unreachable, TLS failure). */
export class DatabaseUnavailableError extends OpsError {}

/** The database refused the credentials, also after re-reading the (possibly rotated) secret. */
export class DatabaseAuthError extends OpsError {}

/** The demand table exists but lacks a column the seed defined; it is not altered blindly. */
export class SchemaError extends OpsError {}

/** GET_LOCK failed with an error (NULL), which is not the same as "another run holds it". */
export class LockError extends OpsError {}

/** The database failed during the run; the remaining rows were not started. */
export class DatabaseWriteError extends OpsError {}

/** One or more pools failed for a reason other than a bad row or insufficient capacity. */
export class ReconcileFailedError extends OpsError {
  constructor(
    message: string,
    readonly failedPools: readonly { pool: string; error: string }[],
  ) {
    super(message);
  }
}
