import { CLUSTER_ID } from '../fixtures/env';
import { mockClient } from 'aws-sdk-client-mock';
import type { GuardConfig } from '../../../functions/redshift-resize/env';
import { evaluateGuard, RESIZE_EVENT_IDS } from '../../../functions/redshift-resize/guard';
import { cloudwatch, handler, redshift } from '../../../functions/redshift-resize/guard.handler';
import { ResizeWorld, wireCloudWatch, wireRedshift } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';
import { DEPLOYED_GUARD } from '../fixtures/guard-config';

const redshiftMock = mockClient(redshift);
const cloudwatchMock = mockClient(cloudwatch);
recordIamCalls('redshift-resize-guard', [redshiftMock, cloudwatchMock]);

const EXECUTION = 'ops-autopilot-analytics-20240304T050607891Z-1a2b3c4d';
const DEPLOYED = DEPLOYED_GUARD;

let world: ResizeWorld;
beforeEach(() => {
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
  wireCloudWatch(world, cloudwatchMock);
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

// These pin the bounds of the RESIZE_FACTOR target (Redshift estimates nothing); sizing from the storage
// needed stays within the same bounds (guard.sizing.test.ts).
describe('node type limits, per resize type (functions/redshift-resize/node-types.ts)', () => {
  beforeEach(() => {
    world.nodeOptions = [];
  });
  const NO_CAP = { maxNodeCount: 128, cooldownMinutes: 0, concurrencyScalingMaxNodes: 128 };
  it.each<[string, number, 'elastic' | 'classic', number, number]>([
    // node type, nodes now, resize type, factor, expected target
    ['ra3.4xlarge', 20, 'classic', 2, 32],
    ['ra3.4xlarge', 31, 'classic', 2, 32],
    ['ra3.4xlarge', 20, 'elastic', 2, 40],
    ['ra3.4xlarge', 40, 'elastic', 2, 64],
    ['ra3.4xlarge', 4, 'elastic', 4, 16],
    ['ra3.4xlarge', 4, 'elastic', 8, 16],
    ['ra3.16xlarge', 4, 'elastic', 4, 16],
    ['ra3.16xlarge', 100, 'classic', 2, 128],
    ['ra3.xlplus', 10, 'classic', 2, 16],
    ['ra3.xlplus', 10, 'elastic', 4, 20],
    ['ra3.xlplus', 20, 'elastic', 2, 32],
    // ra3.large: the cautious row (node-types.ts), 16 nodes by either resize type, elastic growth 2x.
    ['ra3.large', 10, 'classic', 2, 16],
    ['ra3.large', 15, 'elastic', 2, 16],
    ['ra3.large', 4, 'elastic', 4, 8],
    ['ra3.large', 2, 'classic', 4, 8],
    ['dc2.large', 4, 'elastic', 4, 8],
    ['dc2.large', 20, 'classic', 2, 32],
    ['dc2.8xlarge', 100, 'elastic', 2, 128],
  ])(
    '%s with %i nodes, %s resize, factor %i: targets %i',
    async (nodeType, nodes, type, f, target) => {
      // Prepare
      world.cluster = { status: 'available', nodeType, nodes };

      // Act
      const result = await guardWith({ ...NO_CAP, resizeType: type, resizeFactor: f });

      // Assess
      expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: target });
    },
  );

  it('skips (AT_MAXIMUM) a classic resize of a 32-node ra3.4xlarge cluster, naming the classic limit', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: 32 };

    // Act
    const result = await guardWith({ ...NO_CAP, resizeType: 'classic' });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'AT_MAXIMUM' });
    expect(result.message).toContain('classic resize limit of ra3.4xlarge 32');
  });

  it.each(['elastic', 'classic'] as const)(
    'skips (AT_MAXIMUM) a 16-node ra3.large cluster (%s resize)',
    async (resizeType) => {
      // Prepare
      world.cluster = { status: 'available', nodeType: 'ra3.large', nodes: 16 };

      // Act
      const result = await guardWith({ ...NO_CAP, resizeType });

      // Assess
      expect(result).toMatchObject({ decision: 'SKIP', reason: 'AT_MAXIMUM' });
    },
  );
});

describe('the concurrency scaling cap (CONCURRENCY_SCALING_MAX_NODES, RA3 only)', () => {
  beforeEach(() => {
    world.nodeOptions = [];
  });
  const CAP_ONLY = { maxNodeCount: 128, cooldownMinutes: 0 };
  it('stops an RA3 resize at the cap', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: 20 };

    // Act
    const result = await guardWith(CAP_ONLY);

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 32 });
  });

  it('skips (CONCURRENCY_SCALING_CAP) once an RA3 cluster is at the cap', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.16xlarge', nodes: 32 };

    // Act
    const result = await guardWith(CAP_ONLY);

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'CONCURRENCY_SCALING_CAP' });
    expect(result.message).toContain('CONCURRENCY_SCALING_MAX_NODES (32)');
  });

  it('follows the configured cap', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: 32 };

    // Act
    const result = await guardWith({ ...CAP_ONLY, concurrencyScalingMaxNodes: 48 });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 48 });
  });

  it('leaves DC2 clusters alone', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'dc2.8xlarge', nodes: 32 };

    // Act
    const result = await guardWith(CAP_ONLY);

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 64 });
  });
});
