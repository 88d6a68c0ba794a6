import { CLUSTER_ID, TARGET_DISK_PERCENT } from '../fixtures/env';
import { mockClient } from 'aws-sdk-client-mock';
import type { GuardConfig } from '../../../functions/redshift-resize/env';
import { evaluateGuard } from '../../../functions/redshift-resize/guard';
import { cloudwatch, handler, redshift } from '../../../functions/redshift-resize/guard.handler';
import { commandsOf, ResizeWorld, wireCloudWatch, wireRedshift } from '../fixtures/world';
import { answerNodeOptions } from '../fixtures/node-options';
import { recordIamCalls } from '../../support/iam-recorder';
import { DEPLOYED_GUARD } from '../fixtures/guard-config';

const redshiftMock = mockClient(redshift);
const cloudwatchMock = mockClient(cloudwatch);
recordIamCalls('redshift-resize-guard', [redshiftMock, cloudwatchMock]);

const EXECUTION = 'ops-autopilot-analytics-20240304T050607891Z-1a2b3c4d';

let world: ResizeWorld;
beforeEach(() => {
  // 4 ra3.4xlarge nodes at 86.04 % disk used: Redshift estimates 86.04 x 4 / n % on n nodes.
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
  wireCloudWatch(world, cloudwatchMock);
});

const guardWith = (config: Partial<GuardConfig>) =>
  evaluateGuard(
    { redshift },
    { ...DEPLOYED_GUARD, cooldownMinutes: 0, ...config },
    { executionName: EXECUTION, now: new Date() },
  );

describe('target size from the storage needed (DescribeNodeConfigurationOptions, resize-cluster)', () => {
  it('picks the smallest option whose estimate is under the wanted utilization', async () => {
    // Act: 5 nodes -> 68.83 %, 6 nodes -> 57.36 %.
    const result = await guardWith({ targetDiskPercent: 60 });

    // Assess: RESIZE_FACTOR 2 alone would give 8.
    expect(result).toMatchObject({
      decision: 'RESIZE',
      targetNodeCount: 6,
      estimatedDiskPercent: 57.36,
    });
    expect(result.message).toContain('Redshift estimates 57.36 % disk used, under the wanted 60 %');
  });

  it('grows past RESIZE_FACTOR when the storage needs it, reading every page', async () => {
    // Act: 12 nodes -> 28.68 %; pages of 2 options (5,6 | 7,8 | ...).
    const result = await guardWith({ targetDiskPercent: 30 });

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 12 });
    const calls = commandsOf(redshiftMock).filter(
      (c) => c.command === 'DescribeNodeConfigurationOptions',
    );
    expect(calls.length).toBeGreaterThan(3);
    // The paginator reuses one input object (its Marker moves on), so the shape is checked on the last.
    expect(calls.at(-1)!.input).toMatchObject({
      ActionType: 'resize-cluster',
      ClusterIdentifier: CLUSTER_ID,
      Filters: [
        { Name: 'NodeType', Operator: 'eq', Values: ['ra3.4xlarge'] },
        { Name: 'NumberOfNodes', Operator: 'gt', Values: ['4'] },
      ],
      MaxRecords: 100,
    });
  });

  it('takes the most nodes allowed (MAX_NODE_COUNT) when no option reaches the wanted utilization, and says so', async () => {
    // Act: 16 nodes -> 21.51 %.
    const result = await guardWith({ targetDiskPercent: 10, maxNodeCount: 16 });

    // Assess
    expect(result).toMatchObject({ targetNodeCount: 16, estimatedDiskPercent: 21.51 });
    expect(result.message).toContain('still not under the wanted 10 % (the most nodes allowed)');
  });

  it.each<[string, number, 'elastic' | 'classic', number, number]>([
    // node type, nodes now, resize type, concurrency scaling cap, expected target
    ['ra3.4xlarge', 20, 'classic', 128, 32],
    ['ra3.4xlarge', 20, 'elastic', 128, 64],
    ['ra3.4xlarge', 20, 'elastic', 32, 32],
    ['ra3.xlplus', 10, 'elastic', 128, 20],
    ['dc2.large', 12, 'elastic', 32, 24],
  ])(
    'stays within the limits: %s with %i nodes, %s resize, scaling cap %i: %i',
    async (nodeType, nodes, resizeType, cap, target) => {
      // Prepare
      world.cluster = { status: 'available', nodeType, nodes };

      // Act: a utilization no option reaches, so the bound decides.
      const result = await guardWith({
        targetDiskPercent: 1,
        maxNodeCount: 128,
        resizeType,
        concurrencyScalingMaxNodes: cap,
      });

      // Assess
      expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: target });
    },
  );

  it('ignores options of another node type or without an estimate, and falls back to RESIZE_FACTOR', async () => {
    // Prepare
    world.nodeOptions = [
      { NodeType: 'ra3.4xlarge', NumberOfNodes: 5, Mode: 'standard' },
      { NodeType: 'ra3.16xlarge', NumberOfNodes: 6, EstimatedDiskUtilizationPercent: 10 },
    ];

    // Act
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(result).toMatchObject({ targetNodeCount: 8, estimatedDiskPercent: null });
    expect(result.message).toContain('Redshift estimated no option, so RESIZE_FACTOR 2 applies');
  });

  it('is deployed with the wanted utilization of the environment', async () => {
    // Act: 86.04 x 4 / 8 = 43.02, under TARGET_DISK_PERCENT (45); 7 nodes -> 49.17 is not.
    const result = await handler({ executionName: EXECUTION });

    // Assess
    expect(TARGET_DISK_PERCENT).toBe(45);
    expect(result).toMatchObject({ targetNodeCount: 8, estimatedDiskPercent: 43.02 });
  });
});

describe('the DescribeNodeConfigurationOptions fake answers as documented', () => {
  const options = [5, 6, 7, 8].map((n) => ({
    NodeType: 'ra3.4xlarge',
    NumberOfNodes: n,
    EstimatedDiskUtilizationPercent: 300 / n,
  }));

  it('refuses MaxRecords outside 100-500 and an ActionType not in the list', () => {
    // Act / Assess
    expect(() =>
      answerNodeOptions({ ActionType: 'resize-cluster', MaxRecords: 50 }, options, 2),
    ).toThrow(expect.objectContaining({ name: 'InvalidParameterValue' }));
    expect(() => answerNodeOptions({ ActionType: 'grow' as 'resize-cluster' }, options, 2)).toThrow(
      expect.objectContaining({ name: 'InvalidParameterValue' }),
    );
  });

  it('filters by the documented operators and pages with a Marker', () => {
    // Act
    const first = answerNodeOptions(
      {
        ActionType: 'resize-cluster',
        Filters: [
          { Name: 'NumberOfNodes', Operator: 'between', Values: ['5', '7'] },
          { Name: 'EstimatedDiskUtilizationPercent', Operator: 'lt', Values: ['60'] },
        ],
      },
      options,
      1,
    );

    // Assess: 5 -> 60 % is not under 60.
    expect(first.NodeConfigurationOptionList.map((o) => o.NumberOfNodes)).toEqual([6]);
    expect(first.Marker).toBe('1');
  });
});
