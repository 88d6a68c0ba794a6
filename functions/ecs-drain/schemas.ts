import { z } from 'zod';

export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const TEST_NOTIFICATION = 'autoscaling:TEST_NOTIFICATION';

/** EC2 instance ids are also interpolated into an ECS cluster-query-language filter: keep them strict. */
const Ec2InstanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'EC2 instance id (i-...)');
const AsgName = z.string().min(1).max(255);
const HookName = z.string().regex(/^[A-Za-z0-9\-_/]{1,255}$/, 'lifecycle hook name');
const Token = z.guid();
const AccountId = z.string().regex(/^\d{12}$/, '12-digit account id');

/**
 * The message Amazon EC2 Auto Scaling publishes to a lifecycle hook's SNS/SQS notification target
 * (EC2 Auto Scaling User Guide, "Prepare to add a lifecycle hook": notification message example).
 * Origin/Destination (EC2, AutoScalingGroup, WarmPool) were added in 2021: optional for older senders.
 * NotificationMetadata is present only when the hook has metadata (older examples show it as null).
 */
export const LifecycleNotificationSchema = z.object({
  Origin: z.string().min(1).optional(),
  Destination: z.string().min(1).optional(),
  Service: z.literal('AWS Auto Scaling'),
  Time: z.iso.datetime({ offset: true }),
  AccountId,
  RequestId: z.string().min(1),
  LifecycleTransition: z.string().min(1),
  AutoScalingGroupName: AsgName,
  EC2InstanceId: Ec2InstanceId,
  LifecycleActionToken: Token,
  LifecycleHookName: HookName,
  NotificationMetadata: z.string().nullish(),
});
export type LifecycleNotification = z.infer<typeof LifecycleNotificationSchema>;

/**
 * The test message Auto Scaling sends when a notification target is set on a hook
 * (`"Event": "autoscaling:TEST_NOTIFICATION"`). Some senders also put it in LifecycleTransition.
 */
const TestNotificationSchema = z.object({
  Event: z.literal(TEST_NOTIFICATION),
  AccountId,
  AutoScalingGroupName: AsgName,
  AutoScalingGroupARN: z.string().startsWith('arn:'),
  RequestId: z.string().min(1),
  Service: z.literal('AWS Auto Scaling'),
  Time: z.iso.datetime({ offset: true }),
});
type TestNotification = z.infer<typeof TestNotificationSchema>;

/**
 * Either message. A message with an `Event` key is judged as a test notification, anything else as a lifecycle
 * notification, so a bad message is reported against the shape it was meant to have (a plain union would
 * only say "invalid input").
 */
export const AutoScalingMessageSchema = z
  .unknown()
  .transform((value, ctx): TestNotification | LifecycleNotification => {
    const isTest = typeof value === 'object' && value !== null && 'Event' in value;
    const parsed = isTest
      ? TestNotificationSchema.safeParse(value)
      : LifecycleNotificationSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
export type AutoScalingMessage = z.infer<typeof AutoScalingMessageSchema>;

export const CHECK_MESSAGE_KIND = 'ecs-drain-check';

/**
 * The re-check this function sends to its own delay queue while tasks still run on the instance.
 * Everything a check needs travels in the message, so any invocation can pick the chain up.
 */
export const DrainCheckMessageSchema = z.object({
  kind: z.literal(CHECK_MESSAGE_KIND),
  version: z.literal(1),
  autoScalingGroupName: AsgName,
  lifecycleHookName: HookName,
  lifecycleActionToken: Token,
  ec2InstanceId: Ec2InstanceId,
  /** RequestId of the lifecycle notification, for correlating logs. */
  requestId: z.string().min(1),
  /** When the instance entered Terminating:Wait (the notification's Time, or the first check if that was later). */
  drainStartedAt: z.iso.datetime(),
  /** drainStartedAt + MAX_DRAIN_SECONDS at the first check; fixed for the whole chain. */
  deadline: z.iso.datetime(),
  /** 1-based number of the check this message asks for. */
  check: z.number().int().min(1),
});
export type DrainCheckMessage = z.infer<typeof DrainCheckMessageSchema>;
