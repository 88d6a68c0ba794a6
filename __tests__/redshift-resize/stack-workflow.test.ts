import { App, Token } from 'cdktf';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { substituteTf } from '../../scripts/tf-values';
import { resolveWorkflow, type ResizeWorkflowProps } from '../../stacks/redshift-resize/workflow';
import { RedshiftResizeStack } from '../../stacks/redshift-resize/stack';
import { FakeCodeSource, resources, synthJson, type TfJson } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';

// The stack's workflow props: poll intervals, execution timeout floor, their validation.
function synthWith(workflow: ResizeWorkflowProps): TfJson {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'synth-')), stackTraces: false });
  const s = new RedshiftResizeStack(app, 'redshift-resize', {
    codeSource: new FakeCodeSource(),
    backend: { kind: 'local' },
    workflow,
  });
  return synthJson(s);
}

describe('workflow props', () => {
  test('a longer resize poll interval changes the Wait, the attempt bound and the variable bounds', () => {
    // Act
    const j = synthWith({
      pollIntervalsSeconds: { resize: 600 },
      executionTimeoutSeconds: 7 * 24 * 3600,
    });

    // Assess
    const machineJson = Object.values(resources(j, 'aws_sfn_state_machine'))[0] as {
      definition: string;
    };
    const rendered = JSON.parse(
      substituteTf(machineJson.definition, readTfvarsExample(), j.variable, 'aws'),
    ) as {
      TimeoutSeconds: number;
      States: Record<
        string,
        {
          Seconds?: number;
          Choices?: Array<{ Variable?: string; NumericGreaterThanEquals?: number }>;
        }
      >;
    };
    expect(rendered.TimeoutSeconds).toBe(7 * 24 * 3600);
    expect(rendered.States.WaitForResize?.Seconds).toBe(600);
    expect(
      rendered.States.IsResizeDone?.Choices?.find((c) => c.Variable === '$.poll.attempts')
        ?.NumericGreaterThanEquals,
    ).toBe(36);
    const [validation] = (
      j.variable.redshift_resize_timeout_seconds as { validation: Array<{ condition: string }> }
    ).validation;
    expect(validation?.condition).toContain('var.redshift_resize_timeout_seconds >= 600');
    expect(validation?.condition).toContain('var.redshift_resize_timeout_seconds <= 180000');
  });

  test('the execution timeout prop is a floor: TimeoutSeconds never falls below what the phase timeouts need', () => {
    // Prepare: a one-hour floor, below every bounded run.
    const j = synthWith({ executionTimeoutSeconds: 3600 });
    const definition = (
      Object.values(resources(j, 'aws_sfn_state_machine'))[0] as {
        definition: string;
      }
    ).definition;
    const timeoutWith = (overrides: Record<string, unknown>) =>
      (
        JSON.parse(
          substituteTf(definition, { ...readTfvarsExample(), ...overrides }, j.variable, 'aws'),
        ) as { TimeoutSeconds: number }
      ).TimeoutSeconds;

    // Act / Assess: (900 + 3600 + 21600 + 21600 + 2 x 900) x 1.2 + 900 + 900, then every phase at 300 polls.
    expect(timeoutWith({})).toBe(61200);
    expect(
      timeoutWith({
        redshift_stop_timeout_seconds: 9000,
        redshift_snapshot_timeout_seconds: 18000,
        redshift_resize_timeout_seconds: 90000,
        redshift_readonly_timeout_seconds: 540000,
        redshift_resume_timeout_seconds: 9000,
      }),
    ).toBe(811800);
  });

  test.each<[string, ResizeWorkflowProps, string]>([
    [
      'a fractional interval',
      { pollIntervalsSeconds: { snapshot: 10.5 } },
      'pollIntervalsSeconds.snapshot must be a whole number from 1 to 3600, got 10.5',
    ],
    [
      'a zero interval',
      { pollIntervalsSeconds: { resume: 0 } },
      'pollIntervalsSeconds.resume must be a whole number from 1 to 3600, got 0',
    ],
    [
      'an interval above an hour',
      { pollIntervalsSeconds: { resize: 3601 } },
      'pollIntervalsSeconds.resize must be a whole number from 1 to 3600, got 3601',
    ],
    [
      'a snapshot retention of 0',
      { snapshotRetentionDays: 0 },
      'snapshotRetentionDays must be -1 or 1..3653, got 0',
    ],
    [
      'a fractional execution timeout',
      { executionTimeoutSeconds: 3600.5 },
      'executionTimeoutSeconds must be a whole number from 1 to 31536000, got 3600.5',
    ],
    [
      'a Terraform token',
      { pollIntervalsSeconds: { resize: Token.asNumber('${var.x}') } },
      'pollIntervalsSeconds.resize must be a plain number at synth time, not a Terraform token',
    ],
  ])('refuses %s, naming the bad value', (_what, props, message) => {
    expect(() => resolveWorkflow(props)).toThrow(message);
    expect(() => synthWith(props)).toThrow(message);
  });

  test('defaults are the suggested values', () => {
    expect(resolveWorkflow()).toEqual({
      pollIntervalsSeconds: { stop: 30, snapshot: 60, resize: 300, overdue: 1800, resume: 30 },
      executionTimeoutSeconds: 172800,
      snapshotRetentionDays: 35,
    });
  });
});
