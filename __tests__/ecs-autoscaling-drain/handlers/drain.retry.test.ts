/**
 * Throttling with REAL ECS and Auto Scaling clients (built by the handler's own factories) over fake HTTP
 * endpoints, so the SDK's retry middleware actually runs (aws-sdk-client-mock would bypass it). The clients
 * are also wrapped by aws-sdk-client-mock with callThrough, only to record the commands for the IAM proof.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { createAutoScalingClient, createEcsClient } from '../../../functions/ecs-drain/clients';
import { DrainEnvSchema } from '../../../functions/ecs-drain/config';
import { type DrainDeps, startDrain } from '../../../functions/ecs-drain/drain';
import { LifecycleNotificationSchema } from '../../../functions/ecs-drain/schemas';
import { readEnv } from '../../../functions/shared/env';
import { WORLD } from '../../support/deployment';
import { DRAIN_ENV } from '../fixtures/env';
import { NOTIFICATION_TIME_MS, TERMINATING_MESSAGE } from '../fixtures/events';
import {
  AUTO_SCALING_THROTTLING,
  ECS_THROTTLING,
  FAKE_CREDENTIALS,
  FakeAutoScalingHttp,
  FakeEcsHttp,
  FastRecordingRetryStrategy,
} from '../fixtures/fake-http';
import {
  CLUSTER,
  containerInstanceArn,
  INSTANCE_ID,
  resourceTags,
  taskArn,
} from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const recorded: Array<AwsStub<any, any, any>> = [];
recordIamCalls('ecs-drain-drain', recorded, resourceTags);

const MAX_ATTEMPTS = 3;
const CONFIG = readEnv(DrainEnvSchema, { ...DRAIN_ENV });
const NOTIFICATION = LifecycleNotificationSchema.parse(TERMINATING_MESSAGE);
const CI = containerInstanceArn('c1');
const TASK = taskArn('t1');

/** A cluster where the instance either never joined, or runs one service task. */
function ecsAnswers(joined: boolean) {
  return (operation: string): unknown => {
    switch (operation) {
      case 'ListContainerInstances':
        return { containerInstanceArns: joined ? [CI] : [] };
      case 'DescribeContainerInstances':
        return {
          containerInstances: [
            { containerInstanceArn: CI, ec2InstanceId: INSTANCE_ID, status: 'ACTIVE' },
          ],
          failures: [],
        };
      case 'UpdateContainerInstancesState':
        return {
          containerInstances: [
            { containerInstanceArn: CI, ec2InstanceId: INSTANCE_ID, status: 'DRAINING' },
          ],
          failures: [],
        };
      case 'ListTasks':
        return { taskArns: [TASK] };
      case 'DescribeTasks':
        return {
          tasks: [
            {
              taskArn: TASK,
              group: 'service:web',
              startedBy: 'ecs-svc/1',
              desiredStatus: 'RUNNING',
              lastStatus: 'RUNNING',
            },
          ],
          failures: [],
        };
      default:
        throw new Error(`fake ECS does not answer ${operation}`);
    }
  };
}

let ecsHttp: FakeEcsHttp;
let asHttp: FakeAutoScalingHttp;
let ecsRetry: FastRecordingRetryStrategy;
let asRetry: FastRecordingRetryStrategy;
let deps: DrainDeps;

function setUp(joined: boolean): void {
  ecsHttp = new FakeEcsHttp(ecsAnswers(joined));
  asHttp = new FakeAutoScalingHttp(() => ({}));
  ecsRetry = new FastRecordingRetryStrategy(MAX_ATTEMPTS);
  asRetry = new FastRecordingRetryStrategy(MAX_ATTEMPTS);
  const common = { region: WORLD.region, credentials: FAKE_CREDENTIALS };
  const ecs: ECSClient = createEcsClient({
    ...common,
    requestHandler: ecsHttp,
    retryStrategy: ecsRetry,
  });
  const autoScaling: AutoScalingClient = createAutoScalingClient({
    ...common,
    requestHandler: asHttp,
    retryStrategy: asRetry,
  });
  const ecsMock = mockClient(ecs);
  ecsMock.send.callThrough();
  const asMock = mockClient(autoScaling);
  asMock.send.callThrough();
  const sqsMock = mockClient(SQSClient);
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  recorded.splice(0, recorded.length, ecsMock, asMock, sqsMock);
  deps = {
    ecs,
    autoScaling,
    sqs: new SQSClient(common),
    config: CONFIG,
    now: () => NOTIFICATION_TIME_MS + 2000,
  };
}

afterEach(() => {
  for (const mock of recorded) mock.restore();
});

test('ECS ThrottlingException and Auto Scaling Throttling are retried, then the action completes', async () => {
  // Prepare
  setUp(false);
  ecsHttp.failNext('ListContainerInstances', ECS_THROTTLING, ECS_THROTTLING);
  asHttp.failNext('CompleteLifecycleAction', AUTO_SCALING_THROTTLING);

  // Act
  const result = await startDrain(deps, NOTIFICATION);

  // Assess
  expect(result).toEqual({ status: 'completed', outcome: 'NotInCluster', remainingTasks: 0 });
  expect(ecsHttp.count('ListContainerInstances')).toBe(3);
  expect(ecsHttp.requests[0]?.input).toEqual({
    cluster: CLUSTER,
    filter: `ec2InstanceId == ${INSTANCE_ID}`,
  });
  expect(asHttp.count('CompleteLifecycleAction')).toBe(2);
  expect(asHttp.requests.at(-1)?.input).toMatchObject({
    LifecycleActionResult: 'CONTINUE',
    InstanceId: INSTANCE_ID,
  });
  expect(ecsRetry.decisions).toEqual([
    { code: 'ThrottlingException', errorType: 'THROTTLING', retried: true },
    { code: 'ThrottlingException', errorType: 'THROTTLING', retried: true },
  ]);
  expect(asRetry.decisions).toEqual([
    { code: 'Throttling', errorType: 'THROTTLING', retried: true },
  ]);
});

test('a throttled DRAINING update is retried and the check goes on to queue the next one', async () => {
  // Prepare
  setUp(true);
  ecsHttp.failNext('UpdateContainerInstancesState', ECS_THROTTLING);
  asHttp.failNext('RecordLifecycleActionHeartbeat', AUTO_SCALING_THROTTLING);

  // Act
  const result = await startDrain(deps, NOTIFICATION);

  // Assess
  expect(result).toEqual({
    status: 'waiting',
    remainingTasks: 1,
    nextCheck: 2,
    delaySeconds: CONFIG.checkIntervalSeconds,
  });
  expect(ecsHttp.count('UpdateContainerInstancesState')).toBe(2);
  expect(asHttp.count('RecordLifecycleActionHeartbeat')).toBe(2);
  expect(ecsRetry.decisions).toEqual([
    { code: 'ThrottlingException', errorType: 'THROTTLING', retried: true },
  ]);
});

test('when throttling outlasts the retries the check fails and nothing is completed', async () => {
  // Prepare
  setUp(false);
  ecsHttp.failNext('ListContainerInstances', ECS_THROTTLING, ECS_THROTTLING, ECS_THROTTLING);

  // Act
  const result = startDrain(deps, NOTIFICATION);

  // Assess
  await expect(result).rejects.toMatchObject({ name: 'ThrottlingException' });
  expect(ecsHttp.count('ListContainerInstances')).toBe(MAX_ATTEMPTS);
  expect(ecsRetry.decisions.at(-1)).toEqual({
    code: 'ThrottlingException',
    errorType: 'THROTTLING',
    retried: false,
  });
  expect(asHttp.requests).toHaveLength(0);
});
