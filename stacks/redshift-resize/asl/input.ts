/** What the resize workflow definition is built from: function and topic ARNs and the phase timing. */

export interface ResizePhaseSeconds {
  /** DMS tasks stopping. */
  readonly stop: number;
  /** Manual snapshot becoming available. */
  readonly snapshot: number;
  /** Resize running until the cluster is available at the target size. */
  readonly resize: number;
  /**
   * Past the resize bound, while the cluster is still read-only: keep DMS paused and keep polling this much
   * longer (a classic resize to a non-RA3 target "can take days or possibly weeks").
   */
  readonly overdue: number;
  /** DMS tasks running again (also the budget of the resume-on-failure loop). */
  readonly resume: number;
}

/** The polled phases, in the order an execution runs them. */
export const PHASES = [
  'stop',
  'snapshot',
  'resize',
  'overdue',
  'resume',
] as const satisfies readonly (keyof ResizePhaseSeconds)[];
export type Phase = (typeof PHASES)[number];

/**
 * Redshift's ManualSnapshotRetentionPeriod: -1 (kept until deleted) or 1 to 3,653 days.
 * https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateClusterSnapshot.html
 */
export const isSnapshotRetentionDays = (days: number) =>
  Number.isInteger(days) && (days === -1 || (days >= 1 && days <= 3653));

export class ResizeDefinitionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResizeDefinitionInputError';
  }
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

/** Phase timeouts that may be Terraform expressions. */
export type DeployPhaseSeconds = { readonly [P in Phase]: DeployNumber };

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
  readonly phaseTimeoutsSeconds: DeployPhaseSeconds;
  readonly timeoutSeconds: DeployNumber;
}
