import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
const nonEmpty = z.string().trim().min(1);

/** Exclusion tags for Region-level Recycle Bin rules, as a JSON object of tag key to value. */
const tagMap = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      const parsed = z.record(z.string().min(1), z.string()).parse(JSON.parse(text));
      return parsed;
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a JSON object of strings: ${text}` });
      return z.NEVER;
    }
  });

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** A JSON list of Region names, e.g. `["eu-west-1"]`. */
const regionList = z
  .string()
  .default('[]')
  .transform((text, ctx) => {
    try {
      return z.array(z.string().regex(REGION)).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a JSON list of Region names: ${text}` });
      return z.NEVER;
    }
  });

/** Environment of `ebs-snapshot-create` (set by the stack), parsed once at module start with readEnv. */
export const CreateEnvSchema = z
  .object({
    TABLE_NAME: nonEmpty,
    TAG_KEY: nonEmpty.default('Snapshot'),
    DEFAULT_RETENTION_DAYS: positiveInt.max(36500).default(7),
    MANAGED_BY: nonEmpty,
    CONCURRENCY: positiveInt.max(64).default(8),
    MAX_REQUESTS_PER_SECOND: z.coerce.number().positive().max(100).default(4),
    DEFAULT_RETAIN_COUNT: z.coerce.number().int().min(0).max(1000).default(0),
    /**
     * How old a claim of another attempt must be before a DescribeSnapshots listing is trusted to show a
     * snapshot made under it (EC2 reads are eventually consistent:
     * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
     */
    CLAIM_SETTLE_SECONDS: positiveInt.max(600).default(60),
    RECYCLE_BIN_EXCLUSION_TAGS: tagMap,
    /** Instances carrying this tag key get one crash-consistent set (CreateSnapshots) of their volumes. */
    INSTANCE_TAG_KEY: nonEmpty.default('SnapshotInstance'),
    EXCLUDE_BOOT_VOLUME: z.enum(['true', 'false']).default('false'),
  })
  .transform((env) => ({
    tableName: env.TABLE_NAME,
    tagKey: env.TAG_KEY,
    instanceTagKey: env.INSTANCE_TAG_KEY,
    excludeBootVolume: env.EXCLUDE_BOOT_VOLUME === 'true',
    defaultRetentionDays: env.DEFAULT_RETENTION_DAYS,
    managedBy: env.MANAGED_BY,
    concurrency: env.CONCURRENCY,
    maxRequestsPerSecond: env.MAX_REQUESTS_PER_SECOND,
    defaultRetainCount: env.DEFAULT_RETAIN_COUNT,
    claimSettleSeconds: env.CLAIM_SETTLE_SECONDS,
    recycleBinExclusionTags: env.RECYCLE_BIN_EXCLUSION_TAGS,
  }));

export type CreateConfig = z.infer<typeof CreateEnvSchema>;

/** Environment of `ebs-snapshot-delete`. */
export const DeleteEnvSchema = z
  .object({ MANAGED_BY: nonEmpty, TABLE_NAME: nonEmpty })
  .transform((env) => ({ managedBy: env.MANAGED_BY, tableName: env.TABLE_NAME }));

export type DeleteConfig = z.infer<typeof DeleteEnvSchema>;

/** Environment of `ebs-snapshot-sweep`. */
export const SweepEnvSchema = z
  .object({
    TABLE_NAME: nonEmpty,
    MANAGED_BY: nonEmpty,
    TAG_KEY: nonEmpty.default('Snapshot'),
    DEFAULT_RETENTION_DAYS: positiveInt.max(36500).default(7),
    MAX_REQUESTS_PER_SECOND: z.coerce.number().positive().max(100).default(4),
    MAX_BACKUP_AGE_HOURS: positiveInt.max(8760).default(26),
    RECYCLE_BIN_EXCLUSION_TAGS: tagMap,
    SCHEDULE_RULE_ARN: nonEmpty,
    AWS_REGION: nonEmpty,
    /** The cross-Region copy Regions: their managed snapshots are swept too. */
    COPY_REGIONS: regionList,
  })
  .transform((env) => ({
    tableName: env.TABLE_NAME,
    managedBy: env.MANAGED_BY,
    tagKey: env.TAG_KEY,
    defaultRetentionDays: env.DEFAULT_RETENTION_DAYS,
    maxRequestsPerSecond: env.MAX_REQUESTS_PER_SECOND,
    maxBackupAgeHours: env.MAX_BACKUP_AGE_HOURS,
    recycleBinExclusionTags: env.RECYCLE_BIN_EXCLUSION_TAGS,
    scheduleRuleArn: env.SCHEDULE_RULE_ARN,
    region: env.AWS_REGION,
    copyRegions: env.COPY_REGIONS,
  }));

export type SweepConfig = z.infer<typeof SweepEnvSchema>;

/** Environment of `ebs-snapshot-copy`: where to copy each completed snapshot, and for how long. */
export const CopyEnvSchema = z
  .object({
    TABLE_NAME: nonEmpty,
    MANAGED_BY: nonEmpty,
    AWS_REGION: z.string().regex(REGION),
    COPY_REGIONS: regionList,
    /** Destination Region -> KMS key ARN for the copies there (`{}`: EBS's default key, or unencrypted). */
    COPY_KMS_KEY_ARNS: tagMap,
    COPY_RETENTION_DAYS: positiveInt.max(36500).default(7),
    /** How old another delivery's claim must be before a tag lookup that finds no copy is trusted. */
    CLAIM_SETTLE_SECONDS: positiveInt.max(3600).default(300),
  })
  .transform((env) => ({
    tableName: env.TABLE_NAME,
    managedBy: env.MANAGED_BY,
    homeRegion: env.AWS_REGION,
    copyRegions: env.COPY_REGIONS,
    kmsKeyArns: env.COPY_KMS_KEY_ARNS,
    retentionDays: env.COPY_RETENTION_DAYS,
    claimSettleSeconds: env.CLAIM_SETTLE_SECONDS,
  }));

export type CopyConfig = z.infer<typeof CopyEnvSchema>;

/** Environment of `ebs-snapshot-start`: the run's state machine and the schedule rule it answers to. */
export const StartEnvSchema = z
  .object({ STATE_MACHINE_ARN: nonEmpty, SCHEDULE_RULE_ARN: nonEmpty })
  .transform((env) => ({
    stateMachineArn: env.STATE_MACHINE_ARN,
    scheduleRuleArn: env.SCHEDULE_RULE_ARN,
  }));

export type StartConfig = z.infer<typeof StartEnvSchema>;
