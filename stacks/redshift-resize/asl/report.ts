/**
 * What the operator is told beyond the guard's decision: a dry run's plan (guard, sizing and the DMS tasks it
 * would pause, with no DMS or Redshift write), and after a resize, the disk usage and the replication pause.
 */
import { catchAll, lambdaTask, publish, S, TASK_ARNS, toEarlyFailure } from './blocks';
import type { PhaseContext, States } from './poll';

/** The guard function's report action: disk usage now, and the pause from the guard's decision. */
export const reportParameters = {
  action: 'report',
  'pausedAt.$': '$.guard.evaluatedAt',
  ...TASK_ARNS,
};

/** After the selection: a dry run stops here and notifies what the run would have done. */
export function dryRun({ input }: PhaseContext): States {
  return {
    [S.isDryRun]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.guard.dryRun', BooleanEquals: true, Next: S.summarizeDryRun }],
      Default: S.initStopPoll,
    },
    [S.summarizeDryRun]: {
      Type: 'Pass',
      Parameters: {
        outcome: 'DRY_RUN',
        'execution.$': '$$.Execution.Name',
        'clusterId.$': '$.guard.clusterId',
        'wouldDo.$': '$.guard.message',
        'nodeType.$': '$.guard.nodeType',
        'toNodeType.$': '$.guard.targetNodeType',
        'fromNodeCount.$': '$.guard.currentNodeCount',
        'toNodeCount.$': '$.guard.targetNodeCount',
        'resizeType.$': '$.guard.resizeType',
        'diskUsedPercent.$': '$.guard.diskUsedPercent',
        'diskUsedAt.$': '$.guard.diskUsedAt',
        'wouldPauseTaskArns.$': '$.replication.taskArns',
        'leftRunning.$': '$.replication.leftRunning',
        note: 'Dry run (redshift_dry_run): no DMS task was stopped, no snapshot was taken, the cluster was not resized.',
      },
      ResultPath: '$.summary',
      Next: S.notifyDryRun,
    },
    [S.notifyDryRun]: publish(
      input.topicArn,
      {
        'Subject.$':
          "States.Format('Redshift resize dry run, nothing changed: {}', $.guard.clusterId)",
      },
      '$.summary',
      S.dryRunDone,
      toEarlyFailure,
    ),
    [S.dryRunDone]: {
      Type: 'Succeed',
      Comment: 'Dry run: the guard and the sizing ran, DMS and the cluster untouched.',
    },
  };
}

/** Once DMS runs again: measure, then summarize; a failed measurement never stops the notification. */
export function runReport({ input }: PhaseContext): States {
  return {
    [S.reportRun]: lambdaTask(
      input.functionArns.guard,
      { ...reportParameters, 'resumedAt.$': '$.earlyResume.resumedAt' },
      '$.report',
      S.summarizeSuccess,
      catchAll(S.reportUnavailable, '$.reportError'),
      'Lambda (guard, reads only): PercentageDiskSpaceUsed after the resize, and the length of the pause.',
    ),
    [S.reportUnavailable]: {
      Type: 'Pass',
      Result: {
        diskUsedPercent: null,
        diskUsedAt: null,
        replicationPausedSeconds: null,
        reportedAt: null,
      },
      ResultPath: '$.report',
      Next: S.summarizeSuccess,
    },
  };
}
