import type { Context } from 'aws-lambda';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { createDynamoDbClient, createEcsClient } from './clients';
import { createSnsClient, neverRetryShiftBlindly } from './spot-fallback-clients';
import { SpotFallbackEnvSchema } from './spot-fallback-config';
import { type FallbackReport, handleSpotFallback, type SpotFallbackDeps } from './spot-fallback';

const deps: SpotFallbackDeps = {
  ecs: neverRetryShiftBlindly(createEcsClient()),
  ddb: createDynamoDbClient(),
  sns: createSnsClient(),
  config: readEnv(SpotFallbackEnvSchema),
  now: () => Date.now(),
};

/**
 * The On-Demand fallback of the Spot service, every minute and on the service's placement failures
 * (asynchronous invocations): a thrown error is retried by Lambda, then sent to the function's failure queue.
 */
export const handler = async (event: unknown, context: Context): Promise<FallbackReport> => {
  logger.addContext(context);
  return handleSpotFallback(deps, event, context.awsRequestId);
};
