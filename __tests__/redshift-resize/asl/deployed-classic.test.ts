import '../fixtures/env-classic';
import { CLUSTER_ID } from '../fixtures/env';
import { S } from '../../../stacks/redshift-resize/asl';
import type { ResizeWorld } from '../fixtures/world';
import { deployedWith, dmsCalls, run, taskArnsOf, useWorld } from '../fixtures/deployed-machine';

// Classic resizes through the synthesized definition, deployed with a short resize bound
// (redshift_resize_timeout_seconds = 900: 3 polls of 300 s) so that "past the phase limit" runs quickly.
const holder = useWorld();
let world: ResizeWorld;
let cdc1: string;
let cdc2: string;
beforeEach(() => {
  world = holder.current;
  [cdc1, cdc2] = [...world.tasks.keys()] as [string, string];
});
const SHORT_RESIZE = deployedWith({ redshift_resize_timeout_seconds: 900 });
/** Index of the first visit of each state, to order what happened. */
const firstVisit = (visited: string[], state: string) => visited.indexOf(state);

describe('a classic resize past the phase limit', () => {
  test('DC2 target: DMS stays paused while read-only, the topic is told, and resumes once it is done', async () => {
    // Prepare: 6 more polls than the resize bound allows.
    world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 4 };
    world.resizePolls = 3 + 6;

    // Act
    const exec = await run(SHORT_RESIZE);

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates).toContain(S.notifyResizeOverdue);
    expect(exec.visitedStates).toContain(S.checkOverdue);
    expect(world.cluster).toMatchObject({ nodes: 8, status: 'available' });
    expect(taskArnsOf('StartReplicationTask').sort()).toEqual([cdc1, cdc2].sort());
    // No resume request before the resize was done.
    const resumedAt = firstVisit(exec.visitedStates, S.resumeTasks);
    expect(resumedAt).toBeGreaterThan(exec.visitedStates.lastIndexOf(S.checkOverdue));
    expect(world.published.map((p) => p.Subject)).toEqual([
      `Redshift resize past its time limit, cluster read-only, DMS kept paused: ${CLUSTER_ID}`,
      `Redshift resize succeeded: ${CLUSTER_ID}`,
    ]);
  });
});

describe('an RA3 classic resize', () => {
  test('resumes DMS while the resize still runs (the cluster stays writable), then finishes', async () => {
    // Prepare
    world.resizePolls = 2;

    // Act
    const exec = await run();

    // Assess
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.visitedStates).toContain(S.resumeDuringResize);
    expect(firstVisit(exec.visitedStates, S.resumeDuringResize)).toBeLessThan(
      exec.visitedStates.lastIndexOf(S.checkResize),
    );
    expect(dmsCalls('StartReplicationTask').length).toBe(2);
    expect(world.cluster).toMatchObject({ nodes: 8, nodeType: 'ra3.4xlarge' });
    expect([world.taskStatus(cdc1), world.taskStatus(cdc2)]).toEqual(['running', 'running']);
  });

  test('measures the replication pause to the early resume, not to the end of the resize', async () => {
    // Act
    const exec = await run();

    // Assess
    const report = exec.lambdaCalls.find((c) => c.stateName === S.reportRun);
    const noted = exec.lambdaCalls.find((c) => c.stateName === S.noteEarlyResume);
    expect(noted).toBeDefined();
    expect(report?.input).toMatchObject({
      action: 'report',
      resumedAt: { reportedAt: expect.any(String) },
    });
  });
});
