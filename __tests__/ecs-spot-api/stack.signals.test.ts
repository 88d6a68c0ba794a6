/**
 * Spot interruption warnings and rebalance recommendations: the rules, the function's grants and
 * environment, the alarm on interruptions per hour and the dashboard's widgets, as synthesized.
 */
import { resourceName } from '../support/deployment';
import { resources, synthStack } from '../support/synth';
import { SPOT_SIGNAL_ENV } from './fixtures/spot-world';

const { json } = synthStack('ecs-spot-api');
type Resource = Record<string, unknown>;
const all = (type: string) => Object.entries(resources(json, type));
const one = (type: string, part: string): [string, Resource] => {
  const found = all(type).filter(([id]) => id.includes(part));
  if (found.length !== 1)
    throw new Error(`expected one ${type} with "${part}", found ${found.length}`);
  return found[0]!;
};
const signalFunction = () => one('aws_lambda_function', 'spot-signal')[1];

describe('Spot signals reach the signal function', () => {
  test.each([
    ['spot-interruption', 'EC2 Spot Instance Interruption Warning'],
    ['spot-rebalance', 'EC2 Instance Rebalance Recommendation'],
  ])('rule %s matches %s from EC2 and invokes the function', (key, detailType) => {
    // Prepare
    const [ruleId, rule] = one('aws_cloudwatch_event_rule', key);
    const fnId = one('aws_lambda_function', 'spot-signal')[0];

    // Act
    const targets = all('aws_cloudwatch_event_target')
      .map(([, t]) => t)
      .filter((t) => t.rule === `\${aws_cloudwatch_event_rule.${ruleId}.name}`);
    const permission = one('aws_lambda_permission', `${key}-invoke`)[1];

    // Assess
    expect(JSON.parse(String(rule.event_pattern))).toEqual({
      source: ['aws.ec2'],
      'detail-type': [detailType],
    });
    expect(targets).toHaveLength(1);
    expect(targets[0]?.arn).toBe(`\${aws_lambda_function.${fnId}.arn}`);
    expect(one('aws_cloudwatch_metric_alarm', `${key}-failed-deliveries`)[1]).toMatchObject({
      namespace: 'AWS/Events',
      metric_name: 'FailedInvocations',
      dimensions: { RuleName: `\${aws_cloudwatch_event_rule.${ruleId}.name}` },
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
    });
    expect(permission).toMatchObject({
      principal: 'events.amazonaws.com',
      source_arn: `\${aws_cloudwatch_event_rule.${ruleId}.arn}`,
    });
  });

  test('the function knows the cluster and both groups, as the handler tests deploy it', () => {
    // Act
    const env = (signalFunction().environment as { variables: Record<string, string> }).variables;

    // Assess: the stack's names with the tfvars example's prefix
    const prefixed = (v: string) => v.replace('${var.name_prefix}', 'ops-autopilot');
    expect(prefixed(env.CLUSTER_NAME ?? '')).toBe(SPOT_SIGNAL_ENV.CLUSTER_NAME);
    expect(prefixed(prefixed(env.GROUP_NAMES ?? ''))).toBe(SPOT_SIGNAL_ENV.GROUP_NAMES);
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('ecs-spot-signals');
  });

  test('failed invocations go to a queue that alarms, and errors alarm', () => {
    // Prepare
    const fnId = one('aws_lambda_function', 'spot-signal')[0];

    // Act
    const invokeConfig = all('aws_lambda_function_event_invoke_config')
      .map(([, c]) => c)
      .find((c) => c.function_name === `\${aws_lambda_function.${fnId}.function_name}`);
    const alarmNames = all('aws_cloudwatch_metric_alarm').map(([, a]) => String(a.alarm_name));

    // Assess
    expect(JSON.stringify(invokeConfig?.destination_config)).toContain('ecs-spot-signal-failures');
    expect(alarmNames).toEqual(
      expect.arrayContaining([
        '${var.name_prefix}-ecs-spot-signal-errors',
        '${var.name_prefix}-ecs-spot-signal-failures-not-empty',
      ]),
    );
  });

  test('the function may describe instances anywhere, and ECS only within its cluster', () => {
    // Act
    const policy = one('aws_iam_role_policy', 'spot-signal')[1];
    const statements = (JSON.parse(String(policy.policy)) as { Statement: Resource[] }).Statement;
    const code = statements.slice(0, 4);

    // Assess
    const cluster = resourceName('ecs-spot-api').replace('ops-autopilot', '${var.name_prefix}');
    expect(code.map((s) => [s.Action, s.Resource].map(String))).toEqual([
      ['ec2:DescribeInstances', '*'],
      ['ecs:ListContainerInstances', expect.stringContaining(`:cluster/${cluster}`)],
      [
        'ecs:DescribeContainerInstances,ecs:ListTasks',
        expect.stringContaining(`:container-instance/${cluster}/*`),
      ],
      [
        'dynamodb:PutItem',
        expect.stringContaining(':table/${var.name_prefix}-ecs-spot-signals-seen'),
      ],
    ]);
    expect(JSON.stringify(code[2]?.Condition)).toContain(`cluster/${cluster}`);
    expect(statements.slice(4).map((s) => s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      'sqs:SendMessage',
    ]);
  });
});

describe('interruptions alarm and show on the dashboard', () => {
  test('more interruption warnings in an hour than the threshold fire the alarm', () => {
    // Act
    const alarm = one('aws_cloudwatch_metric_alarm', 'spot-interruptions')[1];

    // Assess
    expect(alarm).toMatchObject({
      namespace: 'OpsAutopilot',
      metric_name: 'SpotSignals',
      dimensions: { service: 'ecs-spot-signals', Signal: 'InterruptionWarning' },
      statistic: 'Sum',
      period: 3600,
      evaluation_periods: 1,
      threshold: '${var.ecs_spot_interruption_alarm_threshold}',
      comparison_operator: 'GreaterThanThreshold',
      treat_missing_data: 'notBreaching',
    });
    expect(json.variable.ecs_spot_interruption_alarm_threshold?.default).toBe(5);
  });

  test('the dashboard graphs both signals per hour and breaks them down by type and zone', () => {
    // Act
    const body = String(one('aws_cloudwatch_dashboard', 'dashboard')[1].dashboard_body);

    // Assess
    expect(body).toContain('Spot signals per hour: interruption warnings');
    expect(body).toContain('ecs_spot_interruption_alarm_threshold');
    expect(body).toContain(
      'SEARCH(\'{OpsAutopilot,Signal,InstanceType,AvailabilityZone,service} MetricName=\\"SpotSignals\\" service=\\"ecs-spot-signals\\"\'',
    );
  });
});
