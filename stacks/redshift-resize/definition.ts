/**
 * Amazon States Language definition of the Redshift resize workflow, as typed TypeScript. Pure module (no
 * cdktf): the stack calls buildResizeDefinition() and puts JSON.stringify(result) into the state machine.
 *
 * Flow: Guard -> (skip: notify, succeed) | Select DMS tasks -> Stop (bounded poll) -> Snapshot (bounded poll)
 * -> Resize (bounded poll) -> Resume (bounded poll) -> notify success.
 * Every Task from the Stop on catches into Recover: resume exactly the tasks this execution stopped (bounded
 * poll, tolerant of running tasks), then notify the failure with its cause, then Fail. Tasks before the
 * stop catch into a notification and Fail without touching DMS.
 */

// ---------------------------------------------------------------------------------------------------------
// ASL types (the subset this workflow uses; JSONPath query language)

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface AslCatcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface AslStateBase {
  Comment?: string;
}

type Transition = { Next: string; End?: never } | { End: true; Next?: never };

export type AslTaskState = AslStateBase &
  Transition & {
    Type: 'Task';
    Resource: string;
    Parameters?: { [key: string]: JsonValue };
    ResultSelector?: { [key: string]: JsonValue };
    ResultPath?: string | null;
    TimeoutSeconds?: number;
    Retry?: AslRetrier[];
    Catch?: AslCatcher[];
  };

export type AslPassState = AslStateBase &
  Transition & {
    Type: 'Pass';
    Result?: JsonValue;
    Parameters?: { [key: string]: JsonValue };
    ResultPath?: string | null;
  };

export type AslWaitState = AslStateBase & Transition & { Type: 'Wait'; Seconds: number };

/**
 * `N` is the type of the numbers known only at deploy time (poll-attempt bounds and the execution
 * TimeoutSeconds): `number` for a concrete definition, `number | NumericExpression` for a Terraform template.
 */
export type AslChoiceRule<N = number> =
  | { Variable: string; StringEquals: string }
  | { Variable: string; BooleanEquals: boolean }
  | { Variable: string; NumericGreaterThanEquals: N }
  | { Or: AslChoiceRule<N>[] }
  | { And: AslChoiceRule<N>[] };

export interface AslChoiceState<N = number> extends AslStateBase {
  Type: 'Choice';
  Choices: (AslChoiceRule<N> & { Next: string })[];
  Default: string;
}

export interface AslSucceedState extends AslStateBase {
  Type: 'Succeed';
}

