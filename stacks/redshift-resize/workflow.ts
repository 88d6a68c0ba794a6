import { Token } from 'cdktf';
import {
  backstopTimeoutSeconds,
  isSnapshotRetentionDays,
  MAX_EXECUTION_TIMEOUT_SECONDS,
  maxReplicationPauseSeconds,
  NumericExpression,
  PHASES,
  renderResizeDefinition,
  type Phase,
  type ResizePhaseSeconds,
} from './asl';

/**
 * The workflow's synth-time timing. The phase timeouts are Terraform variables (see variables.ts); the
 * poll intervals stay construct props: they bound those variables' validations and are the Wait seconds.
 */
export interface ResizeWorkflowProps {
  /**
   * Wait between two checks of each phase. Each phase timeout variable must be at least its interval and at
   * most MAX_POLLS_PER_PHASE intervals.
   * @default { stop: 30, snapshot: 60, resize: 300, overdue: 1800, resume: 30 }
   */
  readonly pollIntervalsSeconds?: Partial<ResizePhaseSeconds>;
  /**
   * Lower bound of the execution's TimeoutSeconds, a backstop only (a timed-out execution runs no Catch and
   * leaves DMS stopped). The deployed TimeoutSeconds is the larger of this and the minimum the phase timeout
   * variables need (minimumExecutionTimeoutSeconds), so a backstop never cuts a bounded run.
   * @default 172800 (48 h)
   */
  readonly executionTimeoutSeconds?: number;
  /**
   * Retention of the pre-resize manual snapshot in days (-1 keeps it until deleted by hand).
   * @default 35
   */
  readonly snapshotRetentionDays?: number;
}

/** Defaults of the phase timeout variables. */
export const DEFAULT_PHASE_TIMEOUTS_SECONDS: ResizePhaseSeconds = {
  stop: 900,
  snapshot: 3600,
  resize: 21600,
  overdue: 21600,
  resume: 900,
};
const DEFAULT_POLL_INTERVALS_SECONDS: ResizePhaseSeconds = {
  stop: 30,
  snapshot: 60,
  resize: 300,
  overdue: 1800,
  resume: 30,
};
const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 48 * 3600;
const DEFAULT_SNAPSHOT_RETENTION_DAYS = 35;
/** Longest poll interval a prop may set (one hour). */
const MAX_POLL_INTERVAL_SECONDS = 3600;
/**
 * Most checks one phase may make: a phase timeout variable is at most this many poll intervals. An execution
 * history holds at most 25,000 events and one poll iteration takes about 11; five loops (stop, snapshot,
 * resize, resume, resume-on-failure) of 300 stay well below it.
 */
export const MAX_POLLS_PER_PHASE = 300;
/**
 * A classic resize keeps the cluster read-only for hours or days. Below this resize budget the run would
 * give up (and resume DMS into a read-only cluster) while Redshift is still resizing, so the plan refuses
 * resize_type "classic" unless the resize phase timeout variable is at least this.
 */
export const CLASSIC_RESIZE_MIN_PHASE_SECONDS = 24 * 3600;

/** The workflow's synth-time timing with defaults applied, validated. */
export interface ResolvedWorkflow {
  readonly pollIntervalsSeconds: ResizePhaseSeconds;
  readonly executionTimeoutSeconds: number;
  readonly snapshotRetentionDays: number;
}

function plainNumber(path: string, value: number): number {
  if (Token.isUnresolved(value)) {
    throw new Error(
      `RedshiftResizeStack ${path} must be a plain number at synth time, not a Terraform token: ` +
        'the state machine definition is built from it',
    );
  }
  return value;
}

