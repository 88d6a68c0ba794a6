import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from '@aws-sdk/client-ecs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { InvalidEventError } from '../../../functions/shared/errors';
import {
  LAUNCHING_MESSAGE,
  NOTIFICATION_TIME_MS,
  snsEvent,
  sqsEvent,
  TERMINATING_MESSAGE,
  TEST_NOTIFICATION_MESSAGE,
  terminatingMessage,
} from '../fixtures/events';
import { DRAIN_ENV } from '../fixtures/env';
import { WORLD } from '../../support/deployment';
import {
  ASG_NAME,
  CLUSTER,
  containerInstanceArn,
  createMocks,
  DrainWorld,
  HOOK_NAME,
  INSTANCE_ID,
  resourceTags,
  TOKEN,
} from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

type Handler = typeof import('../../../functions/ecs-drain/drain.handler').handler;
const HANDLER = '../../../functions/ecs-drain/drain.handler';

const mocks = createMocks();
recordIamCalls('ecs-drain-drain', Object.values(mocks), resourceTags);

const context = { functionName: 'ecs-drain-drain', awsRequestId: 'req-1' } as Context;
const INTERVAL = Number(DRAIN_ENV.CHECK_INTERVAL_SECONDS);
const MAX_DRAIN = Number(DRAIN_ENV.MAX_DRAIN_SECONDS);
const GRACE = Number(DRAIN_ENV.STANDALONE_TASK_GRACE_SECONDS);

const savedEnv = { ...process.env };
let handler: Handler;
let world: DrainWorld;
let nowMs: number;
let addMetric: jest.SpyInstance;
let addDimension: jest.SpyInstance;

/** Seconds since the instance entered Terminating:Wait (the notification's Time). */
const at = (seconds: number) => {
  nowMs = NOTIFICATION_TIME_MS + seconds * 1000;
};

/** Every metric the function emitted, with the dimensions set on the same (single-metric) instance. */
function emittedMetrics() {
  return addMetric.mock.calls.map((args: unknown[], i: number) => {
    const self = addMetric.mock.contexts[i];
    const dimensions = Object.fromEntries(
      addDimension.mock.calls.filter(
        (_: unknown, j: number) => addDimension.mock.contexts[j] === self,
      ),
    ) as Record<string, string>;
    return { name: args[0] as string, value: args[2] as number, dimensions };
  });
}

const outcomes = () =>
  emittedMetrics()
    .filter((m) => m.name === 'DrainOutcome')
    .map((m) => m.dimensions.Outcome);

async function deliverLastCheck(): Promise<SQSBatchResponse> {
  return (await handler(world.lastCheckAsSqsEvent(), context)) as SQSBatchResponse;
}

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: WORLD.region }, DRAIN_ENV);
  ({ handler } = await import(HANDLER));
});
afterAll(() => {
  process.env = savedEnv;
});

