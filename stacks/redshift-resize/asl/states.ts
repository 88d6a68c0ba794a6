/**
 * The states of the Redshift resize workflow, phase by phase.
 *
 * Flow: Guard -> (skip: notify, succeed) | Select DMS tasks -> Stop (bounded poll) -> Snapshot (bounded poll)
 * -> Resize (bounded poll) -> Resume (bounded poll) -> notify success.
 * Every Task from the Stop on catches into Recover: resume exactly the tasks this execution stopped (bounded
 * poll, tolerant of running tasks), then notify the failure with its cause, then Fail. Tasks before the
 * stop catch into a notification and Fail without touching DMS.
 */
import {
  catchAll,
  lambdaTask,
  publish,
  raise,
  S,
  SDK_RETRY,
  TASK_ARNS,
  toEarlyFailure,
  toRecover,
} from './blocks';
import type { DeployNumber, ResizeDefinitionTemplateInput } from './input';
import {
  loop,
  phaseContext,
  pollChoice,
  pollLoop,
  polled,
  type PhaseContext,
  type States,
} from './poll';
import { dryRun, runReport } from './report';
import { resize } from './resize-phase';
import type { AslDefinition } from './types';

const SNAPSHOT_EXISTS = 'Redshift.ClusterSnapshotAlreadyExistsException';

/** Decide whether and how far to resize; when not, notify and succeed with DMS untouched. */
function guard({ input }: PhaseContext): States {
  return {
    [S.guard]: lambdaTask(
      input.functionArns.guard,
      { 'executionName.$': '$$.Execution.Name' },
      '$.guard',
      S.isResizeNeeded,
      toEarlyFailure,
      'Lambda: node-type limit table, target computation, cooldown from DescribeResize/DescribeEvents.',
    ),
    [S.isResizeNeeded]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.guard.decision', StringEquals: 'RESIZE', Next: S.selectTasks },
        // A re-check tick skips quietly (the guard counts every skip by reason; growth-blocked reasons
        // have their own alarms): only a run an ALARM transition started notifies its skip.
        {
          And: [
            { Variable: '$.source', IsPresent: true },
            { Variable: '$.source', StringEquals: 'recheck' },
          ],
          Next: S.skipped,
        },
      ],
      Default: S.notifySkipped,
    },
    [S.notifySkipped]: publish(
      input.topicArn,
      { 'Subject.$': "States.Format('Redshift resize skipped: {}', $.guard.clusterId)" },
      '$.guard',
      S.skipped,
      toEarlyFailure,
    ),
    [S.skipped]: {
      Type: 'Succeed',
      Comment:
        'Nothing to do (no growth possible, cooldown, busy or unknown cluster): DMS untouched.',
    },
  };
}

/** Find the running DMS tasks into the cluster (reads only); from here on they are $.replication.taskArns. */
function select({ input }: PhaseContext): States {
  return {
    [S.selectTasks]: lambdaTask(
      input.functionArns.replication,
      { action: 'select' },
      '$.replication',
      S.isDryRun,
      toEarlyFailure,
      'Lambda: paginated DescribeReplicationTasks, filter by target endpoint and status running; reads only.',
    ),
  };
}

