import { Token } from 'cdktf';
import {
  buildResizeDefinition,
  maxReplicationPauseSeconds,
  minimumExecutionTimeoutSeconds,
  type AslDefinition,
  type ResizeDefinitionInput,
  type ResizePhaseSeconds,
} from './definition';

/**
 * The workflow's timing, fixed at synth time. These are construct props, not Terraform variables: the
 * definition builder needs plain integers (poll attempt counts are computed from them and written into
 * Choice states), and a Terraform variable is only a token at synth. Changing them is a code change,
 * reviewed in a pull request together with the Aurora binlog retention it implies (see the README).
 */
export interface ResizeWorkflowProps {
  /**
   * Longest time each phase may take before the run gives up on it and resumes DMS.
   * @default { stop: 900, snapshot: 3600, resize: 21600, resume: 900 }
   */
  readonly phaseTimeoutsSeconds?: Partial<ResizePhaseSeconds>;
  /**
   * Wait between two checks of each phase (each at most its phase timeout).
   * @default { stop: 30, snapshot: 60, resize: 300, resume: 30 }
   */
  readonly pollIntervalsSeconds?: Partial<ResizePhaseSeconds>;
  /**
   * The execution's TimeoutSeconds, a backstop only (a timed-out execution runs no Catch and leaves DMS
   * stopped); at least minimumExecutionTimeoutSeconds of the phases.
   * @default 172800 (48 h)
   */
  readonly executionTimeoutSeconds?: number;
  /**
   * Retention of the pre-resize manual snapshot in days (-1 keeps it until deleted by hand).
   * @default 35
   */
  readonly snapshotRetentionDays?: number;
}

export const DEFAULT_PHASE_TIMEOUTS_SECONDS: ResizePhaseSeconds = {
  stop: 900,
  snapshot: 3600,
  resize: 21600,
  resume: 900,
};
export const DEFAULT_POLL_INTERVALS_SECONDS: ResizePhaseSeconds = {
  stop: 30,
  snapshot: 60,
  resize: 300,
  resume: 30,
};
export const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 48 * 3600;
export const DEFAULT_SNAPSHOT_RETENTION_DAYS = 35;
/**
 * A classic resize keeps the cluster read-only for hours or days. Below this resize budget the run would
 * give up (and resume DMS into a read-only cluster) while Redshift is still resizing, so the plan refuses
 * resize_type "classic" unless the resize phase timeout is raised to at least this.
 */
export const CLASSIC_RESIZE_MIN_PHASE_SECONDS = 24 * 3600;

const PHASES = ['stop', 'snapshot', 'resize', 'resume'] as const;

/** The workflow's timing with defaults applied, validated. */
export interface ResolvedWorkflow {
  readonly phaseTimeoutsSeconds: ResizePhaseSeconds;
  readonly pollIntervalsSeconds: ResizePhaseSeconds;
  readonly executionTimeoutSeconds: number;
  readonly snapshotRetentionDays: number;
  /** Longest replication pause an execution can cause; Aurora binlog retention must outlast it. */
  readonly maxReplicationPauseSeconds: number;
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
  const timeouts = { ...DEFAULT_PHASE_TIMEOUTS_SECONDS, ...props.phaseTimeoutsSeconds };
  const intervals = { ...DEFAULT_POLL_INTERVALS_SECONDS, ...props.pollIntervalsSeconds };
  const problems: string[] = [];
  for (const phase of PHASES) {
    const timeout = plainNumber(`phaseTimeoutsSeconds.${phase}`, timeouts[phase]);
    const interval = plainNumber(`pollIntervalsSeconds.${phase}`, intervals[phase]);
    if (!Number.isInteger(timeout) || timeout < 1)
      problems.push(`phaseTimeoutsSeconds.${phase} must be a whole number >= 1, got ${timeout}`);
    if (!Number.isInteger(interval) || interval < 1)
      problems.push(`pollIntervalsSeconds.${phase} must be a whole number >= 1, got ${interval}`);
    else if (interval > timeout)
      problems.push(
        `pollIntervalsSeconds.${phase} (${interval}) must not exceed phaseTimeoutsSeconds.${phase} (${timeout})`,
      );
  }
  const retention = plainNumber(
    'snapshotRetentionDays',
    props.snapshotRetentionDays ?? DEFAULT_SNAPSHOT_RETENTION_DAYS,
  );
  if (!Number.isInteger(retention) || retention === 0 || retention < -1 || retention > 3653)
    problems.push(`snapshotRetentionDays must be -1 or 1..3653, got ${retention}`);
  const executionTimeout = plainNumber(
    'executionTimeoutSeconds',
    props.executionTimeoutSeconds ?? DEFAULT_EXECUTION_TIMEOUT_SECONDS,
  );
  const timing = { timeouts, intervals, executionTimeout, retention };
  if (problems.length === 0) {
    const minimum = minimumExecutionTimeoutSeconds(definitionInput(PLACEHOLDER_ARNS, timing));
    if (!Number.isInteger(executionTimeout) || executionTimeout < minimum)
      problems.push(
        `executionTimeoutSeconds must be a whole number >= ${minimum} (the longest bounded run of these phases), got ${executionTimeout}`,
      );
  }
  if (problems.length > 0)
    throw new Error(`RedshiftResizeStack workflow props are invalid: ${problems.join('; ')}`);
  return {
    phaseTimeoutsSeconds: timeouts,
    pollIntervalsSeconds: intervals,
    executionTimeoutSeconds: executionTimeout,
    snapshotRetentionDays: retention,
    maxReplicationPauseSeconds: maxReplicationPauseSeconds(
      definitionInput(PLACEHOLDER_ARNS, timing),
    ),
  };
}

export interface WorkflowArns {
  readonly guard: string;
  readonly replication: string;
  readonly resize: string;
  readonly topic: string;
}

/** The bounds depend on the timing only; the ARNs are irrelevant to them. */
const PLACEHOLDER_ARNS: WorkflowArns = { guard: 'g', replication: 'r', resize: 's', topic: 't' };

interface Timing {
  readonly timeouts: ResizePhaseSeconds;
  readonly intervals: ResizePhaseSeconds;
  readonly executionTimeout: number;
  readonly retention: number;
}

function definitionInput(arns: WorkflowArns, w: Timing): ResizeDefinitionInput {
  return {
    functionArns: { guard: arns.guard, replication: arns.replication, resize: arns.resize },
    topicArn: arns.topic,
    phaseTimeoutsSeconds: w.timeouts,
    pollIntervalsSeconds: w.intervals,
    timeoutSeconds: w.executionTimeout,
    snapshotRetentionDays: w.retention,
  };
}

/** The state machine definition for these ARNs (which may hold Terraform references) and this timing. */
export function workflowDefinition(arns: WorkflowArns, workflow: ResolvedWorkflow): AslDefinition {
  return buildResizeDefinition(
    definitionInput(arns, {
      timeouts: workflow.phaseTimeoutsSeconds,
      intervals: workflow.pollIntervalsSeconds,
      executionTimeout: workflow.executionTimeoutSeconds,
      retention: workflow.snapshotRetentionDays,
    }),
  );
}
