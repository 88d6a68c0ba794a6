import { CLUSTER_ID, COOLDOWN_MINUTES, MAX_NODE_COUNT } from '../fixtures/env';
import { DescribeEventsCommand } from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import type { GuardConfig } from '../../../functions/redshift-resize/env';
import { ClusterNotFoundError } from '../../../functions/redshift-resize/errors';
import { evaluateGuard, RESIZE_EVENT_IDS } from '../../../functions/redshift-resize/guard';
import { cloudwatch, handler, redshift } from '../../../functions/redshift-resize/guard.handler';
import { snapshotIdentifierFor } from '../../../functions/redshift-resize/identifiers';
import { InvalidEventError } from '../../../functions/shared/errors';
import { commandsOf, ResizeWorld, wireCloudWatch, wireRedshift } from '../fixtures/world';
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
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
const guardWith = (config: Partial<GuardConfig>) =>
  evaluateGuard(
    { redshift },
    { ...DEPLOYED, ...config },
    { executionName: EXECUTION, now: new Date() },
  );

describe('target node count', () => {
  it('doubles an available cluster with an elastic resize and names the snapshot after the execution', async () => {
    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'RESIZE',
      clusterId: CLUSTER_ID,
      nodeType: 'ra3.4xlarge',
      currentNodeCount: 4,
      targetNodeCount: 8,
      resizeType: 'elastic',
      classic: false,
      snapshotIdentifier: snapshotIdentifierFor(EXECUTION),
    });
    expect(result.snapshotIdentifier).toMatch(/^[a-z](?:-?[a-z0-9])*$/);
  });

  it('is capped by MAX_NODE_COUNT', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: 12 };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: MAX_NODE_COUNT });
  });

  it("is capped by the node type's limit", async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.xlplus', nodes: 20 };

    // Act
    const result = await guardWith({ maxNodeCount: 128 });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 32 });
  });

  it('reaches only node counts Redshift offers for elastic resize', async () => {
    // Prepare
    world.cluster = {
      status: 'available',
      nodeType: 'ra3.4xlarge',
      nodes: 4,
      elasticOptions: '[2,3,5,6]',
    };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 6 });
  });

  it('never more than doubles a dc2 cluster with an elastic resize, whatever the factor', async () => {
    // Prepare: ra3.4xlarge and ra3.16xlarge go up to 4x (guard.limits.test.ts).
    world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 4 };

    // Act
    const result = await guardWith({ resizeFactor: 3 });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 8 });
  });

  it('grows by the configured factor with a classic resize', async () => {
    // Prepare: no estimate from Redshift, so the factor decides (guard.sizing.test.ts: with estimates).
    world.nodeOptions = [];

    // Act
    const result = await guardWith({ resizeFactor: 3, resizeType: 'classic' });

    // Assess
    expect(result).toMatchObject({
      decision: 'RESIZE',
      targetNodeCount: 12,
      resizeType: 'classic',
      classic: true,
    });
  });

  it('skips (AT_MAXIMUM) when no growth is possible', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: MAX_NODE_COUNT };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'SKIP',
      reason: 'AT_MAXIMUM',
      targetNodeCount: MAX_NODE_COUNT,
    });
  });

  it('skips (AT_MAXIMUM) when no elastic option is larger than the cluster', async () => {
    // Prepare
    world.cluster = {
      status: 'available',
      nodeType: 'ra3.4xlarge',
      nodes: 4,
      elasticOptions: '[2,3]',
    };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'AT_MAXIMUM' });
  });
});

describe('node types', () => {
  it('reports an unknown node type instead of throwing', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ra9.galactic', nodes: 4 };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'SKIP',
      reason: 'UNKNOWN_NODE_TYPE',
      nodeType: 'ra9.galactic',
    });
    expect(result.message).toContain('ra3.4xlarge');
  });

  it('refuses an elastic resize of a node type that only supports classic resize', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ds2.xlarge', nodes: 4 };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'ELASTIC_RESIZE_UNSUPPORTED' });
  });

  it('allows that node type with a classic resize', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'ds2.xlarge', nodes: 4 };

    // Act
    const result = await guardWith({ resizeType: 'classic' });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 8, classic: true });
  });

  it('refuses an elastic resize of a single-node cluster but allows a classic one', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 1 };

    // Act
    const elastic = await handler({ executionName: EXECUTION });
    const classic = await guardWith({ resizeType: 'classic' });

    // Assess
    expect(elastic).toMatchObject({ decision: 'SKIP', reason: 'ELASTIC_RESIZE_UNSUPPORTED' });
    expect(classic).toMatchObject({ decision: 'RESIZE', targetNodeCount: 2 });
  });
});