export interface AslFailState extends AslStateBase {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export type AslState<N = number> =
  | AslTaskState
  | AslPassState
  | AslWaitState
  | AslChoiceState<N>
  | AslSucceedState
  | AslFailState;

export interface AslDefinition<N = number> {
  Comment: string;
  StartAt: string;
  TimeoutSeconds: N;
  States: Record<string, AslState<N>>;
}

/**
 * A whole number known only when Terraform renders the definition: a Terraform expression over variables,
 * without `${}` (e.g. `var.redshift_stop_timeout_seconds`). renderResizeDefinition writes it into the JSON
 * as an unquoted interpolation, which Terraform renders as a JSON number.
 */
export class NumericExpression {
  constructor(readonly terraform: string) {
    if (terraform.trim() === '' || terraform.includes('${') || terraform.includes('"'))
      throw new ResizeDefinitionInputError(
        `a numeric expression must be a bare Terraform expression without quotes or \${}, got ${JSON.stringify(terraform)}`,
      );
  }
}

/** A plain number, or a Terraform expression that yields one at deploy time. */
export type DeployNumber = number | NumericExpression;

// ---------------------------------------------------------------------------------------------------------
// Inputs

export interface ResizePhaseSeconds {
  /** DMS tasks stopping. */
  readonly stop: number;
  /** Manual snapshot becoming available. */
  readonly snapshot: number;
  /** Resize running until the cluster is available at the target size. */
  readonly resize: number;
  /** DMS tasks running again (also the budget of the resume-on-failure loop). */
  readonly resume: number;
}

export interface ResizeDefinitionInput {
  /**
   * Lambda function ARNs (Terraform references are fine: they stay strings in the JSON):
   * guard = asset redshift-resize-guard, replication = redshift-resize-replication,
   * resize = redshift-resize-resize.
   */
  readonly functionArns: {
    readonly guard: string;
    readonly replication: string;
    readonly resize: string;
  };
  /** SNS topic for the skipped / succeeded / failed notifications. */
  readonly topicArn: string;
  /** Upper bound of each polling phase; exceeding one fails into the resume-on-failure path. Plain numbers. */
  readonly phaseTimeoutsSeconds: ResizePhaseSeconds;
  /** Wait between two checks of each phase. Plain numbers. */
  readonly pollIntervalsSeconds: ResizePhaseSeconds;
  /**
   * The execution's TimeoutSeconds: a backstop only. When it fires no Catch runs and DMS stays stopped, so it
   * must exceed every bounded path: at least minimumExecutionTimeoutSeconds(input).
   */
  readonly timeoutSeconds: number;
  /** Retention of the pre-resize manual snapshot; omitted = the cluster's default manual retention. */
  readonly snapshotRetentionDays?: number;
}

/**
 * The input of renderResizeDefinition: the phase timeouts and the execution timeout may be Terraform
 * expressions (validated by Terraform, e.g. variable validations); everything else as in ResizeDefinitionInput.
 */
export interface ResizeDefinitionTemplateInput
  extends Omit<ResizeDefinitionInput, 'phaseTimeoutsSeconds' | 'timeoutSeconds'> {
  readonly phaseTimeoutsSeconds: { readonly [P in keyof ResizePhaseSeconds]: DeployNumber };
  readonly timeoutSeconds: DeployNumber;
}

export class ResizeDefinitionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResizeDefinitionInputError';
  }
}

const PHASES = ['stop', 'snapshot', 'resize', 'resume'] as const;
/** Budget for the non-polling states (guard, select, snapshot/resize calls, notifications, retries). */
const FIXED_OVERHEAD_SECONDS = 900;
/**
 * Each poll iteration also spends time in its Task; allow 20 % (6/5, a ratio both JavaScript and Terraform
 * compute exactly for whole numbers) on top of the nominal phase bounds.
 */
const POLL_OVERHEAD = { times: 6, over: 5 } as const;
/** Lambda tasks: longer than any handler's own timeout (the stack sets those at 60 s or less). */
const LAMBDA_TASK_TIMEOUT_SECONDS = 120;
const MAX_STANDARD_EXECUTION_SECONDS = 365 * 24 * 3600;

/** Checks of a phase before it counts as timed out: ceil(timeout / interval). */
export function maxPollAttempts(
  input: ResizeDefinitionInput,
  phase: keyof ResizePhaseSeconds,
): number {
  return Math.max(
    1,
    Math.ceil(input.phaseTimeoutsSeconds[phase] / input.pollIntervalsSeconds[phase]),
  );
}

/**
 * Longest time replication can stay paused by an execution that is not killed: stop + snapshot + resize +
 * resume, plus the resume-on-failure loop. Aurora binlog retention must outlast it (see the README).
 */
export function maxReplicationPauseSeconds(
  input: Pick<ResizeDefinitionInput, 'phaseTimeoutsSeconds'>,
): number {
  const t = input.phaseTimeoutsSeconds;
  return (
    Math.ceil(
      ((t.stop + t.snapshot + t.resize + 2 * t.resume) * POLL_OVERHEAD.times) / POLL_OVERHEAD.over,
    ) + FIXED_OVERHEAD_SECONDS
  );
}

/** Smallest execution TimeoutSeconds that never cuts a bounded path (and so never strands stopped DMS tasks). */
export function minimumExecutionTimeoutSeconds(
  input: Pick<ResizeDefinitionInput, 'phaseTimeoutsSeconds'>,
): number {
  return maxReplicationPauseSeconds(input) + FIXED_OVERHEAD_SECONDS;
}

// The same three bounds for timeouts that may be Terraform expressions: a number when all are numbers,
// otherwise a NumericExpression computing exactly what the functions above compute.

const terraformOf = (n: DeployNumber) =>
  typeof n === 'number'
    ? String(n)
    : /^[A-Za-z_][\w.]*$/.test(n.terraform)
      ? n.terraform
      : `(${n.terraform})`;
