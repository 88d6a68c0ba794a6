import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { clientConfig } from '../shared/aws';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { parseOwnSchedule } from '../shared/parse';
import { TriggerEnvSchema } from './env';
import { isScheduledEvent, recheck } from './recheck';
import type { TriggerOutcome } from './start-run';
import { recordTriggerOutcomes } from './telemetry';
import { handleAlarm, parseAlarmEvent } from './trigger';

const env = readEnv(TriggerEnvSchema);

/** This function's clients; exported so tests mock exactly the calls this function makes. */
export const sfn = new SFNClient(clientConfig());
export const cloudwatch = new CloudWatchClient(clientConfig());

/**
 * Starts (at most) one resize execution: on an ALARM transition of the alarm (SNS), or on a re-check tick
 * (EventBridge schedule) while the alarm is still in ALARM.
 */
export async function handler(event: unknown): Promise<TriggerOutcome[]> {
  // Validated whole before any AWS call.
  const tick = isScheduledEvent(event) ? parseOwnSchedule(event, env.RECHECK_RULE_ARN) : undefined;
  const alarms = tick === undefined ? parseAlarmEvent(event) : [];
  const outcomes: TriggerOutcome[] = [];
  try {
    if (tick !== undefined) outcomes.push(await recheck({ sfn, cloudwatch }, env, tick));
    for (const alarm of alarms) outcomes.push(await handleAlarm({ sfn }, env, alarm));
  } finally {
    // Also when a later record fails: an execution already started is counted.
    recordTriggerOutcomes(outcomes);
  }
  logger.info('trigger handled', { outcomes });
  return outcomes;
}
