import { resources, synthStack } from '../support/synth';

const STACK = 'capacity-reservations';
const { json } = synthStack(STACK);

describe('capacity-reservations: alarms and outputs', () => {
  const alarms = Object.values(resources(json, 'aws_cloudwatch_metric_alarm'));

  test('errors, failure queue and persisting capacity gap, all to the alerts topic', () => {
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      '${var.name_prefix}-capacity-reservation-failures-not-empty',
      '${var.name_prefix}-capacity-reservation-reserver-capacity-expiring',
      '${var.name_prefix}-capacity-reservation-reserver-capacity-gap',
      '${var.name_prefix}-capacity-reservation-reserver-capacity-idle',
      '${var.name_prefix}-capacity-reservation-reserver-errors',
      '${var.name_prefix}-capacity-reservation-reserver-stale',
    ]);
    for (const alarm of alarms)
      expect(alarm.alarm_actions).toEqual([
        expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/),
      ]);
  });

  test('the stale-run alarm fires when no run completed for capacity_stale_alarm_minutes, missing data breaching', () => {
    const stale = alarms.find((a) => String(a.alarm_name).endsWith('-stale'));
    expect(stale).toMatchObject({
      namespace: 'OpsAutopilot',
      metric_name: 'RunsCompleted',
      dimensions: { service: 'capacity-reservation-reserver' },
      statistic: 'Sum',
      period: 300,
      evaluation_periods: '${floor(var.capacity_stale_alarm_minutes / 5)}',
      datapoints_to_alarm: '${floor(var.capacity_stale_alarm_minutes / 5)}',
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      treat_missing_data: 'breaching',
    });
    expect(json.variable.capacity_stale_alarm_minutes?.default).toBe(30);
  });

  test('the gap alarm fires when the largest CapacityGap of the function stays above 0 for N periods', () => {
    const gap = alarms.find((a) => String(a.alarm_name).endsWith('-capacity-gap'));
    expect(gap).toMatchObject({
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      evaluation_periods: '${var.capacity_gap_alarm_periods}',
      datapoints_to_alarm: '${var.capacity_gap_alarm_periods}',
      metric_query: [
        {
          id: 'gap',
          expression:
            'SELECT MAX(CapacityGap) FROM "OpsAutopilot" WHERE service = \'capacity-reservation-reserver\'',
          period: 300,
          return_data: true,
        },
      ],
    });
    expect(json.variable.capacity_gap_alarm_periods?.default).toBe(3);
  });

  test('the idle alarm fires per pool once IdleHours reaches capacity_idle_alarm_hours, within 3 hours of data', () => {
    // Prepare
    const idle = alarms.find((a) => String(a.alarm_name).endsWith('-capacity-idle'));
    const query = (idle?.metric_query as { period: number }[])[0];

    // Assess
    expect(idle).toMatchObject({
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: '${var.capacity_idle_alarm_hours}',
      evaluation_periods: 3,
      datapoints_to_alarm: 1,
      metric_query: [
        {
          id: 'idle',
          expression:
            'SELECT MAX(IdleHours) FROM "OpsAutopilot" WHERE service = \'capacity-reservation-reserver\' GROUP BY Pool ORDER BY MAX() DESC',
          period: 300,
          return_data: true,
        },
      ],
    });
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
    expect(Number(idle?.evaluation_periods) * Number(query?.period)).toBeLessThanOrEqual(3 * 3600);
    expect(json.variable.capacity_idle_alarm_hours?.default).toBe(24);
  });

  test('the expiry alarm fires per pool while ExpiringInstances is above 0', () => {
    // Prepare
    const expiring = alarms.find((a) => String(a.alarm_name).endsWith('-capacity-expiring'));

    // Assess
    expect(expiring).toMatchObject({
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      evaluation_periods: 3,
      datapoints_to_alarm: 1,
      metric_query: [
        {
          expression:
            'SELECT MAX(ExpiringInstances) FROM "OpsAutopilot" WHERE service = \'capacity-reservation-reserver\' GROUP BY Pool ORDER BY MAX() DESC',
          period: 300,
        },
      ],
    });
  });

  test('the reserver measures idleness and expiry with the variables (defaults 20 % and 72 hours)', () => {
    // Prepare
    const fn = Object.values(resources(json, 'aws_lambda_function'))[0] as {
      environment: { variables: Record<string, string> }[] | { variables: Record<string, string> };
    };
    const env = Array.isArray(fn.environment) ? fn.environment[0] : fn.environment;

    // Assess
    expect(env?.variables.IDLE_THRESHOLD_PERCENT).toBe('${var.capacity_idle_alarm_percent}');
    expect(env?.variables.EXPIRY_WARNING_HOURS).toBe('${var.capacity_expiry_warning_hours}');
    expect(json.variable.capacity_idle_alarm_percent?.default).toBe(20);
    expect(json.variable.capacity_expiry_warning_hours?.default).toBe(72);
  });

  test('allows no more gap periods than a Metrics Insights alarm can look back (3 hours)', () => {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
    const gap = alarms.find((a) => String(a.alarm_name).endsWith('-capacity-gap'));
    const period = Number((gap?.metric_query as { period: number }[])[0]?.period);
    const variable = json.variable.capacity_gap_alarm_periods as {
      validation?: { condition: string }[];
    };
    const rule = variable.validation?.[0];
    const max = Number(/var\.capacity_gap_alarm_periods <= (\d+)/.exec(rule?.condition ?? '')?.[1]);
    expect(max * period).toBe(3 * 3600);
  });

  test('outputs the cluster endpoint, the secret ARN and the function name', () => {
    expect(json.output).toMatchObject({
      db_cluster_endpoint: { value: '${aws_rds_cluster.database.endpoint}' },
      db_secret_arn: { value: '${aws_rds_cluster.database.master_user_secret[0].secret_arn}' },
      reserver_function_name: {
        value: expect.stringMatching(
          /^\$\{aws_lambda_function\.reserver_function_\w+\.function_name\}$/,
        ),
      },
    });
  });
});

describe('dashboard', () => {
  test('the stack has exactly one CloudWatch dashboard, named <name_prefix>-capacity-reservations', () => {
    // Assess
    const dashboards = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    expect(dashboards.map((d) => d.dashboard_name)).toEqual([
      '${var.name_prefix}-capacity-reservations',
    ]);
  });
});
