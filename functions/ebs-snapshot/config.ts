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
    /**
     * How old a claim of another attempt must be before a DescribeSnapshots listing is trusted to show a
     * snapshot made under it (EC2 reads are eventually consistent:
     * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
     */
    CLAIM_SETTLE_SECONDS: positiveInt.max(600).default(60),
    SCHEDULE_RULE_ARN: nonEmpty,
  })
  .transform((env) => ({
    tableName: env.TABLE_NAME,
    tagKey: env.TAG_KEY,
    defaultRetentionDays: env.DEFAULT_RETENTION_DAYS,
    managedBy: env.MANAGED_BY,
    concurrency: env.CONCURRENCY,
    claimSettleSeconds: env.CLAIM_SETTLE_SECONDS,
    scheduleRuleArn: env.SCHEDULE_RULE_ARN,
  }));

export type CreateConfig = z.infer<typeof CreateEnvSchema>;

/** Environment of `ebs-snapshot-delete`. */
export const DeleteEnvSchema = z
  .object({ MANAGED_BY: nonEmpty })
  .transform((env) => ({ managedBy: env.MANAGED_BY }));

export type DeleteConfig = z.infer<typeof DeleteEnvSchema>;
