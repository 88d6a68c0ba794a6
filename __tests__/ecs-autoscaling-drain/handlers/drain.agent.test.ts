/**
 * An instance whose container agent is disconnected never reports its tasks stopped: after a short grace
 * the drain ends with its own outcome instead of holding the instance for ecs_drain_max_seconds.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { DRAIN_ENV } from '../fixtures/env';
import { NOTIFICATION_TIME_MS, snsEvent, TERMINATING_MESSAGE } from '../fixtures/events';
import { createMocks, DrainWorld, resourceTags } from '../fixtures/world';

type Handler = typeof import('../../../functions/ecs-drain/drain.handler').handler;

const mocks = createMocks();
recordIamCalls('ecs-drain-drain', Object.values(mocks), resourceTags);
const context = { functionName: 'ecs-drain-drain', awsRequestId: 'req-1' } as Context;
const INTERVAL = Number(DRAIN_ENV.CHECK_INTERVAL_SECONDS);
const GRACE = Number(DRAIN_ENV.AGENT_DISCONNECTED_GRACE_SECONDS);
const savedEnv = { ...process.env };
let handler: Handler;
let world: DrainWorld;
let nowMs: number;
let addMetric: jest.SpyInstance;
let addDimension: jest.SpyInstance;

const at = (seconds: number) => {
  nowMs = NOTIFICATION_TIME_MS + seconds * 1000;
};
const lastCheck = () => handler(world.lastCheckAsSqsEvent(), context);
const outcomes = () =>
  addDimension.mock.calls.filter((c: unknown[]) => c[0] === 'Outcome').map((c) => c[1]);
const disconnect = (arn: string) => {
  world.instance(arn)!.agentConnected = false;
};

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: WORLD.region }, DRAIN_ENV);
  ({ handler } = await import('../../../functions/ecs-drain/drain.handler'));
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

test('a disconnected agent ends the drain AgentDisconnected once the grace has passed', async () => {
  // Prepare
  disconnect(world.addInstance('c1'));
  world.addServiceTask('t1');

  // Act: the first check sees the agent gone; the re-check lands when the grace ends.
  await handler(snsEvent(TERMINATING_MESSAGE), context);
  const completedEarly = world.completions.length;
  at(2 + GRACE);
  await lastCheck();

  // Assess
  expect(completedEarly).toBe(0);
  expect(world.sentChecks().map((s) => s.input.DelaySeconds)).toEqual([Math.min(INTERVAL, GRACE)]);
  expect(world.completions.map((c) => c.LifecycleActionResult)).toEqual(['CONTINUE']);
  expect(outcomes()).toEqual(['AgentDisconnected', 'AgentDisconnected']);
  expect(addMetric.mock.calls.map((c: unknown[]) => c[0])).toEqual([
    'DrainOutcome',
    'DrainDurationSeconds',
  ]);
});

test('the grace counts from when the agent was first seen disconnected, not from the drain start', async () => {
  // Prepare: connected at the first check, disconnected from the second one on.
  const ci = world.addInstance('c1');
  world.addServiceTask('t1');
  await handler(snsEvent(TERMINATING_MESSAGE), context);
  disconnect(ci);
  at(2 + INTERVAL);
  await lastCheck();

  // Act: just before the grace ends, counted from the second check.
  at(2 + INTERVAL + GRACE - 1);
  await lastCheck();
  const before = world.completions.length;
  at(2 + INTERVAL + GRACE);
  await lastCheck();

  // Assess
  expect(before).toBe(0);
  expect(world.sentChecks().at(-1)?.body.agentDisconnectedSince).toBe(
    new Date(NOTIFICATION_TIME_MS + (2 + INTERVAL) * 1000).toISOString(),
  );
  expect(outcomes()).toEqual(['AgentDisconnected', 'AgentDisconnected']);
});

test('an agent that reconnects within the grace goes on draining normally', async () => {
  // Prepare
  const ci = world.addInstance('c1');
  world.addServiceTask('t1');
  disconnect(ci);
  await handler(snsEvent(TERMINATING_MESSAGE), context);

  // Act: reconnected at the next check; the grace would have passed at the one after.
  world.instance(ci)!.agentConnected = true;
  at(2 + INTERVAL);
  await lastCheck();
  at(2 + GRACE + INTERVAL);
  await lastCheck();

  // Assess
  expect(world.completions).toHaveLength(0);
  expect(world.sentChecks().at(-1)?.body.agentDisconnectedSince).toBeUndefined();
});
