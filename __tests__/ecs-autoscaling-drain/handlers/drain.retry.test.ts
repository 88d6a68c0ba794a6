/**
 * Throttling with REAL ECS and Auto Scaling clients (built by the handler's own factories) over fake HTTP
 * endpoints, so the SDK's retry middleware actually runs (aws-sdk-client-mock would bypass it).
 */
import type { AwsStub } from 'aws-sdk-client-mock';
import { startDrain } from '../../../functions/ecs-drain/drain';
import { LifecycleNotificationSchema } from '../../../functions/ecs-drain/schemas';
import { recordIamCalls } from '../../support/iam-recorder';
import { TERMINATING_MESSAGE } from '../fixtures/events';
import { AUTO_SCALING_THROTTLING, ECS_THROTTLING } from '../fixtures/fake-http';
import { WIRE_CONFIG, WireWorld } from '../fixtures/wire-world';
import { CLUSTER, INSTANCE_ID, resourceTags } from '../fixtures/world';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const recorded: Array<AwsStub<any, any, any>> = [];
recordIamCalls('ecs-drain-drain', recorded, resourceTags);

const MAX_ATTEMPTS = 3;
const CONFIG = WIRE_CONFIG;
const NOTIFICATION = LifecycleNotificationSchema.parse(TERMINATING_MESSAGE);
const MESSAGE_ID = '95df01b4-ee98-5cb9-9903-4c221d41eb5e';

let world: WireWorld;
let ecsHttp: WireWorld['ecsHttp'];
let asHttp: WireWorld['asHttp'];
let ecsRetry: WireWorld['ecsRetry'];
let asRetry: WireWorld['asRetry'];
let deps: WireWorld['deps'];

function setUp(joined: boolean): void {
  world = new WireWorld();
  world.joined = joined;
  ({ ecsHttp, asHttp, ecsRetry, asRetry, deps } = world);
  recorded.splice(0, recorded.length, ...world.recorded);
}

afterEach(() => {
  world.restore();
});

test('ECS ThrottlingException and Auto Scaling Throttling are retried, then the action completes', async () => {
  // Prepare
  setUp(false);
  ecsHttp.failNext('ListContainerInstances', ECS_THROTTLING, ECS_THROTTLING);
  asHttp.failNext('CompleteLifecycleAction', AUTO_SCALING_THROTTLING);

  // Act
  const result = await startDrain(deps, NOTIFICATION, MESSAGE_ID);

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
  const result = await startDrain(deps, NOTIFICATION, MESSAGE_ID);

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
  const result = startDrain(deps, NOTIFICATION, MESSAGE_ID);

  // Assess
  await expect(result).rejects.toMatchObject({ name: 'ThrottlingException' });
  expect(ecsHttp.count('ListContainerInstances')).toBe(MAX_ATTEMPTS);
  expect(ecsRetry.decisions.at(-1)).toEqual({
    code: 'ThrottlingException',
    errorType: 'THROTTLING',
    retried: false,
  });
  expect(asHttp.count('CompleteLifecycleAction')).toBe(0);
});
