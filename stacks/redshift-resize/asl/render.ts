/**
 * The resize workflow's definition for the stack: validated, then as a plain object (plain-number timing)
 * or as a Terraform template (timing from Terraform variables).
 */
import {
  isSnapshotRetentionDays,
  NumericExpression,
  PHASES,
  ResizeDefinitionInputError,
  type ResizeDefinitionInput,
  type ResizeDefinitionTemplateInput,
} from './input';
import { assemble } from './states';
import { MAX_EXECUTION_TIMEOUT_SECONDS, minimumExecutionTimeoutSeconds } from './timing';
import type { AslDefinition } from './types';

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
    if (!isSnapshotRetentionDays(input.snapshotRetentionDays))
      problems.push('snapshotRetentionDays must be -1 or 1..3653');
  }
  const timeoutSeconds = input.timeoutSeconds;
  const minimum = minimumExecutionTimeoutSeconds(input);
  if (problems.length === 0 && typeof timeoutSeconds === 'number') {
    if (typeof minimum !== 'number') {
      // The minimum is known only at deploy time, so a plain TimeoutSeconds could cut a bounded run.
      problems.push(
        'timeoutSeconds must be an expression of at least minimumExecutionTimeoutSeconds(input) when the phase timeouts are expressions',
      );
    } else if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < minimum) {
      problems.push(
        `timeoutSeconds (${timeoutSeconds}) must be an integer of at least ${minimum}: when the execution times out ` +
          'no Catch runs and the stopped DMS tasks stay stopped',
      );
    } else if (timeoutSeconds > MAX_EXECUTION_TIMEOUT_SECONDS) {
      problems.push(`timeoutSeconds must not exceed ${MAX_EXECUTION_TIMEOUT_SECONDS} (one year)`);
    }
  }
  if (problems.length > 0)
    throw new ResizeDefinitionInputError(`invalid resize workflow input: ${problems.join('; ')}`);
}

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
