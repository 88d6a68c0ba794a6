import '../fixtures/env';
import { mockClient } from 'aws-sdk-client-mock';
import type { GuardConfig } from '../../../functions/redshift-resize/env';
import { evaluateGuard } from '../../../functions/redshift-resize/guard';
import { cloudwatch, redshift } from '../../../functions/redshift-resize/guard.handler';
import { commandsOf, ResizeWorld, wireCloudWatch, wireRedshift } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';
import { DEPLOYED_GUARD } from '../fixtures/guard-config';

const redshiftMock = mockClient(redshift);
const cloudwatchMock = mockClient(cloudwatch);
recordIamCalls('redshift-resize-guard', [redshiftMock, cloudwatchMock]);

/** resize-cluster options of a type, estimate = 140 / n (TARGET_DISK_PERCENT 45: 4 nodes at 35 %). */
const optionsOf = (nodeType: string, counts: number[]) =>
  counts.map((n) => ({
    NodeType: nodeType,
    NumberOfNodes: n,
    EstimatedDiskUtilizationPercent: Math.round((140 / n) * 100) / 100,
    Mode: 'standard' as const,
  }));

let world: ResizeWorld;
beforeEach(() => {
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
  wireCloudWatch(world, cloudwatchMock);
  world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 8 };
  world.nodeOptions = [
    ...optionsOf('dc2.large', [9, 10, 12, 16]),
    ...optionsOf('ra3.xlplus', [2, 3, 4, 6]),
    ...optionsOf('ra3.4xlarge', [2, 3]),
  ];
});

const guardWith = (config: Partial<GuardConfig>) =>
  evaluateGuard(
    { redshift },
    { ...DEPLOYED_GUARD, cooldownMinutes: 0, ra3NodeType: 'ra3.xlplus', ...config },
    { executionName: 'ops-autopilot-analytics-20240304T050607891Z-1a2b3c4d', now: new Date() },
  );

describe('DC2 -> RA3 by elastic resize (RA3_NODE_TYPE)', () => {
  it('targets the fewest RA3 nodes Redshift lists under the wanted utilization, by elastic resize', async () => {
    // Act
    const result = await guardWith({});

    // Assess
    expect(result).toMatchObject({
      decision: 'RESIZE',
      nodeType: 'dc2.large',
      targetNodeType: 'ra3.xlplus',
      currentNodeCount: 8,
      targetNodeCount: 4,
      estimatedDiskPercent: 35,
      resizeType: 'elastic',
      classic: false,
    });
    expect(result.message).toContain('from 8 dc2.large to 4 ra3.xlplus nodes (node type change');
    const asked = commandsOf(redshiftMock).filter(
      (c) => c.command === 'DescribeNodeConfigurationOptions',
    );
    expect(asked.at(-1)?.input).toMatchObject({
      ActionType: 'resize-cluster',
      Filters: [
        { Name: 'NodeType', Operator: 'eq', Values: ['ra3.xlplus'] },
        { Name: 'NumberOfNodes', Operator: 'gt', Values: ['1'] },
      ],
    });
  });

  it('is an elastic resize even when RESIZE_TYPE is classic', async () => {
    // Act
    const result = await guardWith({ resizeType: 'classic' });

    // Assess
    expect(result).toMatchObject({ resizeType: 'elastic', classic: false, targetNodeCount: 4 });
  });

  it.each<[string, number, NonNullable<GuardConfig['ra3NodeType']>, RegExp]>([
    [
      'dc2.large',
      8,
      'ra3.16xlarge',
      /not a documented upgrade of dc2.large \(ra3.large, ra3.xlplus, ra3.4xlarge\)/,
    ],
    [
      'dc2.8xlarge',
      4,
      'ra3.xlplus',
      /not a documented upgrade of dc2.8xlarge \(ra3.4xlarge, ra3.16xlarge\)/,
    ],
    ['dc2.large', 1, 'ra3.large', /never starts from a single-node cluster/],
    [
      'dc2.large',
      8,
      'ra3.large',
      /Redshift lists no elastic resize of 8 dc2.large nodes to 2-16 ra3.large/,
    ],
  ])(
    'refuses %s x%i -> %s (NODE_TYPE_CHANGE_REFUSED), naming the way by hand',
    async (nodeType, nodes, to, why) => {
      // Prepare
      world.cluster = { status: 'available', nodeType, nodes };

      // Act
      const result = await guardWith({ ra3NodeType: to });

      // Assess
      expect(result).toMatchObject({ decision: 'SKIP', reason: 'NODE_TYPE_CHANGE_REFUSED' });
      expect(result.message).toMatch(why);
      expect(result.message).toContain('classic resize or a snapshot restore');
    },
  );

  it('stays within MAX_NODE_COUNT and the concurrency scaling cap of the RA3 type', async () => {
    // Prepare: every estimate above the wanted 45 %, so the bound decides.
    world.cluster = { status: 'available', nodeType: 'dc2.8xlarge', nodes: 20 };
    world.nodeOptions = optionsOf('ra3.4xlarge', [2, 10, 31, 32, 40]).map((o) => ({
      ...o,
      EstimatedDiskUtilizationPercent: 90,
    }));

    // Act
    const capped = await guardWith({ ra3NodeType: 'ra3.4xlarge', maxNodeCount: 128 });
    const limited = await guardWith({ ra3NodeType: 'ra3.4xlarge', maxNodeCount: 31 });

    // Assess
    expect(capped).toMatchObject({ targetNodeType: 'ra3.4xlarge', targetNodeCount: 32 });
    expect(limited).toMatchObject({ targetNodeCount: 31 });
  });

  it('is off by default, and leaves RA3 clusters alone', async () => {
    // Act
    const off = await guardWith({ ra3NodeType: null });
    world.cluster = { status: 'available', nodeType: 'ra3.4xlarge', nodes: 4 };
    const ra3 = await guardWith({});

    // Assess
    expect(off).toMatchObject({ targetNodeType: 'dc2.large', targetNodeCount: 9 });
    expect(ra3).toMatchObject({ nodeType: 'ra3.4xlarge', targetNodeType: 'ra3.4xlarge' });
  });
});
