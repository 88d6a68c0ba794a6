import { TTL_EXPIRY_FILTER } from '../../stacks/ebs-snapshot-lifecycle/stack';
import { only, resourceById, resources, synthStack } from '../support/synth';
import { policyOf as policyOfFn } from './fixtures/policies';

const { json } = synthStack('ebs-snapshot-lifecycle');

const policyOf = (fnName: string) => policyOfFn(json, fnName);

describe('EBS snapshot lifecycle stack', () => {
  test('provider: region from a variable, allowed account, default tags project/stack/managed-by', () => {
    expect(json.provider.aws?.[0]).toMatchObject({
      region: '${var.region}',
      allowed_account_ids: ['${var.account_id}'],
      default_tags: [
        {
          tags: {
            project: 'ops-autopilot',
            stack: 'ebs-snapshot-lifecycle',
            'managed-by': 'cdktf',
          },
        },
      ],
    });
  });

  test('table: on-demand, encrypted, TTL on ttl, stream with the old image, PITR from a variable', () => {
    expect(only(json, 'aws_dynamodb_table')).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'snapshot_id',
      ttl: { attribute_name: 'ttl', enabled: true },
      stream_enabled: true,
      stream_view_type: 'OLD_IMAGE',
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: '${var.snapshot_table_point_in_time_recovery}' },
    });
  });

  test('schedules: snapshots and sweep, each from a variable', () => {
    const rules = Object.values(resources(json, 'aws_cloudwatch_event_rule'));
    expect(Object.fromEntries(rules.map((r) => [r.name, r.schedule_expression]))).toEqual({
      '${var.name_prefix}-ebs-snapshot-schedule': '${var.snapshot_schedule}',
      '${var.name_prefix}-ebs-snapshot-sweep-schedule': '${var.snapshot_sweep_schedule}',
    });
    expect(json.variable.snapshot_schedule?.default).toBe('cron(0 16 * * ? *)');
  });

  test('table: deletion protection from a variable, on by default', () => {
    expect(only(json, 'aws_dynamodb_table').deletion_protection_enabled).toBe(
      '${var.snapshot_table_deletion_protection}',
    );
    expect(json.variable.snapshot_table_deletion_protection?.default).toBe(true);
  });

  test('stream mapping: TTL expiries only, bisect, bounded retries, on-failure queue, partial batch failures', () => {
    const mapping = resourceById(json, 'aws_lambda_event_source_mapping', 'expiries');
    expect(mapping).toMatchObject({
      bisect_batch_on_function_error: true,
      maximum_retry_attempts: 3,
      function_response_types: ['ReportBatchItemFailures'],
      destination_config: { on_failure: { destination_arn: '${aws_sqs_queue.failures.arn}' } },
    });
    const filter = mapping.filter_criteria as { filter: Array<{ pattern: string }> };
    expect(JSON.parse(filter.filter[0]?.pattern ?? '{}')).toEqual(TTL_EXPIRY_FILTER);
    expect(TTL_EXPIRY_FILTER).toMatchObject({
      eventName: ['REMOVE'],
      userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
    });
  });

  test('failure queue and copy queue are encrypted', () => {
    const queues = Object.values(resources(json, 'aws_sqs_queue'));
    expect(queues.map((q) => q.sqs_managed_sse_enabled)).toEqual([true, true]);
  });

  test('alerts: KMS-encrypted topic; errors of both functions and DLQ depth alarm to it', () => {
    expect(only(json, 'aws_sns_topic').kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
    const alarms = Object.values(resources(json, 'aws_cloudwatch_metric_alarm'));
    expect(alarms.map((a) => a.metric_name).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'CopiesFailed',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'IteratorAge',
      'SnapshotsDeleteFailed',
      'SnapshotsInUse',
      'VolumesMissingBackup',
    ]);
    for (const alarm of alarms)
      expect(alarm.alarm_actions).toEqual([
        expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_.*\.arn\}$/),
      ]);
  });

  test('create may snapshot only with the managed-by request tag and tag only at creation', () => {
    const statements = policyOf('ebs-snapshot-create').Statement;
    expect(statements.find((s) => s.Sid === 'CreateOnlyManagedSnapshots')?.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/managed-by': '${var.name_prefix}/ebs-snapshot-lifecycle' },
    });
    expect(statements.find((s) => s.Sid === 'TagSnapshotsOnlyAtCreation')?.Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateSnapshots'] },
    });
  });

  test('create may make crash-consistent sets only of instances carrying the instance tag key', () => {
    const statements = policyOf('ebs-snapshot-create').Statement;
    expect(statements.find((s) => s.Sid === 'SnapshotSetsOnlyOfTaggedInstances')).toMatchObject({
      Action: 'ec2:CreateSnapshots',
      Condition: { Null: { 'aws:ResourceTag/${var.snapshot_instance_tag_key}': 'false' } },
    });
    expect(statements.find((s) => s.Sid === 'CreateOnlyManagedSetSnapshots')?.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/managed-by': '${var.name_prefix}/ebs-snapshot-lifecycle' },
    });
  });

  test('delete may delete only snapshots carrying the managed-by tag', () => {
    const statement = policyOf('ebs-snapshot-delete').Statement.find(
      (s) => s.Sid === 'DeleteOnlyManagedSnapshots',
    );
    expect(statement).toMatchObject({
      Action: 'ec2:DeleteSnapshot',
      Condition: {
        StringEquals: { 'aws:ResourceTag/managed-by': '${var.name_prefix}/ebs-snapshot-lifecycle' },
      },
    });
  });

  test('functions get their configuration through the environment', () => {
    const fns = Object.values(resources(json, 'aws_lambda_function'));
    const create = fns.find((f) => f.function_name === '${var.name_prefix}-ebs-snapshot-create');
    expect((create?.environment as { variables: Record<string, string> }).variables).toMatchObject({
      TABLE_NAME: '${var.name_prefix}-ebs-snapshots',
      TAG_KEY: '${var.snapshot_tag_key}',
      DEFAULT_RETENTION_DAYS: '${var.snapshot_default_retention_days}',
      MANAGED_BY: '${var.name_prefix}/ebs-snapshot-lifecycle',
      MAX_REQUESTS_PER_SECOND: '${tostring(var.snapshot_max_requests_per_second)}',
      INSTANCE_TAG_KEY: '${var.snapshot_instance_tag_key}',
      EXCLUDE_BOOT_VOLUME: '${tostring(var.snapshot_instance_exclude_boot_volume)}',
    });
    expect(create?.environment).not.toHaveProperty('variables.SCHEDULE_RULE_ARN');
  });
});

