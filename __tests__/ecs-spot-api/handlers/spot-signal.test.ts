/**
 * The Spot signal function: documented interruption warnings and rebalance recommendations, tied to the
 * instance's group, type, zone and container instance, counted only for this stack's instances.
 */
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import {
  SPOT_SIGNAL_METRIC_SPECS,
  SPOT_SIGNAL_SERVICE_NAME,
} from '../../../functions/ecs-drain/spot-metric-names';
import { logger } from '../../../functions/shared/logger';
import { WORLD } from '../../support/deployment';
import { captureEmf, distinctSpecs, enableEmf, specOf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  createSpotMocks,
  INSTANCE_ID,
  INTERRUPTION_WARNING,
  REBALANCE_RECOMMENDATION,
  SPOT_NAMES,
  SPOT_SIGNAL_ENV,
  SpotWorld,
} from '../fixtures/spot-world';

type Handler = typeof import('../../../functions/ecs-drain/spot-signal.handler').handler;

const mocks = createSpotMocks();
recordIamCalls('ecs-drain-spot-signal', Object.values(mocks));
const context = { functionName: 'ecs-drain-spot-signal', awsRequestId: 'req-1' } as Context;
const savedEnv = { ...process.env };
let handler: Handler;
let world: SpotWorld;

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: WORLD.region }, SPOT_SIGNAL_ENV);
  enableEmf({ service: SPOT_SIGNAL_SERVICE_NAME });
  ({ handler } = await import('../../../functions/ecs-drain/spot-signal.handler'));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  world = new SpotWorld(mocks);
});
afterEach(() => {
  jest.restoreAllMocks();
});

const ecsCalls = () => mocks.ecs.calls().length;

describe('a signal about an instance of this stack', () => {
  test('an interruption warning names the container instance and the tasks that will move', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup, 'c7g.xlarge', 'us-east-2b');
    const ci = world.register(INSTANCE_ID, 'c1', 3);
    const warn = jest.spyOn(logger, 'warn');

    // Act
    const report = await handler(INTERRUPTION_WARNING, context);

    // Assess
    expect(report).toEqual({
      outcome: 'recorded',
      signal: 'InterruptionWarning',
      instanceId: INSTANCE_ID,
      groupName: SPOT_NAMES.spotGroup,
      instanceType: 'c7g.xlarge',
      availabilityZone: 'us-east-2b',
      eventId: INTERRUPTION_WARNING.id,
      eventTime: INTERRUPTION_WARNING.time,
      instanceAction: 'terminate',
      containerInstances: [{ arn: ci, status: 'ACTIVE', runningTasks: world.taskArnsOn(ci) }],
    });
    expect(world.taskArnsOn(ci)).toHaveLength(3);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('running tasks will move'), report);
  });

  test('each signal is counted in total and per instance type and zone', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup, 'c7g.xlarge', 'us-east-2b');
    world.register(INSTANCE_ID);

    // Act
    const warned = await captureEmf(() => handler(INTERRUPTION_WARNING, context));
    const rebalanced = await captureEmf(() =>
      handler(REBALANCE_RECOMMENDATION, { ...context, awsRequestId: 'req-2' } as Context),
    );

    // Assess
    const service = SPOT_SIGNAL_SERVICE_NAME;
    const byType = { InstanceType: 'c7g.xlarge', AvailabilityZone: 'us-east-2b' };
    expect(warned.metrics.map((m) => [m.name, m.value, m.dimensions])).toEqual([
      ['SpotSignals', 1, { service, Signal: 'InterruptionWarning' }],
      ['SpotSignals', 1, { service, Signal: 'InterruptionWarning', ...byType }],
    ]);
    expect(rebalanced.metrics.map((m) => m.dimensions.Signal)).toEqual([
      'RebalanceRecommendation',
      'RebalanceRecommendation',
    ]);
    expect(distinctSpecs([...warned.metrics, ...rebalanced.metrics].map(specOf))).toEqual(
      distinctSpecs(SPOT_SIGNAL_METRIC_SPECS),
    );
  });

  test('every page of running tasks is read', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup);
    const ci = world.register(INSTANCE_ID, 'c1', 5);
    world.listTasksPageSize = 2;

    // Act
    const report = await handler(REBALANCE_RECOMMENDATION, context);

    // Assess
    expect(report.outcome === 'recorded' && report.containerInstances[0]?.runningTasks).toEqual(
      world.taskArnsOn(ci),
    );
  });

  test('an instance that is no container instance (never joined, or left) is still counted', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup);

    // Act
    const { result, metrics } = await captureEmf(() => handler(INTERRUPTION_WARNING, context));

    // Assess
    expect(result).toMatchObject({ outcome: 'recorded', containerInstances: [] });
    expect(metrics).toHaveLength(2);
  });

  test('an interruption warning without its instance-action fails, uncounted', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup);
    const event = { ...INTERRUPTION_WARNING, detail: { 'instance-id': INSTANCE_ID } };

    // Act
    const { error, metrics } = await captureEmf(() => handler(event, context));

    // Assess
    expect(error).toMatchObject({ name: 'InvalidEventError' });
    expect(String(error)).toContain('detail.instance-action');
    expect(metrics).toEqual([]);
  });
});

