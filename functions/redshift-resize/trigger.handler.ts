import { SFNClient } from '@aws-sdk/client-sfn';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { TriggerEnvSchema } from './env';
import { handleAlarm, parseAlarmEvent, type TriggerOutcome } from './trigger';

const env = readEnv(TriggerEnvSchema);

/** This function's only client; exported so tests mock exactly the calls this function makes. */
export const sfn = new SFNClient(clientConfig());

/** SNS-subscribed to the PercentageDiskSpaceUsed alarm topic: starts (at most) one resize execution. */
export async function handler(event: unknown): Promise<TriggerOutcome[]> {
  const alarms = parseAlarmEvent(event);
  const outcomes: TriggerOutcome[] = [];
  for (const alarm of alarms) outcomes.push(await handleAlarm({ sfn }, env, alarm));
  logger.info('alarm notifications handled', { outcomes });
  return outcomes;
}