describe('delete path and sweep', () => {
  test('delete writes a failed delete back to the table and reads snapshot locks', () => {
    const statements = policyOf('ebs-snapshot-delete').Statement;
    expect(statements.find((s) => s.Sid === 'WriteBackFailedDeletes')).toMatchObject({
      Action: 'dynamodb:PutItem',
    });
    expect(statements.find((s) => s.Sid === 'ReadSnapshotLocks')).toMatchObject({
      Action: 'ec2:DescribeLockedSnapshots',
    });
    expect(statements.find((s) => s.Sid === 'CheckDeletedSnapshots')).toMatchObject({
      Action: 'ec2:DescribeSnapshots',
    });
  });

  test('sweep deletes only managed snapshots and reads Recycle Bin rules', () => {
    const statements = policyOf('ebs-snapshot-sweep').Statement;
    expect(statements.find((s) => s.Sid === 'DeleteOnlyManagedSnapshots')?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/managed-by': '${var.name_prefix}/ebs-snapshot-lifecycle' },
    });
    expect(statements.find((s) => s.Sid === 'ReadRecycleBinRules')?.Resource).toMatch(
      /:rbin:\$\{var.region\}:\$\{var.account_id\}:rule\/\*$/,
    );
  });

  test('alarms: failed deletes and missed backups by their EMF metrics, the stream by IteratorAge', () => {
    const alarms = Object.values(resources(json, 'aws_cloudwatch_metric_alarm'));
    const byMetric = Object.fromEntries(alarms.map((a) => [a.metric_name, a]));
    expect(byMetric.SnapshotsDeleteFailed).toMatchObject({
      namespace: 'OpsAutopilot',
      dimensions: { service: 'ebs-snapshot-delete' },
      threshold: 0,
    });
    expect(byMetric.VolumesMissingBackup?.dimensions).toEqual({ service: 'ebs-snapshot-sweep' });
    expect(byMetric.IteratorAge).toMatchObject({ statistic: 'Maximum', threshold: 3_600_000 });
  });
});

describe('dashboard', () => {
  test('the stack has exactly one CloudWatch dashboard, named <name_prefix>-ebs-snapshot-lifecycle', () => {
    // Assess
    const dashboards = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    expect(dashboards.map((d) => d.dashboard_name)).toEqual([
      '${var.name_prefix}-ebs-snapshot-lifecycle',
    ]);
  });
});
