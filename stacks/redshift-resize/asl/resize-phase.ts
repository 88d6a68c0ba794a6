/**
 * The resize phase: start the resize once, poll until the cluster is available at the target. DMS is
 * resumed early when the resize keeps the cluster writable (a classic resize to RA3), and never into a
 * read-only cluster: past the resize bound, a cluster still read-only keeps DMS paused while the topic is
 * told and the poll goes on (the overdue bound); past that too, the run fails with DMS still paused.
 */
import { catchAll, lambdaTask, publish, raise, S, TASK_ARNS, toRecover } from './blocks';
import { polled, type PhaseContext, type States } from './poll';
import { reportParameters } from './report';

const checkParameters = {
  action: 'status',
  'targetNodeCount.$': '$.guard.targetNodeCount',
  'nodeType.$': '$.guard.targetNodeType',
  'baseline.$': '$.resizeStart.baseline',
};
const isTrue = (Variable: string) => ({ Variable, BooleanEquals: true });
const resizeCause = (within: string, what: string) =>
  `States.Format('resize not finished within ${within} s${what}: {}', States.JsonToString($.resize))`;

export function resize(ctx: PhaseContext): States {
  const fn = ctx.input.functionArns.resize;
  const check = (next: string) =>
    lambdaTask(
      fn,
      checkParameters,
      '$.resize',
      next,
      toRecover,
      'Lambda: DescribeClusters and DescribeResize; tells this resize from an earlier one, and whether the cluster takes writes.',
    );
  // Resume once, as soon as the resize keeps the cluster writable; the resume phase confirms it at the end.
  const resumeEarly = {
    And: [
      isTrue('$.resize.writable'),
      { Variable: '$.earlyResume.requested', BooleanEquals: false },
    ],
    Next: S.resumeDuringResize,
  };
  return {
    [S.startResize]: lambdaTask(
      fn,
      {
        action: 'start',
        'targetNodeCount.$': '$.guard.targetNodeCount',
        'classic.$': '$.guard.classic',
        'nodeType.$': '$.guard.targetNodeType',
      },
      '$.resizeStart',
      S.initEarlyResume,
      toRecover,
      'Lambda: ResizeCluster is not idempotent; the handler first checks whether an earlier attempt started it.',
    ),
    ...polled(ctx, 'resize', {
      check: check(S.isResizeDone),
      choice: S.isResizeDone,
      outcomes: [{ ...isTrue('$.resize.done'), Next: S.initResumePoll }, resumeEarly],
      givenUp: S.resizeLimitReached,
      timedOut: S.resizeTimedOut,
      timeoutError: 'ResizeTimeout',
      timeoutCause: (within) => resizeCause(within, ''),
    }),
    [S.initEarlyResume]: {
      Type: 'Pass',
      Result: { requested: false, resumedAt: null },
      ResultPath: '$.earlyResume',
      Next: S.initResizePoll,
    },
    [S.resumeDuringResize]: {
      ...lambdaTask(
        ctx.input.functionArns.replication,
        { action: 'resume', ...TASK_ARNS },
        '$.earlyResume',
        S.noteEarlyResume,
        toRecover,
        'Lambda: one resume request while the resize goes on with the cluster writable.',
      ),
      ResultSelector: { requested: true, 'tasks.$': '$.tasks', resumedAt: null },
    },
    // When replication ran again, for the pause in the notification; a failure only loses that time.
    [S.noteEarlyResume]: {
      ...lambdaTask(
        ctx.input.functionArns.guard,
        reportParameters,
        '$.earlyResume.resumedAt',
        S.countResizePoll,
        catchAll(S.countResizePoll, '$.earlyResumeNoteError'),
        'Lambda (guard, reads only): the time DMS was resumed during the resize.',
      ),
      ResultSelector: { 'reportedAt.$': '$.reportedAt' },
    },
    [S.resizeLimitReached]: {
      Type: 'Choice',
      Comment: 'Past the resize bound: resume DMS only into a writable cluster.',
      Choices: [
        {
          Or: [isTrue('$.resize.writable'), isTrue('$.resize.clusterWritable')],
          Next: S.resizeTimedOut,
        },
      ],
      Default: S.notifyResizeOverdue,
    },
    [S.notifyResizeOverdue]: publish(
      ctx.input.topicArn,
      {
        'Subject.$':
          "States.Format('Redshift resize past its time limit, cluster read-only, DMS kept paused: {}', $.guard.clusterId)",
      },
      '$.resize',
      S.initOverduePoll,
      catchAll(S.initOverduePoll, '$.notifyError'),
    ),
    ...overdue(ctx, check(S.isOverdueDone)),
  };
}

/** The overdue poll: done resumes and succeeds; writable resumes and fails; past its bound, DMS stays paused. */
function overdue(ctx: PhaseContext, check: ReturnType<typeof lambdaTask>): States {
  return {
    ...polled(ctx, 'overdue', {
      check,
      choice: S.isOverdueDone,
      outcomes: [
        { ...isTrue('$.resize.done'), Next: S.initResumePoll },
        {
          Or: [isTrue('$.resize.writable'), isTrue('$.resize.clusterWritable')],
          Next: S.overdueWritable,
        },
      ],
      failures: {
        [S.overdueWritable]: raise(
          'ResizeTimeout',
          resizeCause(ctx.within('resize'), ' (the cluster is writable again)'),
          S.recover,
        ),
      },
      timedOut: S.overdueTimedOut,
      timedOutNext: S.summarizeGaveUp,
      timeoutError: 'ResizeStillReadOnly',
      timeoutCause: (within) => resizeCause(within, ' more while read-only; DMS left paused'),
    }),
    [S.summarizeGaveUp]: {
      Type: 'Pass',
      Parameters: {
        outcome: 'FAILED_DMS_LEFT_PAUSED',
        'execution.$': '$$.Execution.Name',
        'clusterId.$': '$.guard.clusterId',
        'error.$': '$.error',
        'pausedAt.$': '$.guard.evaluatedAt',
        'pausedTaskArns.$': '$.replication.taskArns',
        note: 'The cluster is still read-only, so DMS was not resumed. Once it is writable, resume each task: aws dms start-replication-task --start-replication-task-type resume-processing --replication-task-arn <arn>',
      },
      ResultPath: '$.summary',
      Next: S.notifyGaveUp,
    },
    [S.notifyGaveUp]: publish(
      ctx.input.topicArn,
      {
        'Subject.$':
          "States.Format('Redshift resize FAILED, cluster still read-only, DMS left paused: {}', $.guard.clusterId)",
      },
      '$.summary',
      S.gaveUp,
      catchAll(S.gaveUp, '$.notifyError'),
    ),
    [S.gaveUp]: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
}
