import { substituteTf } from '../../scripts/tf-values';
import { annotationsOf, metricRefs, parseSynthBody } from '../support/dashboard-body';
import { only, resources, synthStack } from '../support/synth';

// The stack's alarms, outputs and dashboard.
const { json } = synthStack('redshift-resize');
const STATE_MACHINE_ARN =
  'arn:${data.aws_partition.partition.partition}:states:${var.region}:${var.account_id}:stateMachine:${var.name_prefix}-redshift-resize';

describe('alarms', () => {
  const alarms = () => Object.values(resources(json, 'aws_cloudwatch_metric_alarm'));

  test('the disk alarm watches PercentageDiskSpaceUsed of the cluster at the threshold for N periods', () => {
    const disk = alarms().find((a) => a.metric_name === 'PercentageDiskSpaceUsed');
    expect(disk).toMatchObject({
      alarm_name: '${var.name_prefix}-redshift-disk-space',
      namespace: 'AWS/Redshift',
      dimensions: { ClusterIdentifier: '${var.redshift_cluster_id}' },
      statistic: 'Average',
      period: 300,
      threshold: '${var.redshift_disk_threshold_percent}',
      evaluation_periods: '${var.redshift_disk_evaluation_periods}',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'missing',
    });
  });

  test('every alarm notifies the alerts topic, the one the trigger is subscribed to', () => {
    for (const alarm of alarms())
      expect(alarm.alarm_actions).toEqual([
        expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_.*\.arn\}$/),
      ]);
    expect(only(json, 'aws_sns_topic').kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
  });

  test('failed, timed-out and aborted executions, function errors and trigger failures alarm', () => {
    const byMetric = alarms()
      // The per-node disk alarm is a Metrics Insights query (stack-sizing.test.ts), without metric_name.
      .map((a) => a.metric_name ?? 'Metrics Insights')
      .sort();
    expect(byMetric).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'Metrics Insights',
      'PercentageDiskSpaceUsed',
      'ResizeSkipped',
      'ResizeSkipped',
      'ResizeSkipped',
      'ResizeSkipped',
    ]);
    for (const alarm of alarms().filter((a) => a.namespace === 'AWS/States'))
      expect(alarm).toMatchObject({
        dimensions: { StateMachineArn: STATE_MACHINE_ARN },
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
      });
  });
});

test('outputs: the state machine, the topic and the longest replication pause', () => {
  expect(json.output).toMatchObject({
    state_machine_arn: { value: '${aws_sfn_state_machine.state-machine.arn}' },
    topic_arn: { value: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_.*\.arn\}$/) },
    max_replication_pause_seconds: {
      value:
        '${ceil((var.redshift_stop_timeout_seconds + var.redshift_snapshot_timeout_seconds + var.redshift_resize_timeout_seconds + var.redshift_readonly_timeout_seconds + 2 * var.redshift_resume_timeout_seconds) * 6 / 5) + 900}',
    },
  });
  const output = (json.output as Record<string, { value: string }>).max_replication_pause_seconds;
  const pause = (vars: Record<string, unknown>) =>
    substituteTf(output?.value ?? '', vars, json.variable);
  expect(pause({})).toBe('60300');
  expect(pause({ redshift_resize_timeout_seconds: 86400 })).toBe(
    String(60300 + (86400 - 21600) * 1.2),
  );
});

describe('dashboard', () => {
  test('the stack has exactly one CloudWatch dashboard, named <name_prefix>-redshift-resize', () => {
    // Assess
    const dashboards = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    expect(dashboards.map((d) => d.dashboard_name)).toEqual(['${var.name_prefix}-redshift-resize']);
  });

  test("graphs the fullest node with the per-node alarm's own query, at the per-node threshold", () => {
    // Prepare
    const [dashboard] = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    const body = parseSynthBody(String(dashboard?.dashboard_body));
    const nodeAlarm = Object.values(resources(json, 'aws_cloudwatch_metric_alarm')).find(
      (a) => a.alarm_name === '${var.name_prefix}-redshift-disk-space-node',
    );
    const [alarmQuery] = nodeAlarm?.metric_query as Array<{ expression: string }>;

    // Act
    const graph = body.widgets.find((w) => String(w.properties.title).startsWith('Fullest node'));
    const refs = metricRefs({ widgets: graph ? [graph] : [] });

    // Assess
    expect(graph?.properties.metrics).toEqual([
      [expect.objectContaining({ expression: alarmQuery?.expression })],
    ]);
    expect(refs).toEqual([
      expect.objectContaining({
        via: 'insights',
        stat: 'MAX',
        dimensions: { ClusterIdentifier: '${var.redshift_cluster_id}' },
        anyValueOf: ['NodeID'],
      }),
    ]);
    expect(annotationsOf(body, 'Fullest node')).toEqual([
      ['redshift_node_disk_threshold_percent', '${var.redshift_node_disk_threshold_percent}'],
    ]);
  });
});
