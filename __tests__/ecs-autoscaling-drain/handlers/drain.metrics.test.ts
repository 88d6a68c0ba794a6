import type { Context } from 'aws-lambda';
import {
  DRAIN_METRIC_SPECS,
  DRAIN_METRICS,
  OUTCOME_DIMENSION,
} from '../../../functions/ecs-drain/metric-names';
import { NOTIFICATION_TIME_MS, snsEvent, TERMINATING_MESSAGE } from '../fixtures/events';
import { DRAIN_ENV } from '../fixtures/env';
import { WORLD } from '../../support/deployment';
import { createMocks, DrainWorld, resourceTags } from '../fixtures/world';
import {
  captureEmf,
  distinctSpecs,
  enableEmf,
  type EmittedMetric,
  specOf,
} from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';

/**
 * The drain function's EMF output as CloudWatch reads it from the log (the stack's alarm and dashboard use
 * these metrics). The stack deploys the function with POWERTOOLS_SERVICE_NAME = ecs-drain.
 */

const SERVICE = 'ecs-drain';
const mocks = createMocks();
recordIamCalls('ecs-drain-drain', Object.values(mocks), resourceTags);

type Handler = typeof import('../../../functions/ecs-drain/drain.handler').handler;
const context = { functionName: 'ecs-drain-drain', awsRequestId: 'req-1' } as Context;
const INTERVAL = Number(DRAIN_ENV.CHECK_INTERVAL_SECONDS);
const MAX_DRAIN = Number(DRAIN_ENV.MAX_DRAIN_SECONDS);
const GRACE = Number(DRAIN_ENV.STANDALONE_TASK_GRACE_SECONDS);

const savedEnv = { ...process.env };
let handler: Handler;
let world: DrainWorld;
let nowMs: number;
const at = (seconds: number) => {
  nowMs = NOTIFICATION_TIME_MS + seconds * 1000;
};
const lastCheck = () => handler(world.lastCheckAsSqsEvent(), context);

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: WORLD.region }, DRAIN_ENV);
  enableEmf({ service: SERVICE });
  ({ handler } = await import('../../../functions/ecs-drain/drain.handler'));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  world = new DrainWorld(mocks);
  at(2);
  jest.spyOn(Date, 'now').mockImplementation(() => nowMs);
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** Drains one instance with a standalone task past its grace: stops it, then completes. */
async function drainWithStandaloneTask(): Promise<EmittedMetric[]> {
  world.addInstance('c1');
  world.addServiceTask('svc');
  world.addStandaloneTask('job');
  at(GRACE + 5);
  const first = await captureEmf(() => handler(snsEvent(TERMINATING_MESSAGE), context));
  world.serviceSchedulerMovesTasks();
  world.stoppingTasksFinish();
  at(GRACE + 5 + INTERVAL);
  const second = await captureEmf(lastCheck);
  return [...first.metrics, ...second.metrics];
}

describe('drain EMF metrics', () => {
  it('a completed drain: DrainOutcome 1 and its duration, dimensions service + Outcome; stopped tasks, service only', async () => {
    // Act
    const metrics = await drainWithStandaloneTask();

    // Assess
    expect(metrics).toEqual([
      {
        namespace: 'OpsAutopilot',
        name: DRAIN_METRICS.standaloneTasksStopped,
        unit: 'Count',
        dimensions: { service: SERVICE },
        value: 1,
      },
      {
        namespace: 'OpsAutopilot',
        name: DRAIN_METRICS.outcome,
        unit: 'Count',
        dimensions: { service: SERVICE, [OUTCOME_DIMENSION]: 'Completed' },
        value: 1,
      },
      {
        namespace: 'OpsAutopilot',
        name: DRAIN_METRICS.duration,
        unit: 'Seconds',
        dimensions: { service: SERVICE, [OUTCOME_DIMENSION]: 'Completed' },
        value: GRACE + 5 + INTERVAL,
      },
    ]);
  });

  it('a drain that reaches MAX_DRAIN_SECONDS ends TimedOut', async () => {
    // Prepare: a service task ECS cannot move.
    world.addInstance('c1');
    world.addServiceTask('t1');
    await handler(snsEvent(TERMINATING_MESSAGE), context);
    at(MAX_DRAIN);

    // Act
    const { metrics } = await captureEmf(lastCheck);

    // Assess
    expect(metrics.map((m) => [m.name, m.dimensions[OUTCOME_DIMENSION], m.value])).toEqual([
      [DRAIN_METRICS.outcome, 'TimedOut', 1],
      [DRAIN_METRICS.duration, 'TimedOut', MAX_DRAIN],
    ]);
  });

  it('emits exactly the metrics functions/ecs-drain/metric-names.ts declares', async () => {
    // Act: an instance that never joined the cluster, then a drain with a standalone task.
    const notInCluster = await captureEmf(() => handler(snsEvent(TERMINATING_MESSAGE), context));
    world = new DrainWorld(mocks);
    const drained = await drainWithStandaloneTask();

    // Assess
    expect(notInCluster.metrics.map((m) => m.dimensions[OUTCOME_DIMENSION])).toEqual([
      'NotInCluster',
      'NotInCluster',
    ]);
    expect(distinctSpecs([...notInCluster.metrics, ...drained].map(specOf))).toEqual(
      distinctSpecs(DRAIN_METRIC_SPECS),
    );
  });
});
