import { GROWTH_BLOCKED_REASONS } from '../../functions/redshift-resize/metric-names';
import { resources, synthStack } from '../support/synth';
import { withTrigger } from './fixtures/trigger-choice';

// The re-check loop's resources: the schedule, the trigger's view of the alarm, the growth-blocked alarms.
const { json } = synthStack('redshift-resize');

const P = '${data.aws_partition.partition.partition}';
const RA = '${var.region}:${var.account_id}';
const RULE_ARN = `arn:${P}:events:${RA}:rule/\${var.name_prefix}-redshift-resize-recheck`;
const fnNamed = (name: string) =>
  Object.entries(resources(json, 'aws_lambda_function')).find(
    ([, f]) => f.function_name === `\${var.name_prefix}-${name}`,
  );
const policyOf = (name: string) => {
  const role = Object.entries(resources(json, 'aws_iam_role')).find(
    ([, r]) => r.name === `\${var.name_prefix}-${name}`,
  );
  const policy = Object.values(resources(json, 'aws_iam_role_policy')).find(
    (p) => p.role === `\${aws_iam_role.${role?.[0]}.name}`,
  );
  return JSON.parse(withTrigger(policy?.policy as string)) as { Statement: { Sid: string }[] };
};

describe('the re-check schedule', () => {
  test('invokes the trigger every redshift_recheck_minutes, from its own rule only', () => {
    // Prepare
    const [triggerId] = fnNamed('redshift-resize-trigger') ?? [];

    // Act
    const rule = Object.values(resources(json, 'aws_cloudwatch_event_rule'));
    const target = Object.values(resources(json, 'aws_cloudwatch_event_target'));
    const permission = Object.values(resources(json, 'aws_lambda_permission')).find(
      (p) => p.principal === 'events.amazonaws.com',
    );

    // Assess
    expect(rule).toEqual([
      expect.objectContaining({
        name: '${var.name_prefix}-redshift-resize-recheck',
        schedule_expression: 'rate(${var.redshift_recheck_minutes} minutes)',
      }),
    ]);
    expect(target).toEqual([
      expect.objectContaining({ arn: `\${aws_lambda_function.${triggerId}.arn}` }),
    ]);
    expect(permission?.source_arn).toMatch(/^\$\{aws_cloudwatch_event_rule\..*\.arn\}$/);
  });

  test('the trigger knows its rule and may read the state of its alarm only', () => {
    // Act
    const [, trigger] = fnNamed('redshift-resize-trigger') ?? [];
    const statement = policyOf('redshift-resize-trigger').Statement.find(
      (s) => s.Sid === 'ReadTheAlarmState',
    );

    // Assess
    expect((trigger?.environment as { variables: Record<string, string> }).variables).toMatchObject(
      { RECHECK_RULE_ARN: RULE_ARN },
    );
    expect(statement).toEqual({
      Sid: 'ReadTheAlarmState',
      Effect: 'Allow',
      Action: 'cloudwatch:DescribeAlarms',
      Resource: `arn:${P}:cloudwatch:${RA}:alarm:\${var.name_prefix}-redshift-disk-space`,
    });
  });

  test('the guard gets the resizes-per-day limit', () => {
    // Act
    const [, guard] = fnNamed('redshift-resize-guard') ?? [];

    // Assess
    expect((guard?.environment as { variables: Record<string, string> }).variables).toMatchObject({
      MAX_RESIZES_PER_DAY: '${var.redshift_max_resizes_per_day}',
    });
  });
});

describe('growth-blocked alarms', () => {
  test('one per blocking skip reason, on the guard ResizeSkipped metric, over an hour', () => {
    // Act
    const alarms = Object.values(resources(json, 'aws_cloudwatch_metric_alarm')).filter(
      (a) => a.metric_name === 'ResizeSkipped',
    );

    // Assess
    expect(alarms.map((a) => (a.dimensions as { Reason: string }).Reason).sort()).toEqual(
      Object.keys(GROWTH_BLOCKED_REASONS).sort(),
    );
    for (const alarm of alarms)
      expect(alarm).toMatchObject({
        namespace: 'OpsAutopilot',
        dimensions: { service: 'redshift-resize-guard' },
        statistic: 'Sum',
        period: 3600,
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
        treat_missing_data: 'notBreaching',
      });
  });
});

describe('the trigger choice (redshift_trigger)', () => {
  const NAMED = { redshift_trigger: 'alarm', redshift_trigger_alarm_name: 'analytics-queue-wait' };
  const [, trigger] = fnNamed('redshift-resize-trigger') ?? [];
  const env = (trigger?.environment as { variables: Record<string, string> }).variables;

  test('"alarm": the named alarm starts runs, and only its state may be read', () => {
    // Act
    const subscription = Object.values(resources(json, 'aws_sns_topic_subscription')).find(
      (s) => s.protocol === 'lambda',
    );
    const policy = withTrigger(
      Object.values(resources(json, 'aws_iam_role_policy'))
        .map((p) => p.policy as string)
        .find((p) => p.includes('ReadTheAlarmState')) ?? '',
      NAMED,
    );

    // Assess
    expect(withTrigger(env.ALARM_NAME ?? '', NAMED)).toBe('analytics-queue-wait');
    expect(JSON.parse(withTrigger(subscription?.filter_policy as string, NAMED))).toEqual({
      AlarmName: ['analytics-queue-wait'],
      NewStateValue: ['ALARM'],
    });
    expect(
      (JSON.parse(policy) as { Statement: { Sid: string; Resource: string }[] }).Statement.find(
        (s) => s.Sid === 'ReadTheAlarmState',
      )?.Resource,
    ).toBe(`arn:${P}:cloudwatch:${RA}:alarm:analytics-queue-wait`);
  });

  test('the trigger and the guard get the choice; the plan refuses "alarm" without a name', () => {
    // Act
    const [, guard] = fnNamed('redshift-resize-guard') ?? [];
    const machine = Object.values(resources(json, 'aws_sfn_state_machine'))[0] as {
      lifecycle: { precondition: { condition: string; error_message: string }[] };
    };

    // Assess
    expect(env.TRIGGER).toBe('${var.redshift_trigger}');
    expect((guard?.environment as { variables: Record<string, string> }).variables.TRIGGER).toBe(
      '${var.redshift_trigger}',
    );
    expect(machine.lifecycle.precondition).toContainEqual({
      condition: '${(var.redshift_trigger == "alarm") == (var.redshift_trigger_alarm_name != "")}',
      error_message:
        'redshift_trigger "alarm" needs redshift_trigger_alarm_name (the alarm that starts runs), and only "alarm" takes one.',
    });
  });
});
