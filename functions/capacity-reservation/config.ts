import { z } from 'zod';

/** Characters EC2 accepts in tag values (letters, digits, spaces and `_ . : / = + - @`). */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;

/** The reserver's environment; read once at module start with readEnv, so a bad value fails every invocation. */
export const ReserverEnvSchema = z.object({
  /** RDS-managed master secret: JSON with at least `username` and `password`. */
  DB_SECRET_ARN: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
      'must be a Secrets Manager secret ARN',
    ),
  DB_HOST: z.string().min(1),
  DB_PORT: z.coerce.number().int().min(1).max(65535).default(3306),
  DB_NAME: z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, 'must be a plain MySQL database name'),
  /** TLS with certificate verification against the Amazon RDS CA bundle; only tests turn it off. */
  DB_TLS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** MySQL user-level lock names are limited to 64 characters. */
  LOCK_NAME: z.string().min(1).max(64).default('ops-autopilot-odcr'),
  /** Value of tag `managed-by` on every reservation this function creates, and the only ones it touches. */
  MANAGED_BY: z.string().min(1).max(256).regex(TAG_VALUE, 'must be a valid EC2 tag value'),
  DEFAULT_CHUNK_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** Idle lifetime of the database session (wait_timeout): how long a killed run can hold the lock. */
  DB_SESSION_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(28800).default(360),
  /** A pool whose active capacity is used below this percentage is idle (variable capacity_idle_alarm_percent). */
  IDLE_THRESHOLD_PERCENT: z.coerce.number().int().min(1).max(100).default(20),
  /** Live reservations ending within this many hours count as expiring (variable capacity_expiry_warning_hours). */
  EXPIRY_WARNING_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  /** The stack's capacity reservation group (rows with Match `targeted`); unset: such rows are refused. */
  RESERVATION_GROUP_ARN: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:\d{12}:group\/[A-Za-z0-9_.-]{1,300}$/,
      'must be a Resource Groups group ARN',
    )
    .optional(),
  /** ARN of the function's own schedule rule: scheduled events of any other rule are refused. */
  SCHEDULE_RULE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:rule\/.+$/, 'must be an EventBridge rule ARN'),
});

export type ReserverEnv = z.infer<typeof ReserverEnvSchema>;

/** What reconcile() needs besides its clients. */
export interface ReconcileConfig {
  /** Name passed to GET_LOCK; one run at a time per name. */
  readonly lockName: string;
  /** Instances per CreateCapacityReservation call when the row's Chunk_Size is NULL. */
  readonly defaultChunkSize: number;
  /** Rows reconciled in parallel (each row's own calls stay sequential). */
  readonly concurrency: number;
  /** A pool used below this percentage is idle (see usage.ts). @default 20 */
  readonly idleThresholdPercent?: number;
  /** Reservations ending within this many hours are expiring (see usage.ts). @default 72 */
  readonly expiryWarningHours?: number;
}

export function reconcileConfigFrom(env: ReserverEnv): ReconcileConfig {
  return {
    lockName: env.LOCK_NAME,
    defaultChunkSize: env.DEFAULT_CHUNK_SIZE,
    concurrency: env.CONCURRENCY,
    idleThresholdPercent: env.IDLE_THRESHOLD_PERCENT,
    expiryWarningHours: env.EXPIRY_WARNING_HOURS,
  };
}