export function resolveWorkflow(props: ResizeWorkflowProps = {}): ResolvedWorkflow {
  const intervals = { ...DEFAULT_POLL_INTERVALS_SECONDS, ...props.pollIntervalsSeconds };
  const problems: string[] = [];
  for (const phase of PHASES) {
    const interval = plainNumber(`pollIntervalsSeconds.${phase}`, intervals[phase]);
    if (!Number.isInteger(interval) || interval < 1 || interval > MAX_POLL_INTERVAL_SECONDS)
      problems.push(
        `pollIntervalsSeconds.${phase} must be a whole number from 1 to ${MAX_POLL_INTERVAL_SECONDS}, got ${interval}`,
      );
  }
  const retention = plainNumber(
    'snapshotRetentionDays',
    props.snapshotRetentionDays ?? DEFAULT_SNAPSHOT_RETENTION_DAYS,
  );
  if (!isSnapshotRetentionDays(retention))
    problems.push(`snapshotRetentionDays must be -1 or 1..3653, got ${retention}`);
  const executionTimeout = plainNumber(
    'executionTimeoutSeconds',
    props.executionTimeoutSeconds ?? DEFAULT_EXECUTION_TIMEOUT_SECONDS,
  );
  if (
    !Number.isInteger(executionTimeout) ||
    executionTimeout < 1 ||
    executionTimeout > MAX_EXECUTION_TIMEOUT_SECONDS
  )
    problems.push(
      `executionTimeoutSeconds must be a whole number from 1 to ${MAX_EXECUTION_TIMEOUT_SECONDS}, got ${executionTimeout}`,
    );
  if (problems.length > 0)
    throw new Error(`RedshiftResizeStack workflow props are invalid: ${problems.join('; ')}`);
  return {
    pollIntervalsSeconds: intervals,
    executionTimeoutSeconds: executionTimeout,
    snapshotRetentionDays: retention,
  };
}

/** Largest value the timeout variable of a phase accepts: MAX_POLLS_PER_PHASE poll intervals. */
export function maxPhaseTimeoutSeconds(workflow: ResolvedWorkflow, phase: Phase): number {
  return workflow.pollIntervalsSeconds[phase] * MAX_POLLS_PER_PHASE;
}

interface WorkflowArns {
  readonly guard: string;
  readonly replication: string;
  readonly resize: string;
  readonly topic: string;
}

/** The phase timeouts as Terraform expressions over the timeout variables (names from variables.ts). */
export type PhaseTimeoutVariables = { readonly [P in Phase]: string };

const timeoutExpressions = (names: PhaseTimeoutVariables) => ({
  stop: new NumericExpression(`var.${names.stop}`),
  snapshot: new NumericExpression(`var.${names.snapshot}`),
  resize: new NumericExpression(`var.${names.resize}`),
  overdue: new NumericExpression(`var.${names.overdue}`),
  resume: new NumericExpression(`var.${names.resume}`),
});

/**
 * The longest replication pause, as a Terraform expression over the timeout variables (without `${}`).
 * Aurora binlog retention must outlast it.
 */
export function maxReplicationPauseExpression(names: PhaseTimeoutVariables): string {
  const pause = maxReplicationPauseSeconds({ phaseTimeoutsSeconds: timeoutExpressions(names) });
  if (typeof pause === 'number') throw new Error('unreachable: the timeouts are expressions');
  return pause.terraform;
}

/**
 * The state machine definition (a Terraform template: attempt bounds, TimeoutSeconds and the timeout
 * messages come from the timeout variables) for these ARNs (which may hold Terraform references).
 */
export function workflowDefinition(
  arns: WorkflowArns,
  workflow: ResolvedWorkflow,
  names: PhaseTimeoutVariables,
): string {
  const phaseTimeoutsSeconds = timeoutExpressions(names);
  return renderResizeDefinition({
    functionArns: { guard: arns.guard, replication: arns.replication, resize: arns.resize },
    topicArn: arns.topic,
    phaseTimeoutsSeconds,
    pollIntervalsSeconds: workflow.pollIntervalsSeconds,
    timeoutSeconds: backstopTimeoutSeconds(workflow.executionTimeoutSeconds, {
      phaseTimeoutsSeconds,
    }),
    snapshotRetentionDays: workflow.snapshotRetentionDays,
  });
}
