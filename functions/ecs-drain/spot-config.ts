import { z } from 'zod';

const GroupName = z.string().regex(/^[\w.:/@+=-]{1,255}$/, 'Auto Scaling group name');

/**
 * The Spot signal function's environment, set by stacks/ecs-spot-api/spot-signals.ts. Parsed once at module
 * start with `readEnv`; a bad value fails the cold start before any AWS call.
 */
export const SpotSignalEnvSchema = z
  .object({
    /** Short name or ARN of the stack's ECS cluster. */
    CLUSTER_NAME: z
      .string()
      .regex(
        /^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/)?[A-Za-z0-9_-]{1,255}$/,
        'cluster name or cluster ARN',
      ),
    /** The stack's Auto Scaling groups, comma-separated: signals about instances of other groups are ignored. */
    GROUP_NAMES: z
      .string()
      .transform((v) => v.split(','))
      .pipe(z.array(GroupName).min(1)),
    /** DynamoDB table of the event ids already counted (functions/ecs-drain/spot-seen.ts). */
    SEEN_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'DynamoDB table name'),
  })
  .transform(
    (env): SpotSignalConfig => ({
      cluster: env.CLUSTER_NAME,
      groupNames: env.GROUP_NAMES,
      seenTableName: env.SEEN_TABLE_NAME,
    }),
  );

export interface SpotSignalConfig {
  readonly cluster: string;
  readonly groupNames: readonly string[];
  readonly seenTableName: string;
}