/** A failure before the stop: notify that nothing changed, then fail with the error. */
function earlyFailure({ input }: PhaseContext): States {
  return {
    [S.summarizeEarlyFailure]: {
      Type: 'Pass',
      Parameters: {
        outcome: 'FAILED_BEFORE_ANY_CHANGE',
        'execution.$': '$$.Execution.Name',
        'error.$': '$.error',
        note: 'No DMS task was stopped and the cluster was not changed.',
      },
      ResultPath: '$.summary',
      Next: S.notifyEarlyFailure,
    },
    [S.notifyEarlyFailure]: publish(
      input.topicArn,
      { Subject: 'Redshift resize failed before any change' },
      '$.summary',
      S.failedBeforeStop,
      catchAll(S.failedBeforeStop, '$.notifyError'),
    ),
    [S.failedBeforeStop]: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
}

/** Stop or resume exactly the selected DMS tasks, polling until all of them have settled. */
function replication(
  ctx: PhaseContext,
  phase: 'stop' | 'resume',
  names: { choice: string; settled: string; timedOut: string },
  text: { comment: string; error: string; notYet: string },
): States {
  return polled(ctx, phase, {
    check: lambdaTask(
      ctx.input.functionArns.replication,
      { action: phase, ...TASK_ARNS },
      `$.${phase}`,
      names.choice,
      toRecover,
      text.comment,
    ),
    choice: names.choice,
    outcomes: [{ Variable: `$.${phase}.settled`, BooleanEquals: true, Next: names.settled }],
    timedOut: names.timedOut,
    timeoutError: text.error,
    timeoutCause: (within) =>
      `States.Format('DMS tasks ${text.notYet} within ${within} s: {}', States.JsonToString($.${phase}.tasks))`,
  });
}

/** Pause exactly the selected DMS tasks; from here on every Task catches into Recover. */
function stop(ctx: PhaseContext): States {
  return replication(
    ctx,
    'stop',
    { choice: S.areTasksStopped, settled: S.createSnapshot, timedOut: S.stopTimedOut },
    {
      comment:
        'Lambda: per-task status check + StopReplicationTask, idempotent across retries and polls.',
      error: 'ReplicationStopTimeout',
      notYet: 'did not stop',
    },
  );
}

/** One manual snapshot, polled until available (a failed or deleted snapshot fails the run). */
function snapshot(ctx: PhaseContext): States {
  const cluster = {
    'ClusterIdentifier.$': '$.guard.clusterId',
    'SnapshotIdentifier.$': '$.guard.snapshotIdentifier',
  };
  const retention = ctx.input.snapshotRetentionDays;
  const status = (StringEquals: string) => ({ Variable: '$.snapshot.status', StringEquals });
  return {
    [S.createSnapshot]: {
      Type: 'Task',
      Comment:
        'SDK integration: one call; a retry that finds its own snapshot (same name) is caught as done.',
      Resource: 'arn:aws:states:::aws-sdk:redshift:createClusterSnapshot',
      Parameters: {
        ...cluster,
        ...(retention !== undefined ? { ManualSnapshotRetentionPeriod: retention } : {}),
      },
      ResultPath: null,
      Retry: [{ ErrorEquals: [SNAPSHOT_EXISTS], MaxAttempts: 0 }, SDK_RETRY],
      Catch: [
        { ErrorEquals: [SNAPSHOT_EXISTS], Next: S.initSnapshotPoll, ResultPath: null },
        ...toRecover,
      ],
      Next: S.initSnapshotPoll,
    },
    ...polled(ctx, 'snapshot', {
      check: {
        Type: 'Task',
        Comment: 'SDK integration: one read whose status a Choice can test directly.',
        Resource: 'arn:aws:states:::aws-sdk:redshift:describeClusterSnapshots',
        Parameters: { ...cluster },
        ResultSelector: { 'status.$': '$.Snapshots[0].Status' },
        ResultPath: '$.snapshot',
        Retry: [SDK_RETRY],
        Catch: toRecover,
        Next: S.isSnapshotAvailable,
      },
      choice: S.isSnapshotAvailable,
      outcomes: [
        { ...status('available'), Next: S.startResize },
        { Or: [status('failed'), status('deleted')], Next: S.snapshotFailed },
      ],
      failures: {
        [S.snapshotFailed]: raise(
          'SnapshotFailed',
          "States.Format('snapshot {} is {}', $.guard.snapshotIdentifier, $.snapshot.status)",
          S.recover,
        ),
      },
      timedOut: S.snapshotTimedOut,
      timeoutError: 'SnapshotTimeout',
      timeoutCause: (within) =>
        `States.Format('snapshot {} not available within ${within} s (status {})', $.guard.snapshotIdentifier, $.snapshot.status)`,
    }),
  };
}

/** Resume exactly the tasks this execution stopped, once the cluster is available at its new size. */
function resume(ctx: PhaseContext): States {
  return replication(
    ctx,
    'resume',
    { choice: S.areTasksRunning, settled: S.reportRun, timedOut: S.resumeTimedOut },
    {
      comment:
        'Lambda: resume-processing for exactly the stopped tasks, tolerant of running/stopping ones.',
      error: 'ResumeTimeout',
      notYet: 'not running',
    },
  );
}

/** All done: notify the summary and succeed. */
function success({ input }: PhaseContext): States {
  return {
    [S.summarizeSuccess]: {
      Type: 'Pass',
      Parameters: {
        outcome: 'SUCCEEDED',
        'execution.$': '$$.Execution.Name',
        'clusterId.$': '$.guard.clusterId',
        'nodeType.$': '$.guard.nodeType',
        'toNodeType.$': '$.guard.targetNodeType',
        'fromNodeCount.$': '$.guard.currentNodeCount',
        'toNodeCount.$': '$.guard.targetNodeCount',
        'resizeType.$': '$.guard.resizeType',
        'snapshotIdentifier.$': '$.guard.snapshotIdentifier',
        'diskUsedPercentBefore.$': '$.guard.diskUsedPercent',
        'diskUsedAtBefore.$': '$.guard.diskUsedAt',
        'diskUsedPercentAfter.$': '$.report.diskUsedPercent',
        'diskUsedAtAfter.$': '$.report.diskUsedAt',
        'pausedAt.$': '$.guard.evaluatedAt',
        'replicationPausedSeconds.$': '$.report.replicationPausedSeconds',
        'resumedTaskArns.$': '$.replication.taskArns',
        'leftRunning.$': '$.replication.leftRunning',
      },
      ResultPath: '$.summary',
      Next: S.notifySucceeded,
    },
    [S.notifySucceeded]: publish(
      input.topicArn,
      { 'Subject.$': "States.Format('Redshift resize succeeded: {}', $.guard.clusterId)" },
      '$.summary',
      S.succeeded,
      toRecover,
    ),
    [S.succeeded]: { Type: 'Succeed' },
  };
}

/**
 * The catch of every Task from the stop on: resume exactly the tasks this execution stopped (the resume
 * phase's bound, tolerant of running tasks), then notify the failure with its cause, then fail.
 */
function recovery(ctx: PhaseContext): States {
  const names = loop(S.recover, S.resumeAfterFailure, S.countRecoveryPoll, S.waitForRecovery);
  const counter = pollLoop(names, ctx.input.pollIntervalsSeconds.resume);
  return {
    [S.recover]: counter.init,
    [S.resumeAfterFailure]: lambdaTask(
      ctx.input.functionArns.replication,
      { action: 'resume', ...TASK_ARNS },
      '$.recovery',
      S.isRecoveryDone,
      catchAll(S.summarizeFailure, '$.recovery'),
      'Lambda: same idempotent resume as on success; already-running tasks are left alone.',
    ),
    [S.isRecoveryDone]: pollChoice(
      [{ Variable: '$.recovery.settled', BooleanEquals: true, Next: S.summarizeFailure }],
      ctx.attempts('resume'),
      S.summarizeFailure,
      S.countRecoveryPoll,
    ),
    [S.countRecoveryPoll]: counter.count,
    [S.waitForRecovery]: counter.wait,
    [S.summarizeFailure]: {
      Type: 'Pass',
      Parameters: {
        outcome: 'FAILED',
        'execution.$': '$$.Execution.Name',
        'clusterId.$': '$.guard.clusterId',
        'error.$': '$.error',
        'diskUsedPercentBefore.$': '$.guard.diskUsedPercent',
        'pausedAt.$': '$.guard.evaluatedAt',
        'stoppedTaskArns.$': '$.replication.taskArns',
        'leftRunning.$': '$.replication.leftRunning',
        'replicationRecovery.$': '$.recovery',
      },
      ResultPath: '$.summary',
      Next: S.notifyFailure,
    },
    [S.notifyFailure]: publish(
      ctx.input.topicArn,
      { 'Subject.$': "States.Format('Redshift resize FAILED: {}', $.guard.clusterId)" },
      '$.summary',
      S.failed,
      catchAll(S.failed, '$.notifyError'),
    ),
    [S.failed]: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
}

/** The whole definition; numbers that depend on Terraform variables stay NumericExpressions. */
export function assemble(input: ResizeDefinitionTemplateInput): AslDefinition<DeployNumber> {
  const ctx = phaseContext(input);
  return {
    Comment:
      'Redshift resize: guard, pause exactly the running DMS tasks, snapshot, resize, resume them; ' +
      'any failure after the pause resumes them and notifies.',
    StartAt: S.guard,
    TimeoutSeconds: input.timeoutSeconds,
    States: {
      ...guard(ctx),
      ...select(ctx),
      ...dryRun(ctx),
      ...earlyFailure(ctx),
      ...stop(ctx),
      ...snapshot(ctx),
      ...resize(ctx),
      ...resume(ctx),
      ...runReport(ctx),
      ...success(ctx),
      ...recovery(ctx),
    },
  };
}
