import { CLUSTER_ID } from '../fixtures/env';
import { S } from '../../../stacks/redshift-resize/asl';
import type { ResizeWorld } from '../fixtures/world';
import { run, taskArnsOf, useWorld } from '../fixtures/deployed-machine';

// The scenarios issue 17 names, each run through the synthesized definition with the real handlers.
const holder = useWorld();
let world: ResizeWorld;
let cdc1: string;
let cdc2: string;
beforeEach(() => {
  world = holder.current;
  [cdc1, cdc2] = [...world.tasks.keys()] as [string, string];
});

describe('storage-full', () => {
  test('a storage-full cluster is resized like an available one: pause, snapshot, grow, resume', async () => {
    // Prepare
    if (world.cluster) world.cluster.status = 'storage-full';

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates).toContain(S.startResize);
    expect(world.cluster).toMatchObject({ status: 'available', nodes: 8 });
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize succeeded: ${CLUSTER_ID}`,
    ]);
  });
});
