import { substituteTf } from '../../../scripts/tf-values';
import {
  backstopTimeoutSeconds,
  maxPollAttempts,
  maxReplicationPauseSeconds,
  minimumExecutionTimeoutSeconds,
  NumericExpression,
  type ResizePhaseSeconds,
} from '../../../stacks/redshift-resize/asl';

const TIMEOUTS: ResizePhaseSeconds = {
  stop: 900,
  snapshot: 3600,
  resize: 21_600,
  overdue: 21_600,
  resume: 900,
};
const INTERVALS: ResizePhaseSeconds = {
  stop: 30,
  snapshot: 60,
  resize: 300,
  overdue: 1800,
  resume: 30,
};
const VARIABLES = {
  stop: new NumericExpression('var.stop'),
  snapshot: new NumericExpression('var.snapshot'),
  resize: new NumericExpression('var.resize'),
  overdue: new NumericExpression('var.overdue'),
  resume: new NumericExpression('var.resume'),
};

/** The number Terraform computes for an expression, given the variables' values. */
function terraformValue(value: number | NumericExpression, vars: Record<string, number>): number {
  if (typeof value === 'number') throw new Error(`expected an expression, got the number ${value}`);
  return Number(substituteTf(`\${${value.terraform}}`, vars, {}));
}

describe('timing formulas over Terraform expressions', () => {
  test('the replication pause is written with the parentheses its arithmetic needs', () => {
    // Act
    const pause = maxReplicationPauseSeconds({ phaseTimeoutsSeconds: VARIABLES });

    // Assess
    expect(pause).toEqual(
      new NumericExpression(
        'ceil((var.stop + var.snapshot + var.resize + var.overdue + 2 * var.resume) * 6 / 5) + 900',
      ),
    );
  });

  test('with one timeout an expression, the others are written as numbers and the value is unchanged', () => {
    // Prepare
    const mixed = { ...TIMEOUTS, resize: new NumericExpression('var.resize') };

    // Act
    const minimum = minimumExecutionTimeoutSeconds({ phaseTimeoutsSeconds: mixed });

    // Assess
    expect(minimum).toEqual(
      new NumericExpression(
        'ceil((900 + 3600 + var.resize + 21600 + 2 * 900) * 6 / 5) + 900 + 900',
      ),
    );
    expect(terraformValue(minimum, { resize: TIMEOUTS.resize })).toBe(
      minimumExecutionTimeoutSeconds({ phaseTimeoutsSeconds: TIMEOUTS }),
    );
  });

  test('an expression that is not a bare reference is parenthesised before it is divided', () => {
    // Prepare
    const input = {
      phaseTimeoutsSeconds: { ...TIMEOUTS, stop: new NumericExpression('var.stop + 1') },
      pollIntervalsSeconds: INTERVALS,
    };

    // Act
    const attempts = maxPollAttempts(input, 'stop');

    // Assess
    expect(attempts).toEqual(new NumericExpression('max(1, ceil((var.stop + 1) / 30))'));
    expect(terraformValue(attempts, { stop: 59 })).toBe(2);
  });

  test.each([
    ['the floor', 172_800, 172_800],
    [
      'the minimum the phases need',
      60,
      minimumExecutionTimeoutSeconds({ phaseTimeoutsSeconds: TIMEOUTS }),
    ],
  ])('the backstop TimeoutSeconds is %s when that is larger', (_, floor, expected) => {
    // Act
    const timeout = backstopTimeoutSeconds(floor, { phaseTimeoutsSeconds: TIMEOUTS });

    // Assess
    expect(timeout).toBe(expected);
  });

  test('the backstop over expressions evaluates, in Terraform, to the plain-number backstop', () => {
    // Act
    const timeout = backstopTimeoutSeconds(60, { phaseTimeoutsSeconds: VARIABLES });

    // Assess
    expect(terraformValue(timeout, { ...TIMEOUTS })).toBe(
      backstopTimeoutSeconds(60, { phaseTimeoutsSeconds: TIMEOUTS }),
    );
  });
});
