import { randomUUID } from 'node:crypto';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  StartTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import type { LifecycleAction } from '../stand-ins/autoscaling';
import { functionOf, resourceOf } from './deployed';
import { snsDelivery, sqsDelivery } from './deliveries';
import type { Invocation } from './invoke';
import type { Scenario } from './scenario';

const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
/** The standalone task's grace ends this many seconds after the first check (the notification is dated back). */
const GRACE_LEFT_SECONDS = 3;
/**
 * The one environment change: re-checks every 5 s (the schema's minimum) instead of the applied 30 s, since
 * the emulator's SQS honours DelaySeconds and the scenario waits for every re-check.
 */
const OVERRIDDEN = { CHECK_INTERVAL_SECONDS: '5' };
const MAX_ROUNDS = 6;

export interface TaskState {
  readonly lastStatus: string;
  readonly desiredStatus: string;
  readonly stoppedReason: string;
}

export interface QueueDepth {
  readonly visible: number;
  readonly delayed: number;
}

export interface IgnoredRun {
  readonly kind: 'test' | 'launching';
  readonly invocation: Invocation;
  readonly instanceStatus: string;
  readonly queue: QueueDepth;
  readonly autoScalingCalls: string[];
}

export interface DrainRound {
  /** `check` of the re-check message read from the queue. */
  readonly check: number;
  /** Seconds between sending and first receiving it (its delay, give or take a poll). */
  readonly waitedSeconds: number;
  /** Service tasks the scenario stopped before it, as ECS moves them off a DRAINING instance. */
  readonly stoppedBefore: string[];
  readonly invocation: Invocation;
}

export interface DrainObserved {
  readonly overridden: Record<string, string>;
  readonly instance: { readonly ec2InstanceId: string; readonly arn: string };
  readonly other: { readonly ec2InstanceId: string; readonly arn: string };
  readonly serviceTasks: string[];
  readonly standaloneTask: string;
  readonly otherTask: string;
  readonly ignored: IgnoredRun[];
  readonly notification: {
    readonly invocation: Invocation;
    readonly status: string;
    readonly otherStatus: string;
    readonly queue: QueueDepth;
  };
  readonly rounds: DrainRound[];
  readonly action?: LifecycleAction;
  readonly tasks: Record<string, TaskState>;
  readonly queueAfter: QueueDepth;
  readonly ledger?: Record<string, unknown>;
}

/**
 * ECS drain on the applied stack: two instances of the deployed group registered in the deployed cluster (the
 * emulator's ECS API), service tasks and one standalone task on the one Auto Scaling terminates; its terminating
 * notification (wrapped as SNS delivers it from the hook's topic) goes to the drain zip, then the re-checks it
 * queues are read from the deployed queue and delivered as the SQS event source mapping does, while the
 * service tasks stop. Lifecycle actions are the stand-in's (moto lacks them).
 */
