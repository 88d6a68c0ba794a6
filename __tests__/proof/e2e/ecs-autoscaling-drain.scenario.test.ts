import type { DrainObserved, IgnoredRun } from '../../../scripts/emulator/e2e/drain';
import type { StackDeployResult } from '../../../scripts/emulator/deploy-proof';
import { deployProof, describeDeploy } from '../../support/deploy-proof';

/**
 * The drain zip as deployed, on the applied ECS drain stack: instances of the deployed group registered in the
 * deployed cluster (emulator's ECS), notifications delivered as SNS does, re-checks read from the deployed
 * queue, lifecycle actions answered by the stand-in. scripts/emulator/e2e/drain.ts acts between apply and
 * re-plan of the deploy proof; this file judges it.
 */
describeDeploy('ECS autoscaling drain, end to end on the applied stack', () => {
  let result: StackDeployResult;
  let seen: DrainObserved;

  beforeAll(async () => {
    const run = await deployProof();
    const found = run.results.find((r) => r.stack === 'ecs-autoscaling-drain');
    if (!found) throw new Error('the deploy proof has no result for ecs-autoscaling-drain');
    result = found;
    seen = result.scenario?.observed as DrainObserved;
  }, 20 * 60_000);

  const ignoredRun = (kind: IgnoredRun['kind']) => seen.ignored.find((r) => r.kind === kind);

  test('the scenario ran to its end, changing only the re-check interval', () => {
    expect(result.applyError).toBeUndefined();
    expect(result.scenario?.error).toBeUndefined();
    expect(Object.keys(seen.overridden)).toEqual(['CHECK_INTERVAL_SECONDS']);
  });

  test.each(['test', 'launching'] as const)('a %s notification is ignored', (kind) => {
    const run = ignoredRun(kind);
    expect(run?.invocation).toMatchObject({ ok: true });
    expect(run?.instanceStatus).toBe('ACTIVE');
    expect(run?.queue).toEqual({ visible: 0, delayed: 0 });
    expect(run?.autoScalingCalls).toEqual([]);
  });

  test('the terminating notification sets the instance DRAINING and queues a re-check', () => {
    expect(seen.notification.invocation).toMatchObject({ ok: true });
    expect(seen.notification.status).toBe('DRAINING');
    expect(seen.notification.otherStatus).toBe('ACTIVE');
    expect(seen.notification.queue).toEqual({ visible: 0, delayed: 1 });
  });

  test('as tasks stop, the re-checks read from the deployed queue end the drain', () => {
    expect(seen.rounds.map((r) => r.check)).toEqual(seen.rounds.map((_, i) => i + 2));
    expect(seen.rounds.length).toBeGreaterThanOrEqual(2);
    for (const round of seen.rounds)
      expect(round.invocation).toMatchObject({ ok: true, result: { batchItemFailures: [] } });
    expect(seen.queueAfter).toEqual({ visible: 0, delayed: 0 });
  });

  test('the standalone task is stopped by the drain, service tasks only by ECS, other instances untouched', () => {
    expect(seen.tasks[seen.standaloneTask]).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: expect.stringMatching(/^ops-autopilot ecs-drain: .*grace .* elapsed$/),
    });
    for (const task of seen.serviceTasks)
      expect(seen.tasks[task]).toMatchObject({
        lastStatus: 'STOPPED',
        stoppedReason: 'Service draining (scenario)',
      });
    expect(seen.tasks[seen.otherTask]).toMatchObject({ lastStatus: 'RUNNING' });
  });

  test('the lifecycle action is completed with CONTINUE, a heartbeat at every check', () => {
    expect(seen.action).toMatchObject({
      instanceId: seen.instance.ec2InstanceId,
      state: 'completed',
      result: 'CONTINUE',
      heartbeats: seen.rounds.length + 1,
    });
    expect(seen.ledger).toMatchObject({ completing_outcome: { S: 'Completed' } });
  });
});