beforeEach(() => {
  world = new DrainWorld(mocks);
  at(2);
  jest.spyOn(Date, 'now').mockImplementation(() => nowMs);
  addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
  addDimension = jest.spyOn(Metrics.prototype, 'addDimension');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('finding the container instance', () => {
  it('completes the lifecycle action at once when the instance never joined the cluster', async () => {
    // Prepare: the cluster has no container instance for the terminating EC2 instance.

    // Act
    await handler(snsEvent(TERMINATING_MESSAGE), context);

    // Assess
    expect(world.ecs.commandCalls(ListContainerInstancesCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      filter: `ec2InstanceId == ${INSTANCE_ID}`,
    });
    expect(world.completions).toEqual([
      {
        AutoScalingGroupName: ASG_NAME,
        LifecycleHookName: HOOK_NAME,
        LifecycleActionToken: TOKEN,
        InstanceId: INSTANCE_ID,
        LifecycleActionResult: 'CONTINUE',
      },
    ]);
    expect(world.ecs.commandCalls(UpdateContainerInstancesStateCommand)).toHaveLength(0);
    expect(world.sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(outcomes()).toEqual(['NotInCluster']);
  });

  it('reads every page of ListContainerInstances before deciding the instance is there', async () => {
    // Prepare: the filter's first two pages come back empty with a nextToken, the match is on the third.
    world.emptyInstancePages = 2;
    const ci = world.addInstance('c1');
    world.addServiceTask('t1');

    // Act
    await handler(snsEvent(TERMINATING_MESSAGE), context);

    // Assess
    expect(world.instancePageTokens).toEqual([undefined, 'page-1', 'page-2']);
    expect(world.ecs.commandCalls(DescribeContainerInstancesCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      containerInstances: [ci],
    });
    expect(world.instance(ci)?.status).toBe('DRAINING');
    expect(world.completions).toHaveLength(0);
  });
});

describe('draining', () => {
  it('sets DRAINING, waits for the service tasks to stop, then completes with CONTINUE', async () => {
    // Prepare
    const ci = world.addInstance('c1');
    world.addServiceTask('t1');
    world.addServiceTask('t2');
    world.addStoppedTask('old');

    // Act: first check from the SNS notification, then ECS moves the tasks, then the queued re-check.
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    const afterFirst = {
      status: world.instance(ci)?.status,
      completions: world.completions.length,
    };
    world.serviceSchedulerMovesTasks();
    world.stoppingTasksFinish();
    at(2 + INTERVAL);
    const response = await deliverLastCheck();

    // Assess
    expect(afterFirst).toEqual({ status: 'DRAINING', completions: 0 });
    expect(world.ecs.commandCalls(UpdateContainerInstancesStateCommand)).toHaveLength(1);
    expect(world.ecs.commandCalls(UpdateContainerInstancesStateCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      containerInstances: [ci],
      status: 'DRAINING',
    });
    expect(world.ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toContainEqual({
      cluster: CLUSTER,
      containerInstance: ci,
      desiredStatus: 'STOPPED',
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.completions.map((c) => c.LifecycleActionResult)).toEqual(['CONTINUE']);
    expect(world.ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(outcomes()).toEqual(['Completed']);
    const duration = emittedMetrics().find((m) => m.name === 'DrainDurationSeconds');
    expect(duration).toEqual({
      name: 'DrainDurationSeconds',
      value: 2 + INTERVAL,
      dimensions: { Outcome: 'Completed' },
    });
  });

  it('completes on the first check when nothing runs on the instance', async () => {
    // Prepare
    const ci = world.addInstance('c1');

    // Act
    await handler(snsEvent(TERMINATING_MESSAGE), context);

    // Assess
    expect(world.instance(ci)?.status).toBe('DRAINING');
    expect(world.completions).toHaveLength(1);
    expect(world.sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(outcomes()).toEqual(['Completed']);
  });

  it('keeps re-checking with heartbeats while tasks are still stopping, carrying the same deadline', async () => {
    // Prepare: ECS has told the service tasks to stop (desiredStatus STOPPED, runningTasksCount 0),
    // but they are still deregistering from the load balancer.
    world.addInstance('c1');
    world.addServiceTask('t1');
    world.listTasksPageSize = 1;
    world.addServiceTask('t2');
    world.serviceSchedulerMovesTasks();

    // Act: the SNS check and three re-checks fed back from the queue, then the tasks stop.
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    for (let i = 1; i <= 3; i += 1) {
      at(2 + i * INTERVAL);
      await deliverLastCheck();
    }
    world.stoppingTasksFinish();
    at(2 + 4 * INTERVAL);
    await deliverLastCheck();

    // Assess
    const sent = world.sentChecks();
    expect(sent.map((s) => s.body.check)).toEqual([2, 3, 4, 5]);
    expect(sent.map((s) => s.input.DelaySeconds)).toEqual([INTERVAL, INTERVAL, INTERVAL, INTERVAL]);
    expect(sent.every((s) => s.input.QueueUrl === DRAIN_ENV.CHECK_QUEUE_URL)).toBe(true);
    expect(new Set(sent.map((s) => s.body.deadline))).toEqual(
      new Set([new Date(NOTIFICATION_TIME_MS + MAX_DRAIN * 1000).toISOString()]),
    );
    expect(sent[0]?.body).toMatchObject({
      kind: 'ecs-drain-check',
      lifecycleActionToken: TOKEN,
      ec2InstanceId: INSTANCE_ID,
      autoScalingGroupName: ASG_NAME,
      drainStartedAt: TERMINATING_MESSAGE.Time,
    });
    expect(world.heartbeats).toHaveLength(5);
    expect(world.heartbeats[0]).toEqual({
      AutoScalingGroupName: ASG_NAME,
      LifecycleHookName: HOOK_NAME,
      LifecycleActionToken: TOKEN,
      InstanceId: INSTANCE_ID,
    });
    expect(world.ecs.commandCalls(UpdateContainerInstancesStateCommand)).toHaveLength(1);
    expect(world.completions).toHaveLength(1);
    expect(world.ecs.commandCalls(DescribeTasksCommand)[0]?.args[0].input.tasks).toHaveLength(2);
  });

  it('completes with CONTINUE when the drain reaches MAX_DRAIN_SECONDS, without stopping service tasks', async () => {
    // Prepare: a service task ECS cannot move (no room elsewhere).
    world.addInstance('c1');
    const stuck = world.addServiceTask('t1');

    // Act
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    at(MAX_DRAIN - 10);
    await deliverLastCheck();
    const beforeDeadline = world.completions.length;
    at(MAX_DRAIN);
    await deliverLastCheck();

    // Assess
    expect(beforeDeadline).toBe(0);
    expect(world.sentChecks().map((s) => s.input.DelaySeconds)).toEqual([INTERVAL, 10]);
    expect(world.completions.map((c) => c.LifecycleActionResult)).toEqual(['CONTINUE']);
    expect(world.ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(world.task(stuck)?.desiredStatus).toBe('RUNNING');
    expect(outcomes()).toEqual(['TimedOut']);
    expect(world.sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });
});

describe('standalone tasks', () => {
  it('stops standalone tasks once the grace has passed and never stops service tasks', async () => {
    // Prepare
    world.addInstance('c1');
    const service = world.addServiceTask('svc');
    const standalone = world.addStandaloneTask('job');

    // Act: checks at 2s and 32s (grace not over), then at the grace.
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    at(2 + INTERVAL);
    await deliverLastCheck();
    const stopsBeforeGrace = world.ecs.commandCalls(StopTaskCommand).length;
    at(GRACE);
    await deliverLastCheck();

    // Assess
    expect(stopsBeforeGrace).toBe(0);
    expect(world.sentChecks().map((s) => s.input.DelaySeconds)).toEqual([
      INTERVAL,
      GRACE - 2 - INTERVAL,
      INTERVAL,
    ]);
    const stops = world.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
    expect(stops).toEqual([
      { cluster: CLUSTER, task: standalone, reason: expect.stringContaining(INSTANCE_ID) },
    ]);
    expect(world.task(standalone)?.stoppedReason).toMatch(/standalone task grace of 60s elapsed/);
    expect(world.task(service)?.desiredStatus).toBe('RUNNING');
    expect(emittedMetrics().filter((m) => m.name === 'StandaloneTasksStopped')).toEqual([
      { name: 'StandaloneTasksStopped', value: 1, dimensions: {} },
    ]);
    expect(world.completions).toHaveLength(0);
  });

  it('completes once the stopped standalone task has stopped and the service has moved', async () => {
    // Prepare
    world.addInstance('c1');
    world.addServiceTask('svc');
    world.addStandaloneTask('job');
    at(GRACE + 5);

    // Act
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    world.serviceSchedulerMovesTasks();
    world.stoppingTasksFinish();
    at(GRACE + 5 + INTERVAL);
    await deliverLastCheck();

    // Assess
    expect(world.ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(outcomes()).toEqual(['Completed']);
  });
});

describe('duplicates and overlapping checks', () => {
  it('treats a duplicate SNS delivery as harmless: the chains merge at the next check, one outcome', async () => {
    // Prepare
    world.addInstance('c1');
    world.addServiceTask('t1');
    const event = snsEvent(TERMINATING_MESSAGE);

    // Act: two deliveries start two chains; the tasks stop; both queued checks arrive.
    await handler(event, context);
    await handler(event, context);
    const [first, second] = world.sentChecks();
    world.serviceSchedulerMovesTasks();
    world.stoppingTasksFinish();
    at(2 + INTERVAL);
    const responses = [
      await handler(sqsEvent(first?.input.MessageBody ?? ''), context),
      await handler(sqsEvent(second?.input.MessageBody ?? ''), context),
    ];

    // Assess: the second copy of check 2 loses its claim in the ledger and makes no AWS call.
    expect(first?.body).toEqual(second?.body);
    expect(world.ecs.commandCalls(UpdateContainerInstancesStateCommand)).toHaveLength(1);
    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(world.autoScaling.commandCalls(RecordLifecycleActionHeartbeatCommand)).toHaveLength(3);
    expect(world.completions).toHaveLength(1);
    expect(outcomes()).toEqual(['Completed']);
    expect(world.sentChecks()).toHaveLength(2);
  });

  it('a notification delivered again after the drain ended completes nothing and records no second outcome', async () => {
    // Prepare: the instance is not in the cluster and the notification is delivered twice.
    const event = snsEvent(TERMINATING_MESSAGE);

    // Act
    await handler(event, context);
    const second = handler(event, context);

    // Assess
    await expect(second).resolves.toBeUndefined();
    expect(world.autoScaling.commandCalls(CompleteLifecycleActionCommand)).toHaveLength(1);
    expect(world.completions).toHaveLength(1);
    expect(outcomes()).toEqual(['NotInCluster']);
  });

  it('stops the chain without touching the instance when the lifecycle action is already over', async () => {
    // Prepare: the hook timed out (or another chain completed it) while a re-check was queued.
    const ci = world.addInstance('c1');
    world.addServiceTask('t1');
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    world.expireLifecycleAction();
    world.instance(ci)!.status = 'ACTIVE';

    // Act
    at(2 + INTERVAL);
    const response = await deliverLastCheck();

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(world.autoScaling.commandCalls(RecordLifecycleActionHeartbeatCommand)).toHaveLength(2);
    expect(world.ecs.commandCalls(UpdateContainerInstancesStateCommand)).toHaveLength(1);
    expect(world.sentChecks()).toHaveLength(1);
    expect(outcomes()).toEqual([]);
  });

  it('reports a re-check that failed so SQS retries it, without queueing another', async () => {
    // Prepare
    world.addInstance('c1');
    world.addServiceTask('t1');
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    world.ecs.on(ListTasksCommand).rejects(new Error('ECS is having a bad day'));
    const event = world.lastCheckAsSqsEvent();

    // Act
    at(2 + INTERVAL);
    const response = await handler(event, context);

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[0]?.messageId }],
    });
    expect(world.sentChecks()).toHaveLength(1);
  });
});

describe('events it does not act on', () => {
  it('ignores an Auto Scaling TEST_NOTIFICATION without any AWS call', async () => {
    // Act
    await handler(snsEvent(TEST_NOTIFICATION_MESSAGE), context);

    // Assess
    expect([...world.ecs.calls(), ...world.autoScaling.calls(), ...world.sqs.calls()]).toHaveLength(
      0,
    );
  });

  it('ignores a launching lifecycle transition without any AWS call', async () => {
    // Act
    await handler(snsEvent(LAUNCHING_MESSAGE), context);

    // Assess
    expect([...world.ecs.calls(), ...world.autoScaling.calls(), ...world.sqs.calls()]).toHaveLength(
      0,
    );
  });

  it.each([
    [
      'a message without EC2InstanceId',
      { ...TERMINATING_MESSAGE, EC2InstanceId: undefined },
      /EC2InstanceId/,
    ],
    [
      'an instance id that is not one',
      terminatingMessage({ EC2InstanceId: 'i-1 or x == y' }),
      /EC2InstanceId/,
    ],
    ['a message that is not JSON', 'Auto Scaling: something happened', /Records\.0\.Sns\.Message/],
  ])('rejects %s with InvalidEventError and no AWS call', async (_name, message, detail) => {
    // Act
    const result = handler(snsEvent(message), context);

    // Assess
    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(detail);
    expect([...world.ecs.calls(), ...world.autoScaling.calls(), ...world.sqs.calls()]).toHaveLength(
      0,
    );
  });

  it('rejects an event that is neither SNS nor SQS', async () => {
    // Act
    const result = handler({ detail: {} }, context);

    // Assess
    await expect(result).rejects.toThrow(InvalidEventError);
  });

  it('fails only the malformed re-check record of a batch and processes the others', async () => {
    // Prepare
    world.addInstance('c1');
    world.addServiceTask('t1');
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    const good = world.sentChecks()[0]?.input.MessageBody ?? '';
    const event: SQSEvent = sqsEvent(good, JSON.stringify({ kind: 'ecs-drain-check', version: 1 }));
    const checksBefore = world.heartbeats.length;

    // Act
    at(2 + INTERVAL);
    const response = await handler(event, context);

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[1]?.messageId }],
    });
    expect(world.heartbeats.length).toBe(checksBefore + 1);
    expect(containerInstanceArn('c1')).toBe(world.instances[0]?.arn);
  });
});
