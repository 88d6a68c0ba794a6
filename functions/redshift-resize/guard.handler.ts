import { RedshiftClient } from '@aws-sdk/client-redshift';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { parseEvent } from '../shared/parse';
import { GuardEnvSchema } from './env';
import { GuardEventSchema } from './events';
import { evaluateGuard, type GuardResult } from './guard';
import { recordGuardDecision } from './telemetry';

const config = readEnv(GuardEnvSchema);

/** This function's only client; exported so tests mock exactly the calls this function makes. */
export const redshift = new RedshiftClient(clientConfig());

/** Guard step: may this execution resize the cluster, and to how many nodes? Read-only. */
export async function handler(event: unknown): Promise<GuardResult> {
  const input = parseEvent(GuardEventSchema, event, 'a Guard step payload');
  const result = await evaluateGuard({ redshift }, config, {
    executionName: input.executionName,
    now: new Date(),
  });
  logger.info('guard decision', { ...result });
  recordGuardDecision(result);
  return result;
}
