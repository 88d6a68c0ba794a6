import '../fixtures/env-ra3-change';
import { CLUSTER_ID } from '../fixtures/env';
import { S } from '../../../stacks/redshift-resize/asl';
import type { ResizeWorld } from '../fixtures/world';
import { run, taskArnsOf, useWorld } from '../fixtures/deployed-machine';

// Issue 17 §3: DC2 -> RA3 through the synthesized definition, the guard deployed with
// RA3_NODE_TYPE=ra3.xlplus (redshift_ra3_node_type).
const holder = useWorld();
let world: ResizeWorld;
beforeEach(() => {
  world = holder.current;
  world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 8 };
  world.nodeOptions = [2, 3, 4].map((n) => ({
    NodeType: 'ra3.xlplus',
    NumberOfNodes: n,
    EstimatedDiskUtilizationPercent: 140 / n,
  }));
});

describe('a DC2 -> RA3 node type change', () => {
  test('resizes elastically with NodeType, keeps DMS paused to the end, and says what changed', async () => {
    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(world.lastResize).toMatchObject({
      Status: 'SUCCEEDED',
      TargetNodeType: 'ra3.xlplus',
      TargetNumberOfNodes: 4,
      ResizeType: 'ElasticResize',
    });
    expect(world.cluster).toMatchObject({ nodeType: 'ra3.xlplus', nodes: 4, status: 'available' });
    // Elastic resize to another node type is read-only while data moves: no early resume.
    expect(exec.visitedStates).not.toContain(S.resumeDuringResize);
    expect(taskArnsOf('StartReplicationTask')).toHaveLength(2);
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize succeeded: ${CLUSTER_ID}`,
    ]);
    expect(JSON.parse(world.published[0]?.Message ?? 'null')).toMatchObject({
      nodeType: 'dc2.large',
      toNodeType: 'ra3.xlplus',
      fromNodeCount: 8,
      toNodeCount: 4,
    });
  });
});