export const drainScenario: Scenario = async (ctx) => {
  const drain = functionOf(ctx.functions, 'ecs-drain-drain');
  const env = drain.environment;
  const cluster = String(env.CLUSTER_NAME);
  const queueUrl = String(env.CHECK_QUEUE_URL);
  const sub = resourceOf(
    ctx.resources,
    'aws_sns_topic_subscription',
    (a) => a.endpoint === drain.arn,
  );
  const topicArn = String(sub.topic_arn);
  const hook = resourceOf(
    ctx.resources,
    'aws_autoscaling_lifecycle_hook',
    (a) => a.notification_target_arn === topicArn && a.lifecycle_transition === TERMINATING,
  );
  const queue = resourceOf(ctx.resources, 'aws_sqs_queue', (a) => a.url === queueUrl);
  const service = resourceOf(ctx.resources, 'aws_ecs_service', (a) => a.cluster !== undefined);
  const group = String(hook.autoscaling_group_name);
  const aws = {
    endpoint: ctx.endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
  };
  const ecs = new ECSClient(aws);
  const sqs = new SQSClient(aws);
  const fn = ctx.start({ ...drain, environment: { ...env, ...OVERRIDDEN } });

  // moto moves a task one lifecycle step per DescribeTasks by default: tasks stop only when stopped here.
  await motoTransition(ctx.endpoint, 'set-transition', { progression: 'manual', times: 1e9 });
  const registered: string[] = [];
  const started: string[] = [];
  try {
    const register = async (ec2InstanceId: string) => {
      const out = await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster,
          instanceIdentityDocument: JSON.stringify({
            instanceId: ec2InstanceId,
            region: EMULATOR_REGION,
          }),
        }),
      );
      const arn = out.containerInstance?.containerInstanceArn ?? '';
      registered.push(arn);
      return { ec2InstanceId, arn };
    };
    // Two instances of the deployed group (the emulator launched them for its desired capacity).
    const groups = await new AutoScalingClient(aws).send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
    );
    const members = (groups.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => i.InstanceId ?? '');
    if (members.length < 2)
      throw new Error(`group ${group} has ${members.length} instances, not 2`);
    const [instance, other] = await Promise.all([register(members[0]!), register(members[1]!)]);
    const start = async (on: string, group: string, startedBy?: string) => {
      const out = await ecs.send(
        new StartTaskCommand({
          cluster,
          taskDefinition: String(service.task_definition),
          containerInstances: [on],
          group,
          ...(startedBy ? { startedBy } : {}),
        }),
      );
      const arn = out.tasks?.[0]?.taskArn ?? '';
      started.push(arn);
      return arn;
    };
    const svcGroup = `service:${String(service.name)}`;
    const serviceTasks = [
      await start(instance.arn, svcGroup, 'ecs-svc/1234567890123456789'),
      await start(instance.arn, svcGroup, 'ecs-svc/1234567890123456789'),
    ];
    const standaloneTask = await start(instance.arn, 'family:nightly-report');
    const otherTask = await start(other.arn, svcGroup, 'ecs-svc/1234567890123456789');

    const status = async (arn: string) =>
      (
        await ecs.send(
          new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }),
        )
      ).containerInstances?.[0]?.status ?? 'MISSING';
    const depth = async (): Promise<QueueDepth> => {
      const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] as const;
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }),
      );
      return {
        visible: Number(out.Attributes?.[names[0]]),
        delayed: Number(out.Attributes?.[names[1]]),
      };
    };
    const deliver = (subject: string, message: Record<string, unknown>) =>
      fn.invoke(snsDelivery(String(sub.arn), topicArn, subject, message));
    const header = {
      AccountId: topicArn.split(':')[4],
      RequestId: randomUUID(),
      AutoScalingGroupName: group,
      Service: 'AWS Auto Scaling',
    };

    // Ignored: the test notification the hook's creation sends, and a launching transition of the same instance.
    const ignored: IgnoredRun[] = [];
    const ignoredRun = async (kind: IgnoredRun['kind'], message: Record<string, unknown>) => {
      const seen = ctx.records().length;
      const invocation = await deliver(`Auto Scaling: ${kind}`, message);
      const autoScalingCalls = ctx
        .records()
        .slice(seen)
        .filter((r) => r.service === 'autoscaling')
        .map((r) => r.operation);
      ignored.push({
        kind,
        invocation,
        instanceStatus: await status(instance.arn),
        queue: await depth(),
        autoScalingCalls,
      });
    };
    await ignoredRun('test', {
      ...header,
      Event: 'autoscaling:TEST_NOTIFICATION',
      Time: new Date().toISOString(),
    });
    await ignoredRun('launching', {
      ...header,
      Origin: 'EC2',
      Destination: 'AutoScalingGroup',
      LifecycleHookName: String(hook.name),
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      EC2InstanceId: instance.ec2InstanceId,
      LifecycleActionToken: randomUUID(),
      Time: new Date().toISOString(),
    });

    // The instance enters Terminating:Wait: the stand-in holds the action; its notification goes out.
    const token = await enterWait(ctx.endpoint, group, String(hook.name), instance.ec2InstanceId);
    const grace = Number(env.STANDALONE_TASK_GRACE_SECONDS);
    const invocation = await deliver(
      `Auto Scaling:  Lifecycle action 'TERMINATING' for instance ${instance.ec2InstanceId} in progress.`,
      {
        ...header,
        Origin: 'AutoScalingGroup',
        Destination: 'EC2',
        LifecycleHookName: String(hook.name),
        LifecycleTransition: TERMINATING,
        EC2InstanceId: instance.ec2InstanceId,
        LifecycleActionToken: token,
        Time: new Date(Date.now() - (grace - GRACE_LEFT_SECONDS) * 1000).toISOString(),
      },
    );
    const notification = {
      invocation,
      status: await status(instance.arn),
      otherStatus: await status(other.arn),
      queue: await depth(),
    };

    // Re-checks, read from the deployed queue; the service tasks stop one per round, as ECS moves them.
    const rounds: DrainRound[] = [];
    const toStop = [...serviceTasks];
    let action = await lifecycleAction(ctx.endpoint, token);
    while (action?.state === 'waiting' && rounds.length < MAX_ROUNDS) {
      const stoppedBefore = toStop.splice(0, 1);
      for (const task of stoppedBefore)
        await ecs.send(
          new StopTaskCommand({ cluster, task, reason: 'Service draining (scenario)' }),
        );
      const message = await receiveOne(sqs, queueUrl, 20);
      if (!message) break;
      const sent = Number(message.Attributes?.SentTimestamp);
      const first = Number(message.Attributes?.ApproximateFirstReceiveTimestamp);
      const result = await fn.invoke(sqsDelivery(String(queue.arn), [message]));
      const failed =
        result.ok &&
        (result.result as { batchItemFailures?: unknown[] } | null)?.batchItemFailures?.length;
      // Lambda deletes what the batch did not report failed.
      if (result.ok && !failed)
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      rounds.push({
        check: Number((JSON.parse(message.Body ?? '{}') as { check?: number }).check),
        waitedSeconds: Math.round((first - sent) / 100) / 10,
        stoppedBefore,
        invocation: result,
      });
      action = await lifecycleAction(ctx.endpoint, token);
    }

    const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: started }));
    const tasks = Object.fromEntries(
      (described.tasks ?? []).map((t) => [
        t.taskArn ?? '',
        {
          lastStatus: t.lastStatus ?? '',
          desiredStatus: t.desiredStatus ?? '',
          stoppedReason: t.stoppedReason ?? '',
        },
      ]),
    );
    const ddb = new DynamoDBClient(aws);
    const item = await ddb.send(
      new GetItemCommand({
        TableName: String(env.LEDGER_TABLE_NAME),
        Key: { action_token: { S: token } },
      }),
    );
    const observed: DrainObserved = {
      overridden: OVERRIDDEN,
      instance,
      other,
      serviceTasks,
      standaloneTask,
      otherTask,
      ignored,
      notification,
      rounds,
      ...(action ? { action } : {}),
      tasks,
      queueAfter: await depth(),
      ...(item.Item ? { ledger: item.Item } : {}),
    };
    return observed;
  } finally {
    // Nothing of the scenario may stay: the cluster's destroy needs its instances gone.
    for (const task of started)
      await ecs.send(new StopTaskCommand({ cluster, task })).catch(() => undefined);
    for (const containerInstance of registered)
      await ecs.send(
        new DeregisterContainerInstanceCommand({ cluster, containerInstance, force: true }),
      );
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    await motoTransition(ctx.endpoint, 'unset-transition');
  }
};