describe('cluster status (Redshift API_Cluster ClusterStatus list)', () => {
  it('resizes a storage-full cluster: the status Redshift says to resolve by adding nodes', async () => {
    // Prepare
    world.cluster = { status: 'storage-full', nodeType: 'ra3.4xlarge', nodes: 4 };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'RESIZE',
      clusterStatus: 'storage-full',
      targetNodeCount: 8,
    });
  });

  it.each([
    ['modifying', 'CLUSTER_BUSY'],
    ['rebooting', 'CLUSTER_BUSY'],
    ['rotating-keys', 'CLUSTER_BUSY'],
    ['paused', 'CLUSTER_NOT_AVAILABLE'],
    ['hardware-failure', 'CLUSTER_NOT_AVAILABLE'],
    ['incompatible-network', 'CLUSTER_NOT_AVAILABLE'],
    ['a-status-redshift-adds-later', 'CLUSTER_NOT_AVAILABLE'],
    ['resizing', 'RESIZE_IN_PROGRESS'],
    ['available, prep-for-resize', 'RESIZE_IN_PROGRESS'],
    ['available, resize-cleanup', 'RESIZE_IN_PROGRESS'],
    ['cancelling-resize', 'RESIZE_IN_PROGRESS'],
  ])('skips a %s cluster (%s)', async (status, reason) => {
    // Prepare
    world.cluster = { status, nodeType: 'ra3.4xlarge', nodes: 4 };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason, clusterStatus: status });
  });

  it('skips while DescribeResize reports a resize in progress', async () => {
    // Prepare
    world.lastResize = {
      Status: 'IN_PROGRESS',
      TargetNumberOfNodes: 8,
      ResizeType: 'ElasticResize',
    };

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'RESIZE_IN_PROGRESS' });
  });
});

describe('cooldown', () => {
  beforeEach(() => {
    world.lastResize = { Status: 'SUCCEEDED', TargetNumberOfNodes: 4, ResizeType: 'ElasticResize' };
  });

  it('skips when a resize completed within COOLDOWN_MINUTES', async () => {
    // Prepare
    const completed = minutesAgo(COOLDOWN_MINUTES - 10);
    world.events = [
      {
        EventId: RESIZE_EVENT_IDS.completed,
        Date: completed,
        Message: `Cluster ${CLUSTER_ID} resize completed.`,
      },
    ];

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'SKIP',
      reason: 'COOLDOWN',
      lastResizeActivityAt: completed.toISOString(),
    });
  });

  it('finds the resize event on a later page of DescribeEvents', async () => {
    // Prepare
    const completed = minutesAgo(5);
    world.events = [
      { EventId: 'REDSHIFT-EVENT-2003', Date: minutesAgo(50), Message: 'Maintenance started' },
      { EventId: 'REDSHIFT-EVENT-2004', Date: minutesAgo(40), Message: 'Maintenance completed' },
      { EventId: RESIZE_EVENT_IDS.completed, Date: completed, Message: 'resize completed' },
    ];

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'SKIP',
      reason: 'COOLDOWN',
      lastResizeActivityAt: completed.toISOString(),
    });
    expect(redshiftMock.commandCalls(DescribeEventsCommand)).toHaveLength(2);
  });

  it('skips when a resize started within the window', async () => {
    // Prepare
    world.events = [
      { EventId: RESIZE_EVENT_IDS.started, Date: minutesAgo(20), Message: 'resize started' },
    ];

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'COOLDOWN' });
  });

  it('resizes when the last resize completed before the window, asking Redshift for the window only', async () => {
    // Prepare
    world.events = [
      {
        EventId: RESIZE_EVENT_IDS.completed,
        Date: minutesAgo(COOLDOWN_MINUTES + 10),
        Message: 'resize completed',
      },
    ];

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 8 });
    const input = redshiftMock.commandCalls(DescribeEventsCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ SourceIdentifier: CLUSTER_ID, SourceType: 'cluster' });
    const windowMinutes =
      ((input?.EndTime as Date).getTime() - (input?.StartTime as Date).getTime()) / 60_000;
    // The cooldown, or the last day when longer: the resizes-per-day limit counts its starts.
    expect(windowMinutes).toBe(Math.max(COOLDOWN_MINUTES, 24 * 60));
  });

  it('has no cooldown when COOLDOWN_MINUTES is 0', async () => {
    // Prepare
    world.events = [
      { EventId: RESIZE_EVENT_IDS.completed, Date: minutesAgo(1), Message: 'resize completed' },
    ];

    // Act
    const result = await guardWith({ cooldownMinutes: 0 });

    // Assess
    expect(result.decision).toBe('RESIZE');
  });

  it('does not look at events for a cluster that was never resized', async () => {
    // Prepare
    world.lastResize = undefined;

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result.decision).toBe('RESIZE');
    expect(commandsOf(redshiftMock).map((c) => c.command)).not.toContain('DescribeEvents');
  });
});

describe('errors', () => {
  it('throws ClusterNotFoundError for a cluster that does not exist', async () => {
    // Prepare
    world.cluster = undefined;

    // Act
    const result = handler({ executionName: EXECUTION });

    // Assess
    await expect(result).rejects.toThrow(ClusterNotFoundError);
  });

  it.each([[{}], [{ executionName: '' }], [null], [{ executionName: 'x'.repeat(81) }]])(
    'rejects the payload %j with InvalidEventError before any AWS call',
    async (event) => {
      // Act
      const result = handler(event);

      // Assess
      await expect(result).rejects.toThrow(InvalidEventError);
      expect(redshiftMock.calls()).toHaveLength(0);
    },
  );
});
