/**
 * Building blocks of the resize workflow: state names, retry and catch policies, the Task and Pass shapes
 * the phases repeat, and the IAM actions of the state machine's own calls. states.ts puts them together.
 */
import type { AslCatcher, AslPassState, AslRetrier, AslTaskState, JsonValue } from './types';

/** Lambda tasks: longer than any handler's own timeout (the stack sets those at 60 s or less). */
const LAMBDA_TASK_TIMEOUT_SECONDS = 120;

/** Step Functions' own transient Lambda errors; the handlers are idempotent, so retrying them is safe. */
const LAMBDA_RETRY: AslRetrier = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    'Lambda.ClientExecutionTimeoutException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};
/**
 * A function whose own SDK call ran out of retries throws the SDK's error, named by its code: retry the
 * throttling and transient ones the JS SDK retries (and 5xx codes), since each function is safe to re-run
 * (it re-reads the cluster and the tasks first). Step Functions matches a Lambda error by its error name:
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html ; the SDK's retryable
 * errors: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
const FUNCTION_SDK_RETRY: AslRetrier = {
  ErrorEquals: [
    'Throttling',
    'ThrottlingException',
    'ThrottledException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeoutException',
    'InternalFailure',
    'InternalError',
    'ServiceUnavailable',
  ],
  IntervalSeconds: 10,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};
/**
 * A function whose write got no reply on any SDK attempt throws ReplyLostError (functions/redshift-resize/
 * errors.ts): the write may have applied, and the re-run step reads before it writes, so it finds it.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
const FUNCTION_REPLY_LOST_RETRY: AslRetrier = {
  ErrorEquals: ['ReplyLostError'],
  IntervalSeconds: 10,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};
/** Reads and notifications: any task failure is worth a few retries. */
export const SDK_RETRY: AslRetrier = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 5,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

/** Names of the states, exported so tests and the docs can refer to them. */
export const S = {
  guard: 'Guard',
  isResizeNeeded: 'IsResizeNeeded',
  notifySkipped: 'NotifySkipped',
  skipped: 'Skipped',
  summarizeEarlyFailure: 'SummarizeEarlyFailure',
  notifyEarlyFailure: 'NotifyFailedBeforeStop',
  failedBeforeStop: 'FailedBeforeStop',
  selectTasks: 'SelectReplicationTasks',
  isDryRun: 'IsDryRun',
  summarizeDryRun: 'SummarizeDryRun',
  notifyDryRun: 'NotifyDryRun',
  dryRunDone: 'DryRunDone',
  initStopPoll: 'InitStopPoll',
  stopTasks: 'StopReplicationTasks',
  areTasksStopped: 'AreTasksStopped',
  countStopPoll: 'CountStopPoll',
  waitForStop: 'WaitForStop',
  stopTimedOut: 'StopTimedOut',
  createSnapshot: 'CreateSnapshot',
  initSnapshotPoll: 'InitSnapshotPoll',
  checkSnapshot: 'CheckSnapshot',
  isSnapshotAvailable: 'IsSnapshotAvailable',
  countSnapshotPoll: 'CountSnapshotPoll',
  waitForSnapshot: 'WaitForSnapshot',
  snapshotFailed: 'SnapshotFailed',
  snapshotTimedOut: 'SnapshotTimedOut',
  startResize: 'StartResize',
  initResizePoll: 'InitResizePoll',
  checkResize: 'CheckResize',
  isResizeDone: 'IsResizeDone',
  countResizePoll: 'CountResizePoll',
  waitForResize: 'WaitForResize',
  resizeTimedOut: 'ResizeTimedOut',
  initEarlyResume: 'InitEarlyResume',
  resumeDuringResize: 'ResumeWhileResizeWritable',
  noteEarlyResume: 'NoteEarlyResume',
  resizeLimitReached: 'IsClusterWritableAtResizeLimit',
  notifyResizeOverdue: 'NotifyResizeOverdue',
  initOverduePoll: 'InitOverduePoll',
  checkOverdue: 'CheckOverdueResize',
  isOverdueDone: 'IsOverdueResizeDone',
  countOverduePoll: 'CountOverduePoll',
  waitForOverdue: 'WaitForOverdueResize',
  overdueWritable: 'OverdueResizeWritable',
  overdueTimedOut: 'OverdueResizeTimedOut',
  summarizeGaveUp: 'SummarizeStillReadOnly',
  notifyGaveUp: 'NotifyStillReadOnly',
  gaveUp: 'StillReadOnly',
  initResumePoll: 'InitResumePoll',
  resumeTasks: 'ResumeReplicationTasks',
  areTasksRunning: 'AreTasksRunning',
  countResumePoll: 'CountResumePoll',
  waitForResume: 'WaitForResume',
  resumeTimedOut: 'ResumeTimedOut',
  reportRun: 'ReportRun',
  reportUnavailable: 'ReportUnavailable',
  summarizeSuccess: 'SummarizeSuccess',
  notifySucceeded: 'NotifySucceeded',
  succeeded: 'Succeeded',
  recover: 'Recover',
  resumeAfterFailure: 'ResumeAfterFailure',
  isRecoveryDone: 'IsRecoveryDone',
  countRecoveryPoll: 'CountRecoveryPoll',
  waitForRecovery: 'WaitForRecovery',
  summarizeFailure: 'SummarizeFailure',
  notifyFailure: 'NotifyFailure',
  failed: 'Failed',
} as const;

