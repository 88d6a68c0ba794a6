import type { Context } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { createDynamoDbClient, createEcsClient } from './clients';
import { createEc2Client } from './spot-clients';
import { SpotSignalEnvSchema } from './spot-config';
import { handleSpotSignal, type SignalReport, type SpotSignalDeps } from './spot-signal';

const deps: SpotSignalDeps = {
  ec2: createEc2Client(),
  ecs: createEcsClient(),
  ddb: createDynamoDbClient(),
  config: readEnv(SpotSignalEnvSchema),
  now: () => Date.now(),
};

/**
 * Spot interruption warnings and rebalance recommendations from the stack's EventBridge rules (asynchronous
 * invocations): a thrown error is retried by Lambda, then sent to the function's failure queue.
 */
export const handler = async (event: unknown, context: Context): Promise<SignalReport> => {
  logger.addContext(context);
  return handleSpotSignal(deps, event, context.awsRequestId);
};
