import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
const nonEmpty = z.string().trim().min(1);

/** Environment of `ebs-snapshot-create` (set by the stack), parsed once at module start with readEnv. */
export const CreateEnvSchema = z
  .object({
    TABLE_NAME: nonEmpty,
    TAG_KEY: nonEmpty.default('Snapshot'),
    DEFAULT_RETENTION_DAYS: positiveInt.max(36500).default(7),
    MANAGED_BY: nonEmpty,
    CONCURRENCY: positiveInt.max(64).default(8),
    CLAIM_STALE_AFTER_SECONDS: positiveInt.default(900),
  })
  .transform((env) => ({
    tableName: env.TABLE_NAME,
    tagKey: env.TAG_KEY,
    defaultRetentionDays: env.DEFAULT_RETENTION_DAYS,
    managedBy: env.MANAGED_BY,
    concurrency: env.CONCURRENCY,
    claimStaleAfterSeconds: env.CLAIM_STALE_AFTER_SECONDS,
  }));

export type CreateConfig = z.infer<typeof CreateEnvSchema>;

/** Environment of `ebs-snapshot-delete`. */
export const DeleteEnvSchema = z
  .object({ MANAGED_BY: nonEmpty })
  .transform((env) => ({ managedBy: env.MANAGED_BY }));

export type DeleteConfig = z.infer<typeof DeleteEnvSchema>;
