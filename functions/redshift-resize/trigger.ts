import { z } from 'zod';
import { InvalidEventError } from '../shared/errors';
import { logger } from '../shared/logger';
import { parseEvent } from '../shared/parse';
import type { TriggerEnv } from './env';
import { executionNameFor } from './identifiers';
import { startRun, type TriggerClients, type TriggerOutcome } from './start-run';

/**
 * A CloudWatch alarm state-change notification as delivered in an SNS Message (shape from the CloudWatch
 * documentation, "Using Amazon CloudWatch alarms" / Amazon SNS notification). Region is a display name
 * ("EU (Ireland)"), not a region code. Unknown fields are ignored.
 */
const AlarmNotificationSchema = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().regex(/^\d{12}$/),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: z.string().optional(),
  StateChangeTime: z.string().min(1),
  Region: z.string().min(1),
  AlarmArn: z.string().optional(),
  OldStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  Trigger: z.object({
    MetricName: z.string().optional(),
    Namespace: z.string().optional(),
    Dimensions: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  }),
});
type AlarmNotification = z.infer<typeof AlarmNotificationSchema>;

/**
 * The part of the SNS event (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html) the trigger reads:
 * each record's Message and MessageId. Signature, certificate and unsubscribe URLs, topic and timestamp are
 * never read, so they are not checked: the Lambda console's sample event carries placeholders there.
 */
const SnsMessagesSchema = z.object({
  Records: z
    .array(z.object({ Sns: z.object({ MessageId: z.string().min(1), Message: z.string() }) }))
    .min(1),
});

/** Validates the SNS event and every alarm notification in it before any AWS call. */
export function parseAlarmEvent(event: unknown): AlarmNotification[] {
  const envelope = parseEvent(SnsMessagesSchema, event, 'an SNS event');
  return envelope.Records.map((record) => {
    let message: unknown;
    try {
      message = JSON.parse(record.Sns.Message);
    } catch (error) {
      throw new InvalidEventError(`SNS message ${record.Sns.MessageId} is not JSON`, {
        cause: error,
      });
    }
    const alarm = parseEvent(
      AlarmNotificationSchema,
      message,
      `a CloudWatch alarm notification in SNS message ${record.Sns.MessageId}`,
    );
    parseStateChangeTime(alarm.StateChangeTime); // fail here, before any AWS call, not halfway through
    return alarm;
  });
}

/**
 * Starts one resize execution for an ALARM transition of the configured alarm. At most one execution runs at
 * a time (the state machine serves one cluster); the execution name is derived from the cluster and the
 * alarm's StateChangeTime, so a repeated delivery of the same notification cannot start a second one.
 */
export async function handleAlarm(
  clients: TriggerClients,
  env: TriggerEnv,
  alarm: AlarmNotification,
): Promise<TriggerOutcome> {
  const ignored = reasonToIgnore(env, alarm);
  if (ignored !== undefined) {
    logger.info('alarm notification ignored', {
      reason: ignored,
      alarmName: alarm.AlarmName,
      newState: alarm.NewStateValue,
    });
    return { outcome: 'IGNORED', reason: ignored };
  }
  const changedAt = parseStateChangeTime(alarm.StateChangeTime);
  return startRun(clients, env, {
    executionName: executionNameFor(env.CLUSTER_ID, changedAt),
    input: {
      clusterId: env.CLUSTER_ID,
      source: 'alarm',
      alarmName: alarm.AlarmName,
      stateChangeTime: changedAt.toISOString(),
      reason: alarm.NewStateReason ?? null,
    },
  });
}

function reasonToIgnore(env: TriggerEnv, alarm: AlarmNotification): string | undefined {
  if (env.TRIGGER === 'none') return 'redshift_trigger is "none": runs start only by hand';
  if (alarm.AlarmName !== env.ALARM_NAME)
    return `alarm ${alarm.AlarmName} is not the configured alarm ${env.ALARM_NAME}`;
  if (alarm.NewStateValue !== 'ALARM') return `new state is ${alarm.NewStateValue}, not ALARM`;
  const cluster = alarm.Trigger.Dimensions?.find((d) => d.name === 'ClusterIdentifier')?.value;
  if (cluster !== undefined && cluster !== env.CLUSTER_ID)
    return `alarm watches cluster ${cluster}, not ${env.CLUSTER_ID}`;
  return undefined;
}

/** CloudWatch writes StateChangeTime as "2024-01-01T00:05:00.123+0000" (offset without a colon). */
export function parseStateChangeTime(raw: string): Date {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/.exec(
      raw,
    );
  if (m === null)
    throw new InvalidEventError(
      `StateChangeTime ${JSON.stringify(raw)} is not an ISO 8601 timestamp`,
    );
  const [, y, mo, d, h, mi, s, frac = '0', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(
    `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}${offset}`,
  );
  if (Number.isNaN(date.getTime()))
    throw new InvalidEventError(`StateChangeTime ${JSON.stringify(raw)} is not a valid time`);
  return date;
}