/** The tasks this execution paused: the only ones it ever resumes. */
export const TASK_ARNS = { 'taskArns.$': '$.replication.taskArns' };

/** Any error: put it at $.error (as raise does) and go to `next`. */
export const catchAll = (next: string, resultPath = '$.error'): AslCatcher[] => [
  { ErrorEquals: ['States.ALL'], Next: next, ResultPath: resultPath },
];
/** Before the stop: notify and fail, DMS untouched. */
export const toEarlyFailure = catchAll(S.summarizeEarlyFailure);
/** From the stop on: resume the tasks this execution stopped, then notify and fail. */
export const toRecover = catchAll(S.recover);

export function lambdaTask(
  functionArn: string,
  parameters: { [key: string]: JsonValue },
  resultPath: string,
  next: string,
  catchers: AslCatcher[],
  comment: string,
): AslTaskState {
  return {
    Type: 'Task',
    Comment: comment,
    Resource: functionArn,
    Parameters: parameters,
    ResultPath: resultPath,
    TimeoutSeconds: LAMBDA_TASK_TIMEOUT_SECONDS,
    Retry: [LAMBDA_RETRY, FUNCTION_SDK_RETRY, FUNCTION_REPLY_LOST_RETRY],
    Catch: catchers,
    Next: next,
  };
}

export function publish(
  topicArn: string,
  subject: { [key: string]: JsonValue },
  messagePath: string,
  next: string,
  catchers: AslCatcher[],
): AslTaskState {
  return {
    Type: 'Task',
    Comment:
      'SDK integration: one SNS Publish of a JSON summary (Step Functions serializes it), no logic worth a Lambda.',
    Resource: 'arn:aws:states:::sns:publish',
    Parameters: { TopicArn: topicArn, ...subject, 'Message.$': messagePath },
    ResultPath: null,
    Retry: [SDK_RETRY],
    Catch: catchers,
    Next: next,
  };
}

/** Puts an {Error, Cause} at $.error, as a Catch would, and moves on (Choice states cannot Catch). */
export function raise(error: string, cause: string, next: string): AslPassState {
  return {
    Type: 'Pass',
    Parameters: { Error: error, 'Cause.$': cause },
    ResultPath: '$.error',
    Next: next,
  };
}

/**
 * Where the IAM statement of an SDK action may act: the cluster (DescribeClusterSnapshots authorizes on the
 * cluster only), the cluster and its resize snapshots, or the topic.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html
 */
export type SdkActionScope = 'cluster' | 'snapshot' | 'topic';

/**
 * The IAM actions of the state machine's own calls (its SDK-integration and SNS tasks), in the order of the
 * role's statements; the role also invokes the three functions (lambda:InvokeFunction).
 */
export const STATE_MACHINE_SDK_ACTIONS: readonly {
  readonly sid: string;
  readonly action: string;
  readonly scope: SdkActionScope;
}[] = [
  { sid: 'SnapshotBeforeResize', action: 'redshift:CreateClusterSnapshot', scope: 'snapshot' },
  { sid: 'WatchResizeSnapshot', action: 'redshift:DescribeClusterSnapshots', scope: 'cluster' },
  { sid: 'Notify', action: 'sns:Publish', scope: 'topic' },
];

/** One statement per STATE_MACHINE_SDK_ACTIONS entry, on the resources of its scope. */
export function stateMachineSdkStatements(resources: Record<SdkActionScope, readonly string[]>) {
  return STATE_MACHINE_SDK_ACTIONS.map(({ sid, action, scope }) => ({
    sid,
    actions: [action],
    resources: resources[scope],
  }));
}
