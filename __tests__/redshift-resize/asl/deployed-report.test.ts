import { CLUSTER_ID } from '../fixtures/env';
import { S } from '../../../stacks/redshift-resize/asl';
import type { ResizeWorld } from '../fixtures/world';
import { DEFINITION, run, useWorld } from '../fixtures/deployed-machine';

// Issue 17 §6: what the notifications of the synthesized definition tell the operator.
const holder = useWorld();
let world: ResizeWorld;
beforeEach(() => {
  world = holder.current;
});
const summaryOf = (i: number) => JSON.parse(world.published[i]?.Message ?? 'null') as unknown;

describe('the success notification', () => {
  test('gives the disk usage before and after, the nodes, the pause and the tasks', async () => {
    // Prepare
    const [cdc1, cdc2] = [...world.tasks.keys()];

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize succeeded: ${CLUSTER_ID}`,
    ]);
    expect(summaryOf(0)).toMatchObject({
      fromNodeCount: 4,
      toNodeCount: 8,
      diskUsedPercentBefore: 86,
      diskUsedPercentAfter: 43,
      diskUsedAtBefore: expect.any(String),
      diskUsedAtAfter: expect.any(String),
      pausedAt: expect.any(String),
      replicationPausedSeconds: expect.any(Number),
      resumedTaskArns: [cdc1, cdc2],
    });
  });

  test('says no pause when no task was running', async () => {
    // Prepare
    for (const task of world.tasks.values()) task.status = 'stopped';

    // Act
    await run();

    // Assess
    expect(summaryOf(0)).toMatchObject({ replicationPausedSeconds: 0, resumedTaskArns: [] });
  });

  test('still notifies, with the disk usage after unknown, when CloudWatch has no datapoint', async () => {
    // Prepare
    world.disk = [];

    // Act
    const exec = await run();

    // Assess
    expect(exec.visitedStates).toContain(S.notifySucceeded);
    expect(summaryOf(0)).toMatchObject({
      diskUsedPercentBefore: null,
      diskUsedPercentAfter: null,
      toNodeCount: 8,
    });
  });
});

describe('the failure notification', () => {
  test('gives the disk usage before and since when DMS was paused', async () => {
    // Prepare
    world.resizeOutcome = 'FAILED';

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('FAILED');
    expect(summaryOf(world.published.length - 1)).toMatchObject({
      outcome: 'FAILED',
      diskUsedPercentBefore: 86,
      pausedAt: expect.any(String),
    });
  });
});

describe('the measurements', () => {
  test('never fail the run: a failed one only leaves its numbers unknown', () => {
    // Act
    const catchOf = (name: string) => {
      const state = DEFINITION.States[name];
      return state?.Type === 'Task' ? state.Catch?.[0] : undefined;
    };

    // Assess
    expect(catchOf(S.reportRun)).toMatchObject({ Next: S.reportUnavailable });
    expect(catchOf(S.noteEarlyResume)).toMatchObject({ Next: S.countResizePoll });
    expect(DEFINITION.States[S.reportUnavailable]).toMatchObject({ Next: S.summarizeSuccess });
  });
});
