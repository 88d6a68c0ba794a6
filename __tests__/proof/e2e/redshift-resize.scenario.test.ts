import type { RedshiftObserved, ResizeRun } from '../../../scripts/emulator/e2e/redshift';
import type { StackDeployResult } from '../../../scripts/emulator/deploy-proof';
import { deployProof, describeDeploy } from '../../support/deploy-proof';

/**
 * The resize workflow as deployed, on the applied Redshift stack: the alarm's SNS message to the trigger zip,
 * the execution it started in the emulator run through the deployed definition with the deployed zips (DMS
 * and Redshift in the emulator, ResizeCluster through the stand-in); first with a fault injected after the
 * stop, then without. scripts/emulator/e2e/redshift.ts acts between apply and re-plan; this file judges it.
 */
describeDeploy('Redshift resize, end to end on the applied stack', () => {
  let result: StackDeployResult;
  let seen: RedshiftObserved;

  beforeAll(async () => {
    const run = await deployProof();
    const found = run.results.find((r) => r.stack === 'redshift-resize');
    if (!found) throw new Error('the deploy proof has no result for redshift-resize');
    result = found;
    seen = result.scenario?.observed as RedshiftObserved;
  }, 20 * 60_000);

  const ours = () => [seen.taskArns['ours-a'], seen.taskArns['ours-b']];
  const stoppedBy = (run: ResizeRun) =>
    (run.run.output as { replication?: { taskArns?: string[] } } | undefined)?.replication
      ?.taskArns;

  test('the scenario ran to its end, the alarm starting an execution each time', () => {
    expect(result.applyError).toBeUndefined();
    expect(result.scenario?.error).toBeUndefined();
    for (const run of [seen.failed, seen.succeeded])
      expect(run.trigger).toMatchObject({ ok: true, result: [{ outcome: 'STARTED' }] });
  });

  test('on success the cluster was snapshotted, then resized through the stand-in', () => {
    const run = seen.succeeded;
    expect(run.run.status).toBe('SUCCEEDED');
    expect(run.snapshots).toEqual([{ id: expect.stringMatching(/^resize-/), status: 'available' }]);
    expect(run.resizes).toEqual([
      expect.objectContaining({ ClusterIdentifier: seen.clusterId, NumberOfNodes: '4' }),
    ]);
    expect(run.nodesAfter).toBe(seen.nodes * 2);
  });

  test('on success only the tasks it stopped are running again', () => {
    const run = seen.succeeded;
    const output = run.run.output as {
      stop: { tasks: Array<{ arn: string; status: string }> };
      resume: { settled: boolean; tasks: Array<{ arn: string; status: string }> };
    };
    expect(stoppedBy(run)).toEqual(ours());
    expect(output.stop.tasks.map((t) => [t.arn, t.status])).toEqual(
      ours().map((arn) => [arn, 'stopped']),
    );
    expect(output.resume.tasks.map((t) => [t.arn, t.status])).toEqual(
      ours().map((arn) => [arn, 'running']),
    );
    expect(run.tasks).toEqual({
      'ours-a': { status: 'running', everStopped: true },
      'ours-b': { status: 'running', everStopped: true },
      'ours-stopped': { status: 'stopped', everStopped: true },
      'other-running': { status: 'running', everStopped: false },
    });
  });

  test('a failure injected after the stop takes the Catch path, which resumes the same tasks', () => {
    const run = seen.failed;
    expect(run.run).toMatchObject({
      status: 'FAILED',
      error: `Redshift.${seen.fault.replace(/Fault$/, '')}Exception`,
    });
    const states = run.run.visitedStates;
    expect(states.indexOf('StopReplicationTasks')).toBeLessThan(states.indexOf('CreateSnapshot'));
    expect(states).toEqual(expect.arrayContaining(['Recover', 'ResumeAfterFailure', 'Failed']));
    expect(states).not.toContain('StartResize');
    expect(run.resizes).toEqual([]);
    expect(run.snapshots).toEqual([]);
    expect(run.tasks).toEqual({
      'ours-a': { status: 'running', everStopped: true },
      'ours-b': { status: 'running', everStopped: true },
      'ours-stopped': { status: 'stopped', everStopped: true },
      'other-running': { status: 'running', everStopped: false },
    });
  });
});
