import { CLUSTER_ID, COOLDOWN_MINUTES } from '../fixtures/env';
import { RESIZE_EVENT_IDS } from '../../../functions/redshift-resize/guard';
import { executionNameFor } from '../../../functions/redshift-resize/identifiers';
import { S } from '../../../stacks/redshift-resize/asl';
import type { ResizeWorld } from '../fixtures/world';
import { ALARM_INPUT, dms, run, taskArnsOf, useWorld } from '../fixtures/deployed-machine';

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

describe('a re-check after a temporary skip', () => {
  const RECHECK = {
    input: { ...ALARM_INPUT, source: 'recheck' },
    executionName: executionNameFor(CLUSTER_ID, new Date('2024-03-04T12:00:00Z'), 'recheck'),
  };
  const completedMinutesAgo = (minutes: number) => {
    world.lastResize = { Status: 'SUCCEEDED', TargetNumberOfNodes: 4, ResizeType: 'ElasticResize' };
    world.events = [
      {
        EventId: RESIZE_EVENT_IDS.completed,
        Date: new Date(Date.now() - minutes * 60_000),
        Message: 'resize completed',
      },
    ];
  };

  test('the alarm run skips in the cooldown and says so; a re-check past it resizes', async () => {
    // Prepare
    completedMinutesAgo(10);

    // Act
    const skipped = await run();
    completedMinutesAgo(COOLDOWN_MINUTES + 10);
    const rechecked = await run(undefined, RECHECK);

    // Assess
    expect(skipped.visitedStates.at(-1)).toBe(S.skipped);
    expect(rechecked.status).toBe('SUCCEEDED');
    expect(rechecked.visitedStates.at(-1)).toBe(S.succeeded);
    expect(world.cluster?.nodes).toBe(8);
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize skipped: ${CLUSTER_ID}`,
      `Redshift resize succeeded: ${CLUSTER_ID}`,
    ]);
  });

  test('a re-check that still finds the cooldown skips quietly, DMS untouched', async () => {
    // Prepare
    completedMinutesAgo(10);

    // Act
    const exec = await run(undefined, RECHECK);

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates).not.toContain(S.notifySkipped);
    expect(world.published).toEqual([]);
    expect(dms.calls()).toHaveLength(0);
  });
});

describe('full-load tasks', () => {
  test('a full-load task and a task still loading keep running; only CDC is paused and resumed', async () => {
    // Prepare
    const fullLoad = world.addTask('FULLLOADONLY0000000000001', 'running');
    const loading = world.addTask('FULLLOADANDCDCLOADING0001', 'running');
    world.setMigration(fullLoad, 'full-load', { FullLoadProgressPercent: 60, TablesLoading: 3 });
    world.setMigration(loading, 'full-load-and-cdc', { FullLoadProgressPercent: 10 });

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(taskArnsOf('StopReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    expect([world.taskStatus(fullLoad), world.taskStatus(loading)]).toEqual(['running', 'running']);
    const summary = JSON.parse(world.published[0]?.Message ?? 'null') as {
      leftRunning: { arn: string }[];
    };
    expect(summary.leftRunning.map((t) => t.arn).sort()).toEqual([fullLoad, loading].sort());
  });
});