const allNumbers = (
  t: ResizeDefinitionTemplateInput['phaseTimeoutsSeconds'],
): t is ResizePhaseSeconds => PHASES.every((phase) => typeof t[phase] === 'number');

/** maxPollAttempts for a timeout that may be an expression: `max(1, ceil(timeout / interval))`. */
export function maxPollAttemptsOf(
  input: ResizeDefinitionTemplateInput,
  phase: keyof ResizePhaseSeconds,
): DeployNumber {
  const timeout = input.phaseTimeoutsSeconds[phase];
  const interval = input.pollIntervalsSeconds[phase];
  if (typeof timeout === 'number') return Math.max(1, Math.ceil(timeout / interval));
  return new NumericExpression(`max(1, ceil(${terraformOf(timeout)} / ${interval}))`);
}

/** maxReplicationPauseSeconds for timeouts that may be expressions. */
export function maxReplicationPauseSecondsOf(
  input: Pick<ResizeDefinitionTemplateInput, 'phaseTimeoutsSeconds'>,
): DeployNumber {
  const t = input.phaseTimeoutsSeconds;
  if (allNumbers(t)) return maxReplicationPauseSeconds({ phaseTimeoutsSeconds: t });
  const [stop, snapshot, resize, resume] = PHASES.map((phase) => terraformOf(t[phase]));
  return new NumericExpression(
    `ceil((${stop} + ${snapshot} + ${resize} + 2 * ${resume}) * ${POLL_OVERHEAD.times} / ${POLL_OVERHEAD.over}) + ${FIXED_OVERHEAD_SECONDS}`,
  );
}

/** minimumExecutionTimeoutSeconds for timeouts that may be expressions. */
export function minimumExecutionTimeoutSecondsOf(
  input: Pick<ResizeDefinitionTemplateInput, 'phaseTimeoutsSeconds'>,
): DeployNumber {
  const pause = maxReplicationPauseSecondsOf(input);
  return typeof pause === 'number'
    ? pause + FIXED_OVERHEAD_SECONDS
    : new NumericExpression(`${pause.terraform} + ${FIXED_OVERHEAD_SECONDS}`);
}

