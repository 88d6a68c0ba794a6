import '../fixtures/env-dry-run';
import { CLUSTER_ID } from '../fixtures/env';
import { S } from '../../../stacks/redshift-resize/asl';
import type { ResizeWorld } from '../fixtures/world';
import { commandsOf } from '../fixtures/world';
import { dms, run, smRedshift, useWorld } from '../fixtures/deployed-machine';

// Issue 17 §6: a dry run through the synthesized definition, with the guard deployed with DRY_RUN=true.
const holder = useWorld();
let world: ResizeWorld;
beforeEach(() => {
  world = holder.current;
});

describe('a dry run', () => {
  test('runs the guard, the sizing and the selection, and notifies what it would do', async () => {
    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates).toEqual([
      S.guard,
      S.isResizeNeeded,
      S.selectTasks,
      S.isDryRun,
      S.summarizeDryRun,
      S.notifyDryRun,
      S.dryRunDone,
    ]);
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize dry run, nothing changed: ${CLUSTER_ID}`,
    ]);
    const [cdc1, cdc2] = [...world.tasks.keys()];
    expect(JSON.parse(world.published[0]?.Message ?? 'null')).toMatchObject({
      outcome: 'DRY_RUN',
      fromNodeCount: 4,
      toNodeCount: 8,
      nodeType: 'ra3.4xlarge',
      diskUsedPercent: 86,
      wouldPauseTaskArns: [cdc1, cdc2],
      wouldDo: expect.stringMatching(/^dry run, nothing changed: would start the elastic resize/),
    });
  });

  test('writes nothing: no DMS task stopped or started, no snapshot, no resize', async () => {
    // Act
    await run();

    // Assess
    expect(new Set(commandsOf(dms).map((c) => c.command))).toEqual(
      new Set(['DescribeReplicationTasks']),
    );
    expect(commandsOf(smRedshift)).toEqual([]);
    expect(world.lastResize).toBeUndefined();
    expect(world.cluster).toMatchObject({ status: 'available', nodes: 4 });
    expect([...world.tasks.values()].map((t) => t.status)).toEqual([
      'running',
      'running',
      'running',
    ]);
    expect(world.snapshots.size).toBe(0);
  });

  test('a skip is told as usual: the dry run changes nothing about the guard', async () => {
    // Prepare
    if (world.cluster) world.cluster.status = 'modifying';

    // Act
    const exec = await run();

    // Assess
    expect(exec.visitedStates).toContain(S.notifySkipped);
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize skipped: ${CLUSTER_ID}`,
    ]);
  });
});
