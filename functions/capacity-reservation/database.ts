import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { DemandRow } from './rows';
import { LockError, SchemaError } from './errors';

/** The seed's table; its name and its four columns are unchanged so the seed's SQL keeps working. */
export const TABLE = 'odcr_capacity';

/** The four columns the seed defined; users write these with plain SQL. */
const SEED_COLUMNS = [
  'InstanceType',
  'AvailabilityZone',
  'Target_Capacity',
  'Current_Capacity',
] as const;

/**
 * Columns this function adds, with their definitions. DDL cannot take bind parameters; these strings are
 * constants of this module, never user input. Valid on Aurora MySQL 8 and MariaDB alike. Names are quoted in DDL:
 * MATCH is a reserved word in both (SQL must write `Match` in backquotes).
 */
const ADDED_COLUMNS: readonly (readonly [name: string, definition: string])[] = [
  ['Platform', "VARCHAR(64) NOT NULL DEFAULT 'Linux/UNIX'"],
  ['Tenancy', "VARCHAR(16) NOT NULL DEFAULT 'default'"],
  ['End_Date', 'DATETIME NULL DEFAULT NULL'],
  ['Chunk_Size', 'INT NULL DEFAULT NULL'],
  ['Last_Error', 'TEXT NULL'],
  ['Last_Reconciled_At', 'DATETIME NULL DEFAULT NULL'],
  ['Token_Generation', 'BIGINT NOT NULL DEFAULT 0'],
  ['Idle_Since', 'DATETIME NULL DEFAULT NULL'],
  ['Start_Date', 'DATETIME NULL DEFAULT NULL'],
  ['Commitment_Days', 'INT NULL DEFAULT NULL'],
  ['Match', "VARCHAR(16) NOT NULL DEFAULT 'open'"],
];

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE} (
  InstanceType VARCHAR(64) NOT NULL,
  AvailabilityZone VARCHAR(64) NOT NULL,
  Target_Capacity INT NULL,
  Current_Capacity INT NOT NULL DEFAULT 0,
  ${ADDED_COLUMNS.map(([name, definition]) => `\`${name}\` ${definition}`).join(',\n  ')},
  PRIMARY KEY (InstanceType, AvailabilityZone)
)`;

/** Last_Error is TEXT; EC2 messages are short, but a bound keeps one row from growing without limit. */
const MAX_ERROR_LENGTH = 2000;

/** The primary key of a row, exactly as read (also for rows whose values are invalid). */
export interface RowKey {
  readonly instanceType: string;
  readonly availabilityZone: string;
}

interface SchemaChange {
  readonly createdTable: boolean;
  readonly addedColumns: readonly string[];
}

async function existingColumns(db: Connection): Promise<Set<string>> {
  const [rows] = await db.execute<RowDataPacket[]>(
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
    [TABLE],
  );
  return new Set(rows.map((r) => String(r.name).toLowerCase()));
}

/**
 * Creates the table when it is missing and adds missing columns (checked in information_schema.COLUMNS,
 * since Aurora MySQL 8 has no ADD COLUMN IF NOT EXISTS). Run under the lock, so two runs never race on DDL.
 */
export async function ensureSchema(db: Connection): Promise<SchemaChange> {
  let columns = await existingColumns(db);
  let createdTable = false;
  if (columns.size === 0) {
    await db.query(CREATE_TABLE);
    createdTable = true;
    columns = await existingColumns(db);
  }
  const missingSeed = SEED_COLUMNS.filter((c) => !columns.has(c.toLowerCase()));
  if (missingSeed.length > 0) {
    throw new SchemaError(
      `table ${TABLE} exists but lacks the seed column(s) ${missingSeed.join(', ')}; not altering it`,
    );
  }
  const missing = ADDED_COLUMNS.filter(([name]) => !columns.has(name.toLowerCase()));
  if (missing.length > 0) {
    await db.query(
      `ALTER TABLE ${TABLE} ${missing.map(([name, definition]) => `ADD COLUMN \`${name}\` ${definition}`).join(', ')}`,
    );
  }
  return { createdTable, addedColumns: missing.map(([name]) => name) };
}

type LockAttempt =
  | { readonly acquired: true }
  | { readonly acquired: false; readonly holderConnectionId: number | null };

/** GET_LOCK with timeout 0: 1 = ours, 0 = another session holds it, NULL = error. */
export async function acquireLock(db: Connection, name: string): Promise<LockAttempt> {
  const [rows] = await db.execute<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [name]);
  const got: unknown = rows[0]?.got;
  if (got !== null && got !== undefined && Number(got) === 1) return { acquired: true };
  if (got !== null && got !== undefined && Number(got) === 0) {
    const [holder] = await db.execute<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [name]);
    const id: unknown = holder[0]?.holder;
    return {
      acquired: false,
      holderConnectionId: id === null || id === undefined ? null : Number(id),
    };
  }
  throw new LockError(`GET_LOCK(${JSON.stringify(name)}) returned ${String(got)}`);
}

/** Returns whether the lock was still ours (false: the session lost it, e.g. after a reconnect). */
export async function releaseLock(db: Connection, name: string): Promise<boolean> {
  const [rows] = await db.execute<RowDataPacket[]>('SELECT RELEASE_LOCK(?) AS released', [name]);
  return Number(rows[0]?.released) === 1;
}

export async function selectDemand(db: Connection): Promise<DemandRow[]> {
  const [rows] = await db.execute<RowDataPacket[]>(
    `SELECT InstanceType, AvailabilityZone, Target_Capacity, Current_Capacity, Platform, Tenancy, End_Date, Chunk_Size,
            Token_Generation, Idle_Since, Start_Date, Commitment_Days, \`Match\`
       FROM ${TABLE} ORDER BY InstanceType, AvailabilityZone`,
  );
  return rows as unknown as DemandRow[];
}

function bounded(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}

/** A row that could not be reconciled at all: only Last_Error changes, Current_Capacity keeps its value. */
export async function recordRowError(db: Connection, key: RowKey, error: string): Promise<void> {
  await db.execute<ResultSetHeader>(
    `UPDATE ${TABLE} SET Last_Error = ? WHERE InstanceType = ? AND AvailabilityZone = ?`,
    [bounded(error), key.instanceType, key.availabilityZone],
  );
}

/**
 * A reconciled row: Current_Capacity becomes what EC2 holds (observed + created - removed), never an
 * increment of the old counter. Last_Error is cleared, or set when the pool stopped short (e.g. capacity).
 * `newTokens` moves the pool to its next client-token generation (see client-token.ts); `idleSince` is the start
 * of the pool's current idle stretch, or null (see usage.ts).
 */
export async function recordReconciled(
  db: Connection,
  key: RowKey,
  result: { actual: number; error: string | null; newTokens: boolean; idleSince: Date | null },
): Promise<void> {
  await db.execute<ResultSetHeader>(
    `UPDATE ${TABLE} SET Current_Capacity = ?, Last_Reconciled_At = UTC_TIMESTAMP(), Last_Error = ?,
            Token_Generation = Token_Generation + ?, Idle_Since = ?
      WHERE InstanceType = ? AND AvailabilityZone = ?`,
    [
      result.actual,
      result.error === null ? null : bounded(result.error),
      result.newTokens ? 1 : 0,
      result.idleSince,
      key.instanceType,
      key.availabilityZone,
    ],
  );
}
