import { z } from 'zod';
import { isAcceptedQueueUrl } from './endpoint';

/** SQS caps DelaySeconds at 15 minutes. */
export const MAX_SQS_DELAY_SECONDS = 900;
/** Auto Scaling keeps an instance in a wait state for at most 48 hours, whatever the heartbeats. */
const MAX_LIFECYCLE_WAIT_SECONDS = 48 * 60 * 60;

const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * The function's environment, set by stacks/ecs-autoscaling-drain/stack.ts. Parsed once at module
 * start with `readEnv`; a bad value fails the cold start before any AWS call.
 */
export const DrainEnvSchema = z
  .object({
    /** Short name or ARN of the ECS cluster the Auto Scaling group's instances join. */
    CLUSTER_NAME: z
      .string()
      .min(1)
      .regex(
        /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/,
        'cluster name or cluster ARN',
      ),
    /**
     * URL of the standard SQS queue the function sends its delayed re-checks to (and is triggered by): https,
     * or http on a loopback host while AWS_ENDPOINT_URL(_SQS) points the SDK at a local emulator.
     */
    CHECK_QUEUE_URL: z.url({ protocol: /^https?$/ }),
    /** Endpoint overrides the SDK reads itself; read here only to judge CHECK_QUEUE_URL. */
    AWS_ENDPOINT_URL: z.string().optional(),
    AWS_ENDPOINT_URL_SQS: z.string().optional(),
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: z.string().optional(),
    /** Seconds between two checks of a draining instance; SQS DelaySeconds, so at most 900. */
    CHECK_INTERVAL_SECONDS: seconds(5, MAX_SQS_DELAY_SECONDS).default(30),
    /** Upper bound on a drain, counted from the lifecycle notification's Time; then the action is completed anyway. */
    MAX_DRAIN_SECONDS: seconds(60, MAX_LIFECYCLE_WAIT_SECONDS).default(3600),
    /** Standalone tasks (not started by a service) still running this long after the drain began are stopped. */
    STANDALONE_TASK_GRACE_SECONDS: seconds(0, MAX_LIFECYCLE_WAIT_SECONDS).default(300),
    /** A container agent disconnected this long ends the drain (AgentDisconnected): its tasks never report stopped. */
    AGENT_DISCONNECTED_GRACE_SECONDS: seconds(0, MAX_LIFECYCLE_WAIT_SECONDS).default(180),
    /** DynamoDB table of the drain ledger (functions/ecs-drain/ledger.ts). */
    LEDGER_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'DynamoDB table name'),
  })
  .refine((env) => isAcceptedQueueUrl(env.CHECK_QUEUE_URL, env), {
    message:
      'must be https (http only for a loopback host with AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_SQS set)',
    path: ['CHECK_QUEUE_URL'],
  })
  .refine((env) => env.STANDALONE_TASK_GRACE_SECONDS <= env.MAX_DRAIN_SECONDS, {
    message: 'must not exceed MAX_DRAIN_SECONDS',
    path: ['STANDALONE_TASK_GRACE_SECONDS'],
  })
  .refine((env) => env.AGENT_DISCONNECTED_GRACE_SECONDS <= env.MAX_DRAIN_SECONDS, {
    message: 'must not exceed MAX_DRAIN_SECONDS',
    path: ['AGENT_DISCONNECTED_GRACE_SECONDS'],
  })
  .transform(
    (env): DrainConfig => ({
      cluster: env.CLUSTER_NAME,
      checkQueueUrl: env.CHECK_QUEUE_URL,
      checkIntervalSeconds: env.CHECK_INTERVAL_SECONDS,
      maxDrainSeconds: env.MAX_DRAIN_SECONDS,
      standaloneTaskGraceSeconds: env.STANDALONE_TASK_GRACE_SECONDS,
      agentDisconnectedGraceSeconds: env.AGENT_DISCONNECTED_GRACE_SECONDS,
      ledgerTableName: env.LEDGER_TABLE_NAME,
    }),
  );

export interface DrainConfig {
  readonly cluster: string;
  readonly checkQueueUrl: string;
  readonly checkIntervalSeconds: number;
  readonly maxDrainSeconds: number;
  readonly standaloneTaskGraceSeconds: number;
  readonly agentDisconnectedGraceSeconds: number;
  readonly ledgerTableName: string;
}
