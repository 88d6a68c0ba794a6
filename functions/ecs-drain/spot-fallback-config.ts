import { z } from 'zod';

const Name = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'ECS name (letters, digits, - and _)');
const Seconds = z.coerce
  .number()
  .int()
  .min(60)
  .max(7 * 86400);
const Share = z.coerce.number().int().min(0).max(100000);

/**
 * The fallback function's environment, set by stacks/ecs-spot-api/spot-fallback.ts. Parsed once at module
 * start with `readEnv`; a bad value fails the cold start before any AWS call.
 */
export const SpotFallbackEnvSchema = z
  .object({
    CLUSTER_NAME: Name,
    SERVICE_NAME: Name,
    /** ARN of the function's own schedule rule: scheduled events of other rules are refused. */
    SCHEDULE_RULE_ARN: z.string().regex(/^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:rule\/.+$/),
    ON_DEMAND_PROVIDER: Name,
    SPOT_PROVIDER: Name,
    /** The configured split (the stack's variables): what the service runs when Spot is healthy. */
    ON_DEMAND_BASE: Share,
    ON_DEMAND_WEIGHT: Share,
    SPOT_WEIGHT: Share,
    AFTER_SECONDS: Seconds,
    RECOVER_AFTER_SECONDS: Seconds,
    MIN_INTERVAL_SECONDS: Seconds,
    STATE_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'DynamoDB table name'),
    TOPIC_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'SNS topic ARN'),
  })
  .transform(
    (env): SpotFallbackConfig => ({
      cluster: env.CLUSTER_NAME,
      service: env.SERVICE_NAME,
      scheduleRuleArn: env.SCHEDULE_RULE_ARN,
      onDemandProvider: env.ON_DEMAND_PROVIDER,
      spotProvider: env.SPOT_PROVIDER,
      normal: [
        {
          capacityProvider: env.ON_DEMAND_PROVIDER,
          base: env.ON_DEMAND_BASE,
          weight: env.ON_DEMAND_WEIGHT,
        },
        { capacityProvider: env.SPOT_PROVIDER, base: 0, weight: env.SPOT_WEIGHT },
      ],
      // Every task above the base On-Demand; Spot stays in the strategy with weight 0, so the service keeps
      // both providers and Terraform's plan shows only the weights differ.
      fallback: [
        { capacityProvider: env.ON_DEMAND_PROVIDER, base: env.ON_DEMAND_BASE, weight: 1 },
        { capacityProvider: env.SPOT_PROVIDER, base: 0, weight: 0 },
      ],
      afterMs: env.AFTER_SECONDS * 1000,
      recoverAfterMs: env.RECOVER_AFTER_SECONDS * 1000,
      minIntervalMs: env.MIN_INTERVAL_SECONDS * 1000,
      stateTableName: env.STATE_TABLE_NAME,
      topicArn: env.TOPIC_ARN,
    }),
  );

export interface StrategyItem {
  readonly capacityProvider: string;
  readonly base: number;
  readonly weight: number;
}

export interface SpotFallbackConfig {
  readonly cluster: string;
  readonly service: string;
  readonly scheduleRuleArn: string;
  readonly onDemandProvider: string;
  readonly spotProvider: string;
  readonly normal: readonly StrategyItem[];
  readonly fallback: readonly StrategyItem[];
  readonly afterMs: number;
  readonly recoverAfterMs: number;
  readonly minIntervalMs: number;
  readonly stateTableName: string;
  readonly topicArn: string;
}