describe('a signal about any other instance', () => {
  test.each([
    ['another group', 'someone-elses-asg'],
    ['no group at all', undefined],
  ])('an instance of %s is ignored before its details are judged', async (_what, group) => {
    // Prepare: an incomplete event, which would fail if it were ours
    world.addInstance(INSTANCE_ID, group);
    const event = {
      ...INTERRUPTION_WARNING,
      time: 'not a time',
      detail: { 'instance-id': INSTANCE_ID },
    };

    // Act
    const { result, metrics } = await captureEmf(() => handler(event, context));

    // Assess
    expect(result).toMatchObject({ outcome: 'ignored', instanceId: INSTANCE_ID });
    expect(metrics).toEqual([]);
    expect(ecsCalls()).toBe(0);
  });
});

describe('failures are thrown, so Lambda retries the event and then queues it', () => {
  test('an instance EC2 does not know is an InstanceNotFoundError, uncounted', async () => {
    // Act
    const { error, metrics } = await captureEmf(() => handler(INTERRUPTION_WARNING, context));

    // Assess
    expect(error).toMatchObject({ name: 'InstanceNotFoundError' });
    expect((error as Error).cause).toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    expect(metrics).toEqual([]);
  });

  test.each([
    [
      'another event',
      { ...REBALANCE_RECOMMENDATION, 'detail-type': 'EC2 Instance State-change Notification' },
    ],
    [
      'an instance id that would widen the ECS filter',
      {
        ...REBALANCE_RECOMMENDATION,
        detail: { 'instance-id': 'i-1234567890abcdef0 or true' },
      },
    ],
  ])('%s fails before any AWS call', async (_what, event) => {
    // Act
    const act = handler(event, context);

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'InvalidEventError' });
    expect(mocks.ec2.calls()).toHaveLength(0);
  });

  test('an ECS failure throws, and nothing was counted for the attempt', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup);
    world.register(INSTANCE_ID);
    const cause = Object.assign(new Error('User is not authorized'), {
      name: 'AccessDeniedException',
    });
    mocks.ecs.on(ListTasksCommand).rejects(cause);

    // Act
    const { error, metrics } = await captureEmf(() => handler(INTERRUPTION_WARNING, context));

    // Assess
    expect(error).toBe(cause);
    expect(metrics).toEqual([]);
  });
});

describe('EventBridge delivers at least once: each event is counted once', () => {
  test('a second delivery of an event logs a duplicate and counts nothing', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup);
    world.register(INSTANCE_ID);
    const first = await captureEmf(() => handler(INTERRUPTION_WARNING, context));

    // Act
    const again = await captureEmf(() =>
      handler(INTERRUPTION_WARNING, { ...context, awsRequestId: 'req-2' } as Context),
    );

    // Assess
    expect(first.metrics).toHaveLength(2);
    expect(again.result).toEqual({
      outcome: 'duplicate',
      signal: 'InterruptionWarning',
      eventId: INTERRUPTION_WARNING.id,
    });
    expect(again.metrics).toEqual([]);
  });

  test('the same invocation writing again (a lost reply retried) still counts', async () => {
    // Prepare: the invocation's mark is there, its count is not
    world.addInstance(INSTANCE_ID, SPOT_NAMES.spotGroup);
    world.seen.set(`InterruptionWarning/${INTERRUPTION_WARNING.id}`, context.awsRequestId);

    // Act
    const { result, metrics } = await captureEmf(() => handler(INTERRUPTION_WARNING, context));

    // Assess
    expect(result).toMatchObject({ outcome: 'recorded' });
    expect(metrics).toHaveLength(2);
  });

  test('an event of another instance leaves no mark', async () => {
    // Prepare
    world.addInstance(INSTANCE_ID, 'someone-elses-asg');

    // Act
    await handler(REBALANCE_RECOMMENDATION, context);

    // Assess
    expect(mocks.ddb.calls()).toHaveLength(0);
  });
});
