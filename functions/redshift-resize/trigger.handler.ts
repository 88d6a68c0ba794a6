import { SFNClient } from '@aws-sdk/client-sfn';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { TriggerEnvSchema } from './env';
import { recordTriggerOutcomes } from './telemetry';
import { handleAlarm, parseAlarmEvent, type TriggerOutcome } from './trigger';

const env = readEnv(TriggerEnvSchema);

/** This function's only client; exported so tests mock exactly the calls this function makes. */
export const sfn = new SFNClient(clientConfig());

/** SNS-subscribed to the PercentageDiskSpaceUsed alarm topic: starts (at most) one resize execution. */
export async function handler(event: unknown): Promise<TriggerOutcome[]> {
  const alarms = parseAlarmEvent(event);
  const outcomes: TriggerOutcome[] = [];
  try {
    for (const alarm of alarms) outcomes.push(await handleAlarm({ sfn }, env, alarm));
  } finally {
    // Also when a later record fails: an execution already started is counted.
    recordTriggerOutcomes(outcomes);
  }
  logger.info('alarm notifications handled', { outcomes });
  return outcomes;
}
