import { only, resources, synthStack } from '../support/synth';
import { describeTerraform, preconditionVerdict } from './fixtures/preconditions';

// Sizing from the storage needed: the wanted utilization, its grant and its plan-time check.
const { json } = synthStack('redshift-resize');

const guardOf = () =>
  Object.values(resources(json, 'aws_lambda_function')).find(
    (f) => f.function_name === '${var.name_prefix}-redshift-resize-guard',
  );
const guardStatements = () => {
  const role = Object.entries(resources(json, 'aws_iam_role')).find(
    ([, r]) => r.name === '${var.name_prefix}-redshift-resize-guard',
  );
  const policy = Object.values(resources(json, 'aws_iam_role_policy')).find(
    (p) => p.role === `\${aws_iam_role.${role?.[0]}.name}`,
  );
  return (JSON.parse(policy?.policy as string) as { Statement: Array<Record<string, unknown>> })
    .Statement;
};

describe('target size from the storage needed', () => {
  test('redshift_target_disk_percent: a number, default 70, above 0 and below 100', () => {
    expect(json.variable.redshift_target_disk_percent).toMatchObject({
      type: 'number',
      default: 70,
      validation: [
        {
          condition:
            '${var.redshift_target_disk_percent > 0 && var.redshift_target_disk_percent < 100}',
          error_message: 'redshift_target_disk_percent must be above 0 and below 100.',
        },
      ],
    });
  });

  test('the guard gets it as TARGET_DISK_PERCENT', () => {
    expect(guardOf()?.environment).toMatchObject({
      variables: { TARGET_DISK_PERCENT: '${var.redshift_target_disk_percent}' },
    });
  });

  test('the guard may call DescribeNodeConfigurationOptions on its cluster only', () => {
    expect(guardStatements()).toContainEqual({
      Sid: 'ReadResizeOptions',
      Effect: 'Allow',
      Action: 'redshift:DescribeNodeConfigurationOptions',
      Resource:
        'arn:${data.aws_partition.partition.partition}:redshift:${var.region}:${var.account_id}:cluster:${var.redshift_cluster_id}',
    });
  });

  test('the plan refuses a wanted utilization at or above the disk threshold', () => {
    const machine = only(json, 'aws_sfn_state_machine') as {
      lifecycle: { precondition: Array<{ condition: string; error_message: string }> };
    };
    expect(machine.lifecycle.precondition).toContainEqual({
      condition: '${var.redshift_target_disk_percent < var.redshift_disk_threshold_percent}',
      error_message:
        'redshift_target_disk_percent must be below redshift_disk_threshold_percent: a resize must leave the disk alarm.',
    });
  });
});

describe('the per-node disk alarm (one skewed node full while the average looks fine)', () => {
  const nodeAlarm = () =>
    Object.values(resources(json, 'aws_cloudwatch_metric_alarm')).find(
      (a) => a.alarm_name === '${var.name_prefix}-redshift-disk-space-node',
    );

  test('takes the Maximum over every NodeID of the cluster with one Metrics Insights query', () => {
    expect(nodeAlarm()).toMatchObject({
      metric_query: [
        {
          id: 'node',
          expression:
            'SELECT MAX(PercentageDiskSpaceUsed) FROM SCHEMA("AWS/Redshift", ClusterIdentifier, NodeID) WHERE ClusterIdentifier = \'${var.redshift_cluster_id}\'',
          period: 300,
          return_data: true,
        },
      ],
      threshold: '${var.redshift_node_disk_threshold_percent}',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'missing',
    });
    expect(nodeAlarm()).not.toHaveProperty('metric_name');
  });

  test('evaluates within the 3 hours a Metrics Insights alarm can see (at most 36 periods of 5 minutes)', () => {
    expect(nodeAlarm()).toMatchObject({
      evaluation_periods: '${min(var.redshift_disk_evaluation_periods, 36)}',
    });
  });

  test('notifies the topic but starts no run: the trigger is subscribed to the disk alarm only', () => {
    expect(nodeAlarm()?.alarm_actions).toEqual([
      expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_.*\.arn\}$/),
    ]);
    const filters = Object.values(resources(json, 'aws_sns_topic_subscription'))
      .map((sub) => String(sub.filter_policy ?? ''))
      .filter((policy) => policy !== '');
    expect(filters).toHaveLength(1);
    expect(filters[0]).toContain('redshift-disk-space');
    expect(filters[0]).not.toContain('redshift-disk-space-node');
    expect(json.variable.redshift_node_disk_threshold_percent).toMatchObject({
      type: 'number',
      default: 90,
    });
  });
});

describe('DC2 -> RA3 by elastic resize (redshift_ra3_node_type)', () => {
  test('off by default (""), else one of the RA3 types, passed to the guard as RA3_NODE_TYPE', () => {
    expect(json.variable.redshift_ra3_node_type).toMatchObject({
      type: 'string',
      default: '',
      validation: [
        {
          condition:
            '${contains(["", "ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge"], var.redshift_ra3_node_type)}',
          error_message:
            'redshift_ra3_node_type must be "" (off) or one of ra3.large, ra3.xlplus, ra3.4xlarge, ra3.16xlarge.',
        },
      ],
    });
    expect(guardOf()?.environment).toMatchObject({
      variables: { RA3_NODE_TYPE: '${var.redshift_ra3_node_type}' },
    });
  });

  test('a refused change notifies through its growth-blocked alarm', () => {
    expect(
      Object.values(resources(json, 'aws_cloudwatch_metric_alarm')).map((a) => a.alarm_name),
    ).toContain('${var.name_prefix}-redshift-resize-growth-blocked-NODE_TYPE_CHANGE_REFUSED');
  });
});

describeTerraform(
  'a DC2 -> RA3 change needs another trigger (the plan refuses it with "disk")',
  () => {
    test('redshift_ra3_node_type with redshift_trigger "disk" fails, naming both values and the way out', () => {
      // Act
      const verdict = preconditionVerdict(json, { redshift_ra3_node_type: 'ra3.xlplus' });

      // Assess
      expect(verdict).toContain(
        'redshift_trigger is "disk" with redshift_ra3_node_type "ra3.xlplus": after the change to RA3 the disk alarm cannot start a run',
      );
      expect(verdict).toContain('Set redshift_trigger to "alarm" with redshift_trigger_alarm_name');
    });

    test.each([
      ['"none"', { redshift_ra3_node_type: 'ra3.4xlarge', redshift_trigger: 'none' }],
      [
        '"alarm" with its alarm',
        {
          redshift_ra3_node_type: 'ra3.4xlarge',
          redshift_trigger: 'alarm',
          redshift_trigger_alarm_name: 'analytics-queue-wait',
        },
      ],
    ])('the change with redshift_trigger %s plans', (_what, overrides) => {
      expect(preconditionVerdict(json, overrides)).toBe('');
    });

    test('the disk trigger without a node type change plans (the example)', () => {
      expect(preconditionVerdict(json, {})).toBe('');
    });
  },
);
