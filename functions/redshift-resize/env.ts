import { z } from 'zod';
import { MAX_COOLDOWN_MINUTES, MAX_RESIZES_PER_DAY } from './limits';

/**
 * Environment contracts of the redshift-resize functions (each handler parses only its own, once, at
 * module start with readEnv). Nothing here carries an account or a region: every ARN comes from the stack.
 */

/** Redshift cluster identifier: lowercase letter first, letters/digits/single hyphens, no trailing hyphen. */
const ClusterIdSchema = z
  .string()
  .max(63)
  .regex(
    /^[a-z](?:-?[a-z0-9])*$/,
    'must be a Redshift cluster identifier (lowercase, starts with a letter)',
  );

const partition = 'arn:aws[a-z-]*';
const StateMachineArnSchema = z
  .string()
  .regex(
    new RegExp(`^${partition}:states:[a-z0-9-]+:\\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$`),
    'must be a state machine ARN',
  );
const DmsTaskArnSchema = z
  .string()
  .regex(
    new RegExp(`^${partition}:dms:[a-z0-9-]+:\\d{12}:task:[A-Za-z0-9-]+$`),
    'must be a DMS replication task ARN',
  );
const DmsEndpointArnSchema = z
  .string()
  .regex(
    new RegExp(`^${partition}:dms:[a-z0-9-]+:\\d{12}:endpoint:[A-Za-z0-9-]+$`),
    'must be a DMS endpoint ARN',
  );

/** DescribeEvents only reaches 14 days back, so a longer cooldown could not be enforced from Redshift's events. */

const EventsRuleArnSchema = z
  .string()
  .regex(
    new RegExp(`^${partition}:events:[a-z0-9-]+:\\d{12}:rule/[A-Za-z0-9._-]{1,64}$`),
    'must be an EventBridge rule ARN',
  );

/**
 * redshift_trigger: "disk" (the stack's PercentageDiskSpaceUsed alarm starts runs), "alarm" (an alarm the
 * operator names, e.g. CPU or queue wait, starts them) or "none" (runs start only by hand).
 */
const TriggerSchema = z.enum(['disk', 'alarm', 'none']).default('disk');

export const TriggerEnvSchema = z.object({
  STATE_MACHINE_ARN: StateMachineArnSchema,
  ALARM_NAME: z.string().min(1).max(255),
  CLUSTER_ID: ClusterIdSchema,
  /** The re-check schedule's rule: a scheduled event of any other rule is refused. */
  RECHECK_RULE_ARN: EventsRuleArnSchema,
  TRIGGER: TriggerSchema,
});
export type TriggerEnv = z.infer<typeof TriggerEnvSchema>;

export const GuardEnvSchema = z
  .object({
    CLUSTER_ID: ClusterIdSchema,
    RESIZE_FACTOR: z.coerce.number().gt(1).max(8).default(2),
    MAX_NODE_COUNT: z.coerce.number().int().min(1).max(128),
    RESIZE_TYPE: z.enum(['elastic', 'classic']).default('elastic'),
    COOLDOWN_MINUTES: z.coerce.number().int().min(0).max(MAX_COOLDOWN_MINUTES).default(360),
    MAX_RESIZES_PER_DAY: z.coerce.number().int().min(1).max(MAX_RESIZES_PER_DAY).default(2),
    CONCURRENCY_SCALING_MAX_NODES: z.coerce.number().int().min(2).max(128).default(32),
    /** The disk use wanted after a resize: the smallest option Redshift estimates under it is the target. */
    TARGET_DISK_PERCENT: z.coerce.number().gt(0).lt(100).default(70),
    /** redshift_ra3_node_type: "" (off) or the RA3 type a DC2 cluster moves to by elastic resize. */
    RA3_NODE_TYPE: z
      .enum(['', 'ra3.large', 'ra3.xlplus', 'ra3.4xlarge', 'ra3.16xlarge'])
      .default(''),
    /** Terraform renders a bool as "true" / "false". */
    DRY_RUN: z.enum(['true', 'false']).default('false'),
    TRIGGER: TriggerSchema,
  })
  .transform((env) => ({
    clusterId: env.CLUSTER_ID,
    resizeFactor: env.RESIZE_FACTOR,
    maxNodeCount: env.MAX_NODE_COUNT,
    resizeType: env.RESIZE_TYPE,
    cooldownMinutes: env.COOLDOWN_MINUTES,
    maxResizesPerDay: env.MAX_RESIZES_PER_DAY,
    concurrencyScalingMaxNodes: env.CONCURRENCY_SCALING_MAX_NODES,
    targetDiskPercent: env.TARGET_DISK_PERCENT,
    ra3NodeType: env.RA3_NODE_TYPE === '' ? null : env.RA3_NODE_TYPE,
    dryRun: env.DRY_RUN === 'true',
    trigger: env.TRIGGER,
  }));
export type GuardConfig = z.infer<typeof GuardEnvSchema>;

/** A JSON list in an environment variable; an unset or blank variable is the empty list. */
const JsonArnListSchema = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === '') return [];
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON list of DMS task ARNs' });
      return z.NEVER;
    }
  })
  .pipe(z.array(DmsTaskArnSchema).max(100));

export const ReplicationEnvSchema = z
  .object({
    REPLICATION_TASK_ARNS: JsonArnListSchema,
    TARGET_ENDPOINT_ARN: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
      .pipe(DmsEndpointArnSchema.optional()),
  })
  .superRefine((env, ctx) => {
    const hasList = env.REPLICATION_TASK_ARNS.length > 0;
    const hasEndpoint = env.TARGET_ENDPOINT_ARN !== undefined;
    if (hasList === hasEndpoint) {
      ctx.addIssue({
        code: 'custom',
        path: ['REPLICATION_TASK_ARNS'],
        message:
          'set exactly one of REPLICATION_TASK_ARNS (non-empty JSON list) or TARGET_ENDPOINT_ARN',
      });
    }
  })
  .transform(
    (env): ReplicationSource =>
      env.REPLICATION_TASK_ARNS.length > 0
        ? { kind: 'taskList', taskArns: [...new Set(env.REPLICATION_TASK_ARNS)] }
        : { kind: 'targetEndpoint', targetEndpointArn: env.TARGET_ENDPOINT_ARN as string },
  );

/** Where the DMS tasks that replicate into the cluster come from. */
export type ReplicationSource =
  | { readonly kind: 'taskList'; readonly taskArns: readonly string[] }
  | { readonly kind: 'targetEndpoint'; readonly targetEndpointArn: string };

export const ResizeEnvSchema = z
  .object({ CLUSTER_ID: ClusterIdSchema })
  .transform((env) => ({ clusterId: env.CLUSTER_ID }));
export type ResizeConfig = z.infer<typeof ResizeEnvSchema>;
