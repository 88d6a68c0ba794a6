import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { logger } from '../shared/logger';
import type { TriggerEnv } from './env';
import { executionNameFor } from './identifiers';
import { startRun, type TriggerClients, type TriggerOutcome } from './start-run';

interface RecheckClients extends TriggerClients {
  readonly cloudwatch: CloudWatchClient;
}

/**
 * The re-check schedule's tick. CloudWatch performs alarm actions only on state transitions
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions),
 * so an alarm that stays in ALARM after a skipped or insufficient run never notifies again: the schedule
 * asks DescribeAlarms for the alarm in state ALARM and, while it is, starts a run (one per tick at most;
 * the guard then decides, bounded by the cooldown and the resizes-per-day limit).
 */
export async function recheck(
  clients: RecheckClients,
  env: TriggerEnv,
  tick: { readonly time: string },
): Promise<TriggerOutcome> {
  if (env.TRIGGER === 'none')
    return { outcome: 'IGNORED', reason: 'redshift_trigger is "none": runs start only by hand' };
  const inAlarm = await clients.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [env.ALARM_NAME], StateValue: 'ALARM' }),
  );
  const alarm = inAlarm.MetricAlarms?.find((a) => a.AlarmName === env.ALARM_NAME);
  if (alarm === undefined) {
    logger.info('re-check: the alarm is not in ALARM; nothing to do', {
      alarmName: env.ALARM_NAME,
    });
    return { outcome: 'IGNORED', reason: `alarm ${env.ALARM_NAME} is not in ALARM` };
  }
  const at = new Date(tick.time);
  return startRun(clients, env, {
    executionName: executionNameFor(env.CLUSTER_ID, at, 'recheck'),
    input: {
      clusterId: env.CLUSTER_ID,
      source: 'recheck',
      alarmName: env.ALARM_NAME,
      stateChangeTime: alarm.StateUpdatedTimestamp?.toISOString() ?? null,
      reason: alarm.StateReason ?? null,
    },
  });
}

/** A scheduled event (EventBridge), as opposed to an SNS event (which has Records). */
export const isScheduledEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'detail-type' in event;
