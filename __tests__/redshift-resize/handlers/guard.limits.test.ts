import { CLUSTER_ID, COOLDOWN_MINUTES, MAX_NODE_COUNT, MAX_RESIZES_PER_DAY } from '../fixtures/env';
import { mockClient } from 'aws-sdk-client-mock';
import type { GuardConfig } from '../../../functions/redshift-resize/env';
import { evaluateGuard, RESIZE_EVENT_IDS } from '../../../functions/redshift-resize/guard';
import { handler, redshift } from '../../../functions/redshift-resize/guard.handler';
import { ResizeWorld, wireRedshift } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

const redshiftMock = mockClient(redshift);
recordIamCalls('redshift-resize-guard', [redshiftMock]);

const EXECUTION = 'ops-autopilot-analytics-20240304T050607891Z-1a2b3c4d';
const DEPLOYED: GuardConfig = {
  clusterId: CLUSTER_ID,
  resizeFactor: 2,
  maxNodeCount: MAX_NODE_COUNT,
  resizeType: 'elastic',
  cooldownMinutes: COOLDOWN_MINUTES,
  maxResizesPerDay: MAX_RESIZES_PER_DAY,
};

let world: ResizeWorld;
beforeEach(() => {
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
  world.lastResize = { Status: 'SUCCEEDED', TargetNumberOfNodes: 4, ResizeType: 'ElasticResize' };
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const started = (minutes: number) => ({
  EventId: RESIZE_EVENT_IDS.started,
  Date: minutesAgo(minutes),
  Message: `Cluster ${CLUSTER_ID} resize started. Cluster is in read-only mode.`,
});
const guardWith = (config: Partial<GuardConfig>) =>
  evaluateGuard(
    { redshift },
    { ...DEPLOYED, ...config },
    { executionName: EXECUTION, now: new Date() },
  );

describe('resizes per day (MAX_RESIZES_PER_DAY, from Redshift resize-started events)', () => {
  it('skips (DAILY_LIMIT) once the last 24 h hold that many resize starts', async () => {
    // Prepare: two starts today, both outside the cooldown.
    world.events = [started(23 * 60), started(7 * 60)];

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'DAILY_LIMIT' });
    expect(result.message).toContain('2 resizes in the last 24 h');
  });

  it('resizes when one of them is more than a day old', async () => {
    // Prepare
    world.events = [started(25 * 60), started(7 * 60)];

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 8 });
  });

  it('follows the configured limit', async () => {
    // Prepare
    world.events = [started(23 * 60), started(7 * 60)];

    // Act
    const result = await guardWith({ maxResizesPerDay: 3 });

    // Assess
    expect(result.decision).toBe('RESIZE');
  });

  it('counts starts even with no cooldown', async () => {
    // Prepare
    world.events = [started(3), started(2)];

    // Act
    const result = await guardWith({ cooldownMinutes: 0 });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'DAILY_LIMIT' });
  });
});