/** moto's state manager (https://docs.getmoto.org/en/latest/docs/configuration/state_transition/index.html). */
async function motoTransition(endpoint: string, op: string, transition?: object): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/state-manager/${op}`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'ecs::task', ...(transition ? { transition } : {}) }),
  });
  if (!res.ok) throw new Error(`moto ${op}: ${res.status} ${await res.text()}`);
}

async function enterWait(
  endpoint: string,
  group: string,
  hook: string,
  ec2: string,
): Promise<string> {
  const res = await fetch(`${endpoint}/_stand-ins/autoscaling/lifecycle-actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      AutoScalingGroupName: group,
      LifecycleHookName: hook,
      EC2InstanceId: ec2,
    }),
  });
  if (!res.ok) throw new Error(`lifecycle action: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { LifecycleActionToken: string }).LifecycleActionToken;
}

async function lifecycleAction(
  endpoint: string,
  token: string,
): Promise<LifecycleAction | undefined> {
  const res = await fetch(`${endpoint}/_stand-ins/autoscaling/lifecycle-actions`);
  return ((await res.json()) as LifecycleAction[]).find((a) => a.token === token);
}

/** The next message of the queue, long-polling up to `seconds` (a delayed one appears when its delay ends). */
async function receiveOne(sqs: SQSClient, queueUrl: string, seconds: number) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (out.Messages?.[0]) return out.Messages[0];
  }
  return undefined;
}