function validate(input: ResizeDefinitionTemplateInput): void {
  const problems: string[] = [];
  for (const [name, arn] of Object.entries(input.functionArns)) {
    if (typeof arn !== 'string' || arn.trim() === '')
      problems.push(`functionArns.${name} must be a non-empty string`);
  }
  if (typeof input.topicArn !== 'string' || input.topicArn.trim() === '')
    problems.push('topicArn must be a non-empty string');
  for (const phase of PHASES) {
    const timeout = input.phaseTimeoutsSeconds[phase];
    const interval = input.pollIntervalsSeconds[phase];
    // An expression is Terraform's to check (the stack validates its variables against the interval).
    const plain = typeof timeout === 'number';
    if (plain && (!Number.isInteger(timeout) || timeout < 1))
      problems.push(`phaseTimeoutsSeconds.${phase} must be a positive integer`);
    if (!Number.isInteger(interval) || interval < 1)
      problems.push(`pollIntervalsSeconds.${phase} must be a positive integer`);
    else if (plain && Number.isInteger(timeout) && interval > timeout) {
      problems.push(
        `pollIntervalsSeconds.${phase} (${interval}) must not exceed phaseTimeoutsSeconds.${phase} (${timeout})`,
      );
    }
  }
  if (input.snapshotRetentionDays !== undefined) {
    const d = input.snapshotRetentionDays;
    if (!Number.isInteger(d) || d === 0 || d < -1 || d > 3653)
      problems.push('snapshotRetentionDays must be -1 or 1..3653');
  }
  const timeoutSeconds = input.timeoutSeconds;
  const minimum = minimumExecutionTimeoutSecondsOf(input);
  if (problems.length === 0 && typeof timeoutSeconds === 'number') {
    if (typeof minimum !== 'number') {
      // The minimum is known only at deploy time, so a plain TimeoutSeconds could cut a bounded run.
      problems.push(
        'timeoutSeconds must be an expression of at least minimumExecutionTimeoutSecondsOf(input) when the phase timeouts are expressions',
      );
    } else if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < minimum) {
      problems.push(
        `timeoutSeconds (${timeoutSeconds}) must be an integer of at least ${minimum}: when the execution times out ` +
          'no Catch runs and the stopped DMS tasks stay stopped',
      );
    } else if (timeoutSeconds > MAX_STANDARD_EXECUTION_SECONDS) {
      problems.push(`timeoutSeconds must not exceed ${MAX_STANDARD_EXECUTION_SECONDS} (one year)`);
    }
  }
  if (problems.length > 0)
    throw new ResizeDefinitionInputError(`invalid resize workflow input: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks

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
/** Reads and notifications: any task failure is worth a few retries. */
const SDK_RETRY: AslRetrier = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 5,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};
const SNAPSHOT_EXISTS = 'Redshift.ClusterSnapshotAlreadyExistsException';

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
  initResumePoll: 'InitResumePoll',
  resumeTasks: 'ResumeReplicationTasks',
  areTasksRunning: 'AreTasksRunning',
  countResumePoll: 'CountResumePoll',
  waitForResume: 'WaitForResume',
  resumeTimedOut: 'ResumeTimedOut',
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

const toEarlyFailure: AslCatcher[] = [
  { ErrorEquals: ['States.ALL'], Next: S.summarizeEarlyFailure, ResultPath: '$.error' },
];
const toRecover: AslCatcher[] = [
  { ErrorEquals: ['States.ALL'], Next: S.recover, ResultPath: '$.error' },
];

function lambdaTask(
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
    Retry: [LAMBDA_RETRY],
    Catch: catchers,
    Next: next,
  };
}

function publish(
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

/** Init counter -> check -> Choice(done | timed out | again) -> count -> Wait -> check. */
function pollLoop(
  names: { init: string; check: string; count: string; wait: string },
  intervalSeconds: number,
): Record<string, AslState> {
  return {
    [names.init]: {
      Type: 'Pass',
      Result: { attempts: 0 },
      ResultPath: '$.poll',
      Next: names.check,
    },
    [names.count]: {
      Type: 'Pass',
      Parameters: { 'attempts.$': 'States.MathAdd($.poll.attempts, 1)' },
      ResultPath: '$.poll',
      Next: names.wait,
    },
    [names.wait]: { Type: 'Wait', Seconds: intervalSeconds, Next: names.check },
  };
}

/** Puts an {Error, Cause} at $.error, as a Catch would, and moves on (Choice states cannot Catch). */
function raise(error: string, cause: string, next: string): AslPassState {
  return {
    Type: 'Pass',
    Parameters: { Error: error, 'Cause.$': cause },
    ResultPath: '$.error',
    Next: next,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The definition

/** The definition as a plain object, for plain-number timing. Throws ResizeDefinitionInputError on bad input. */
export function buildResizeDefinition(input: ResizeDefinitionInput): AslDefinition {
  validate(input);
  // Every DeployNumber assemble() writes is computed from the input's numbers, so all of them are numbers.
  return assemble(input) as AslDefinition;
}

/**
 * The definition as JSON text for timing that may hold Terraform expressions: each NumericExpression is
 * written as an unquoted `${...}`, so the text is a Terraform template that renders to JSON with numbers
 * in those places (and `within ${...} s` in the timeout messages). With plain numbers only, it is
 * JSON.stringify(buildResizeDefinition(input)).
 */
export function renderResizeDefinition(input: ResizeDefinitionTemplateInput): string {
  validate(input);
  const expressions: string[] = [];
  const placeholder = (i: number) => `__TF_NUM_${i}__`;
  const text = JSON.stringify(assemble(input), (_key, value: unknown) =>
    value instanceof NumericExpression ? placeholder(expressions.push(value.terraform) - 1) : value,
  );
  return expressions.reduce((out, expression, i) => {
    const parts = out.split(JSON.stringify(placeholder(i)));
    if (parts.length !== 2)
      throw new ResizeDefinitionInputError(
        `placeholder ${placeholder(i)} is not unique in the definition`,
      );
    return parts.join(`\${${expression}}`);
  }, text);
}

function assemble(input: ResizeDefinitionTemplateInput): AslDefinition<DeployNumber> {
  const fn = input.functionArns;
  const iv = input.pollIntervalsSeconds;
  const attempts = (phase: keyof ResizePhaseSeconds) => maxPollAttemptsOf(input, phase);
  /** The phase timeout as message text: the number, or an interpolation of the expression. */
  const within = (phase: keyof ResizePhaseSeconds) => {
    const t = input.phaseTimeoutsSeconds[phase];
    return typeof t === 'number' ? String(t) : `\${${t.terraform}}`;
  };
  const taskArns = { 'taskArns.$': '$.replication.taskArns' };

  const states: Record<string, AslState<DeployNumber>> = {
    // ---- before the stop: failures notify and fail, DMS untouched --------------------------------------
    [S.guard]: lambdaTask(
      fn.guard,
      { 'executionName.$': '$$.Execution.Name' },
      '$.guard',
      S.isResizeNeeded,
      toEarlyFailure,
      'Lambda: node-type limit table, target computation, cooldown from DescribeResize/DescribeEvents.',
    ),
    [S.isResizeNeeded]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.guard.decision', StringEquals: 'RESIZE', Next: S.selectTasks }],
      Default: S.notifySkipped,
    },
    [S.notifySkipped]: publish(
      input.topicArn,
      { 'Subject.$': "States.Format('Redshift resize skipped: {}', $.guard.clusterId)" },
      '$.guard',
      S.skipped,
      [{ ErrorEquals: ['States.ALL'], Next: S.summarizeEarlyFailure, ResultPath: '$.error' }],
    ),
    [S.skipped]: {
      Type: 'Succeed',
      Comment:
        'Nothing to do (no growth possible, cooldown, busy or unknown cluster): DMS untouched.',
    },
    [S.selectTasks]: lambdaTask(
      fn.replication,
      { action: 'select' },
      '$.replication',
      S.initStopPoll,
      toEarlyFailure,
      'Lambda: paginated DescribeReplicationTasks, filter by target endpoint and status running; reads only.',
    ),
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
      [{ ErrorEquals: ['States.ALL'], Next: S.failedBeforeStop, ResultPath: '$.notifyError' }],
    ),
    [S.failedBeforeStop]: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },

    // ---- stop DMS: from here on every Task catches into Recover ------------------------------------------
    ...pollLoop(
      { init: S.initStopPoll, check: S.stopTasks, count: S.countStopPoll, wait: S.waitForStop },
      iv.stop,
    ),
    [S.stopTasks]: lambdaTask(
      fn.replication,
      { action: 'stop', ...taskArns },
      '$.stop',
      S.areTasksStopped,
      toRecover,
      'Lambda: per-task status check + StopReplicationTask, idempotent across retries and polls.',
    ),
    [S.areTasksStopped]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.stop.settled', BooleanEquals: true, Next: S.createSnapshot },
        {
          Variable: '$.poll.attempts',
          NumericGreaterThanEquals: attempts('stop'),
          Next: S.stopTimedOut,
        },
      ],
      Default: S.countStopPoll,
    },
    [S.stopTimedOut]: raise(
      'ReplicationStopTimeout',
      `States.Format('DMS tasks did not stop within ${within('stop')} s: {}', States.JsonToString($.stop.tasks))`,
      S.recover,
    ),

    // ---- snapshot ------------------------------------------------------------------------------------
    [S.createSnapshot]: {
      Type: 'Task',
      Comment:
        'SDK integration: one call; a retry that finds its own snapshot (same name) is caught as done.',
      Resource: 'arn:aws:states:::aws-sdk:redshift:createClusterSnapshot',
      Parameters: {
        'ClusterIdentifier.$': '$.guard.clusterId',
        'SnapshotIdentifier.$': '$.guard.snapshotIdentifier',
        ...(input.snapshotRetentionDays !== undefined
          ? { ManualSnapshotRetentionPeriod: input.snapshotRetentionDays }
          : {}),
      },
      ResultPath: null,
      Retry: [{ ErrorEquals: [SNAPSHOT_EXISTS], MaxAttempts: 0 }, SDK_RETRY],
      Catch: [
        { ErrorEquals: [SNAPSHOT_EXISTS], Next: S.initSnapshotPoll, ResultPath: null },
        ...toRecover,
      ],
      Next: S.initSnapshotPoll,
    },
    ...pollLoop(
      {
        init: S.initSnapshotPoll,
        check: S.checkSnapshot,
        count: S.countSnapshotPoll,
        wait: S.waitForSnapshot,
      },
      iv.snapshot,
    ),
    [S.checkSnapshot]: {
      Type: 'Task',
      Comment: 'SDK integration: one read whose status a Choice can test directly.',
      Resource: 'arn:aws:states:::aws-sdk:redshift:describeClusterSnapshots',
      Parameters: {
        'ClusterIdentifier.$': '$.guard.clusterId',
        'SnapshotIdentifier.$': '$.guard.snapshotIdentifier',
      },
      ResultSelector: { 'status.$': '$.Snapshots[0].Status' },
      ResultPath: '$.snapshot',
      Retry: [SDK_RETRY],
      Catch: toRecover,
      Next: S.isSnapshotAvailable,
    },
    [S.isSnapshotAvailable]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.snapshot.status', StringEquals: 'available', Next: S.startResize },
        {
          Or: [
            { Variable: '$.snapshot.status', StringEquals: 'failed' },
            { Variable: '$.snapshot.status', StringEquals: 'deleted' },
          ],
          Next: S.snapshotFailed,
        },
        {
          Variable: '$.poll.attempts',
          NumericGreaterThanEquals: attempts('snapshot'),
          Next: S.snapshotTimedOut,
        },
      ],
      Default: S.countSnapshotPoll,
    },
    [S.snapshotFailed]: raise(
      'SnapshotFailed',
      "States.Format('snapshot {} is {}', $.guard.snapshotIdentifier, $.snapshot.status)",
      S.recover,
    ),
    [S.snapshotTimedOut]: raise(
      'SnapshotTimeout',
      `States.Format('snapshot {} not available within ${within('snapshot')} s (status {})', $.guard.snapshotIdentifier, $.snapshot.status)`,
      S.recover,
    ),

    // ---- resize --------------------------------------------------------------------------------------
    [S.startResize]: lambdaTask(
      fn.resize,
      {
        action: 'start',
        'targetNodeCount.$': '$.guard.targetNodeCount',
        'classic.$': '$.guard.classic',
        'nodeType.$': '$.guard.nodeType',
      },
      '$.resize',
      S.initResizePoll,
      toRecover,
      'Lambda: ResizeCluster is not idempotent; the handler first checks whether an earlier attempt started it.',
    ),
    ...pollLoop(
      {
        init: S.initResizePoll,
        check: S.checkResize,
        count: S.countResizePoll,
        wait: S.waitForResize,
      },
      iv.resize,
    ),
    [S.checkResize]: lambdaTask(
      fn.resize,
      { action: 'status', 'targetNodeCount.$': '$.guard.targetNodeCount' },
      '$.resize',
      S.isResizeDone,
      toRecover,
      'Lambda: combines DescribeClusters and DescribeResize and tells this resize from an earlier one.',
    ),
    [S.isResizeDone]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.resize.done', BooleanEquals: true, Next: S.initResumePoll },
        {
          Variable: '$.poll.attempts',
          NumericGreaterThanEquals: attempts('resize'),
          Next: S.resizeTimedOut,
        },
      ],
      Default: S.countResizePoll,
    },
    [S.resizeTimedOut]: raise(
      'ResizeTimeout',
      `States.Format('resize not finished within ${within('resize')} s: {}', States.JsonToString($.resize))`,
      S.recover,
    ),

    // ---- resume --------------------------------------------------------------------------------------
    ...pollLoop(
      {
        init: S.initResumePoll,
        check: S.resumeTasks,
        count: S.countResumePoll,
        wait: S.waitForResume,
      },
      iv.resume,
    ),
    [S.resumeTasks]: lambdaTask(
      fn.replication,
      { action: 'resume', ...taskArns },
      '$.resume',
      S.areTasksRunning,
      toRecover,
      'Lambda: resume-processing for exactly the stopped tasks, tolerant of running/stopping ones.',
    ),
    [S.areTasksRunning]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.resume.settled', BooleanEquals: true, Next: S.summarizeSuccess },
        {
          Variable: '$.poll.attempts',
          NumericGreaterThanEquals: attempts('resume'),
          Next: S.resumeTimedOut,
        },
      ],
      Default: S.countResumePoll,
    },
    [S.resumeTimedOut]: raise(
      'ResumeTimeout',
      `States.Format('DMS tasks not running within ${within('resume')} s: {}', States.JsonToString($.resume.tasks))`,
      S.recover,
    ),
    [S.summarizeSuccess]: {
      Type: 'Pass',
      Parameters: {
        outcome: 'SUCCEEDED',
        'execution.$': '$$.Execution.Name',
        'clusterId.$': '$.guard.clusterId',
        'nodeType.$': '$.guard.nodeType',
        'fromNodeCount.$': '$.guard.currentNodeCount',
        'toNodeCount.$': '$.guard.targetNodeCount',
        'resizeType.$': '$.guard.resizeType',
        'snapshotIdentifier.$': '$.guard.snapshotIdentifier',
        'resumedTaskArns.$': '$.replication.taskArns',
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

    // ---- recovery: resume exactly the tasks this execution stopped, notify, fail ------------------------
    [S.recover]: {
      Type: 'Pass',
      Result: { attempts: 0 },
      ResultPath: '$.poll',
      Next: S.resumeAfterFailure,
    },
    [S.resumeAfterFailure]: lambdaTask(
      fn.replication,
      { action: 'resume', ...taskArns },
      '$.recovery',
      S.isRecoveryDone,
      [{ ErrorEquals: ['States.ALL'], Next: S.summarizeFailure, ResultPath: '$.recovery' }],
      'Lambda: same idempotent resume as on success; already-running tasks are left alone.',
    ),
    [S.isRecoveryDone]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.recovery.settled', BooleanEquals: true, Next: S.summarizeFailure },
        {
          Variable: '$.poll.attempts',
          NumericGreaterThanEquals: attempts('resume'),
          Next: S.summarizeFailure,
        },
      ],
      Default: S.countRecoveryPoll,
    },
    [S.countRecoveryPoll]: {
      Type: 'Pass',
      Parameters: { 'attempts.$': 'States.MathAdd($.poll.attempts, 1)' },
      ResultPath: '$.poll',
      Next: S.waitForRecovery,
    },
    [S.waitForRecovery]: { Type: 'Wait', Seconds: iv.resume, Next: S.resumeAfterFailure },
    [S.summarizeFailure]: {
      Type: 'Pass',
      Parameters: {
        outcome: 'FAILED',
        'execution.$': '$$.Execution.Name',
        'clusterId.$': '$.guard.clusterId',
        'error.$': '$.error',
        'stoppedTaskArns.$': '$.replication.taskArns',
        'replicationRecovery.$': '$.recovery',
      },
      ResultPath: '$.summary',
      Next: S.notifyFailure,
    },
    [S.notifyFailure]: publish(
      input.topicArn,
      { 'Subject.$': "States.Format('Redshift resize FAILED: {}', $.guard.clusterId)" },
      '$.summary',
      S.failed,
      [{ ErrorEquals: ['States.ALL'], Next: S.failed, ResultPath: '$.notifyError' }],
    ),
    [S.failed]: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };

  return {
    Comment:
      'Redshift resize: guard, pause exactly the running DMS tasks, snapshot, resize, resume them; ' +
      'any failure after the pause resumes them and notifies.',
    StartAt: S.guard,
    TimeoutSeconds: input.timeoutSeconds,
    States: states,
  };
}

/**
 * IAM actions the state machine's own role needs (besides lambda:InvokeFunction on the three functionArns):
 * the SDK-integration and SNS tasks above. Resources: see .agents/redshift-handlers.md.
 */
export const STATE_MACHINE_SDK_ACTIONS = [
  'redshift:CreateClusterSnapshot',
  'redshift:DescribeClusterSnapshots',
  'sns:Publish',
] as const;
