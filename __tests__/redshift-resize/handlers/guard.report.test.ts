import { CLUSTER_ID } from '../fixtures/env';
import { DEPLOYED_GUARD } from '../fixtures/guard-config';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { evaluateGuard } from '../../../functions/redshift-resize/guard';
import { cloudwatch, handler, redshift } from '../../../functions/redshift-resize/guard.handler';
import { commandsOf, ResizeWorld, wireCloudWatch, wireRedshift } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

// Issue 17 §6: the disk usage and the replication pause the notifications carry, and the dry run's message.
const redshiftMock = mockClient(redshift);
const cloudwatchMock = mockClient(cloudwatch);
recordIamCalls('redshift-resize-guard', [redshiftMock, cloudwatchMock]);

const EXECUTION = 'ops-autopilot-analytics-20240304T050607891Z-1a2b3c4d';
const TASK = 'arn:aws:dms:us-east-1:123456789012:task:AURORATOREDSHIFTCDC000001';
let world: ResizeWorld;
beforeEach(() => {
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
  wireCloudWatch(world, cloudwatchMock);
});

describe('disk usage before', () => {
  test('the guard reports the newest PercentageDiskSpaceUsed datapoint of the cluster and its time', async () => {
    // Prepare
    const newest = new Date(Date.now() - 2 * 60_000);
    world.disk.push({ at: newest, percent: 91.26 });

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'RESIZE',
      diskUsedPercent: 91.3,
      diskUsedAt: newest.toISOString(),
    });
    expect(Date.parse(result.evaluatedAt)).not.toBeNaN();
    const query = commandsOf(cloudwatchMock)[0]?.input as {
      MetricDataQueries: { MetricStat: unknown }[];
    };
    expect(query.MetricDataQueries[0]?.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'AWS/Redshift',
        MetricName: 'PercentageDiskSpaceUsed',
        Dimensions: [{ Name: 'ClusterIdentifier', Value: CLUSTER_ID }],
      },
      Stat: 'Average',
    });
  });

  test('an unreadable metric is reported as unknown and never changes the decision', async () => {
    // Prepare
    cloudwatchMock
      .on(GetMetricDataCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDenied' }));

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({
      decision: 'RESIZE',
      targetNodeCount: 8,
      diskUsedPercent: null,
      diskUsedAt: null,
    });
  });
});

describe('the report once DMS runs again', () => {
  test('measures the pause from the guard decision to now, and the disk usage now', async () => {
    // Prepare
    const pausedAt = new Date(Date.now() - 754_000).toISOString();

    // Act
    const report = await handler({ action: 'report', pausedAt, taskArns: [TASK] });

    // Assess
    expect(report.replicationPausedSeconds).toBeGreaterThanOrEqual(754);
    expect(report.replicationPausedSeconds).toBeLessThan(760);
    expect(report).toMatchObject({ diskUsedPercent: 86 });
  });

  test('ends the pause at the early resume when DMS ran again during the resize', async () => {
    // Prepare
    const pausedAt = '2024-03-04T05:06:10.000Z';

    // Act
    const report = await handler({
      action: 'report',
      pausedAt,
      taskArns: [TASK],
      resumedAt: { reportedAt: '2024-03-04T05:21:40.000Z' },
    });

    // Assess
    expect(report.replicationPausedSeconds).toBe(930);
  });

  test('counts no pause when no task was paused', async () => {
    // Act
    const report = await handler({
      action: 'report',
      pausedAt: '2024-03-04T05:06:10.000Z',
      taskArns: [],
    });

    // Assess
    expect(report.replicationPausedSeconds).toBe(0);
  });
});

describe('dry run', () => {
  test('the decision is the same, and the message says nothing was changed', async () => {
    // Act
    const result = await evaluateGuard(
      { redshift },
      { ...DEPLOYED_GUARD, dryRun: true },
      { executionName: EXECUTION, now: new Date() },
    );

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 8, dryRun: true });
    expect(result.message).toMatch(/^dry run, nothing changed: would start the elastic resize/);
  });
});
