import { z } from 'zod';

export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const TEST_NOTIFICATION = 'autoscaling:TEST_NOTIFICATION';

/** EC2 instance ids are also interpolated into an ECS cluster-query-language filter: keep them strict. */
const Ec2InstanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'EC2 instance id (i-...)');
const AsgName = z.string().min(1).max(255);
const HookName = z.string().regex(/^[A-Za-z0-9\-_/]{1,255}$/, 'lifecycle hook name');
const Token = z.guid();

/**
 * The terminating-instance notification Amazon EC2 Auto Scaling publishes to a lifecycle hook's target
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/prepare-for-lifecycle-notifications.html), holding
 * only the fields the drain uses: Origin, Destination, Service, AccountId and NotificationMetadata are
 * neither read nor judged.
 */
export const LifecycleNotificationSchema = z.object({
  Time: z.iso.datetime({ offset: true }),
  RequestId: z.string().min(1),
  LifecycleTransition: z.literal(TERMINATING),
  AutoScalingGroupName: AsgName,
  EC2InstanceId: Ec2InstanceId,
  LifecycleActionToken: Token,
  LifecycleHookName: HookName,
});
export type LifecycleNotification = z.infer<typeof LifecycleNotificationSchema>;

/** What a message says of itself, read before anything else is judged. */
const HeaderSchema = z.object({
  Event: z.string().optional(),
  LifecycleTransition: z.string().optional(),
  AutoScalingGroupName: z.string().optional(),
  EC2InstanceId: z.string().optional(),
  RequestId: z.string().optional(),
});

/**
 * A message on the hook's topic, classified before its details are judged: the test notification Auto
 * Scaling sends when the hook's target is set (`"Event": "autoscaling:TEST_NOTIFICATION"`), any other
 * notification (another transition, or a plain group notification with an `Event`), both ignored with a
 * log line however their other fields look, or a terminating notification, which must hold every field the
 * drain uses.
 */
export type AutoScalingMessage =
  | { readonly kind: 'test'; readonly header: z.infer<typeof HeaderSchema> }
  | { readonly kind: 'not-ours'; readonly header: z.infer<typeof HeaderSchema> }
  | { readonly kind: 'terminating'; readonly notification: LifecycleNotification };

export const AutoScalingMessageSchema = z.unknown().transform((value, ctx): AutoScalingMessage => {
  const header = HeaderSchema.safeParse(value);
  const about = header.success ? header.data : undefined;
  if (about?.Event === TEST_NOTIFICATION) return { kind: 'test', header: about };
  if (about?.Event !== undefined) return { kind: 'not-ours', header: about };
  if (about?.LifecycleTransition !== undefined && about.LifecycleTransition !== TERMINATING)
    return { kind: 'not-ours', header: about };
  const parsed = LifecycleNotificationSchema.safeParse(value);
  if (parsed.success) return { kind: 'terminating', notification: parsed.data };
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

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
  /** When a check first found the instance's container agent disconnected (absent while connected). */
  agentDisconnectedSince: z.iso.datetime().optional(),
});
export type DrainCheckMessage = z.infer<typeof DrainCheckMessageSchema>;
