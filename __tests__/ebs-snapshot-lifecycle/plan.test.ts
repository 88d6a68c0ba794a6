import {
  plannedResources,
  proveStack,
  resourceCounts,
  sharedSynth,
  type StackProof,
} from '../../scripts/offline-proof';
import { metricRefs, plannedDashboardBody } from '../support/dashboard-body';
import { describeOffline, offlineProof, offlineTools, variantVarFile } from '../support/offline';

describeOffline('offline Terraform proof: ebs-snapshot-lifecycle', () => {
  let proof: StackProof;
  beforeAll(async () => {
    proof = await offlineProof('ebs-snapshot-lifecycle');
  }, 180_000);

  test('terraform validate reports the configuration valid, without warnings', () => {
    expect(proof.validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test('the plan creates the expected resource types and counts (nothing of copies without copy Regions)', () => {
    expect(resourceCounts(proof.plan)).toEqual({
      aws_cloudwatch_dashboard: 1,
      aws_cloudwatch_event_rule: 2,
      aws_cloudwatch_event_target: 2,
      aws_cloudwatch_log_group: 4,
      aws_cloudwatch_metric_alarm: 12,
      aws_dynamodb_table: 1,
      aws_iam_role: 5,
      aws_iam_role_policy: 5,
      aws_kms_alias: 1,
      aws_kms_key: 1,
      aws_lambda_event_source_mapping: 1,
      aws_lambda_function: 4,
      aws_lambda_permission: 2,
      aws_sfn_state_machine: 1,
      aws_sns_topic: 1,
      aws_sqs_queue: 1,
    });
  });

  test('the table is deletion-protected by default', () => {
    const [table] = plannedResources(proof.plan, 'aws_dynamodb_table');
    expect(table?.values.deletion_protection_enabled).toBe(true);
  });

  test('the sweep gets the rate, the backup age and no exclusion tags by default', () => {
    const sweep = plannedResources(proof.plan, 'aws_lambda_function').find(
      (f) => f.values.function_name === 'ops-autopilot-ebs-snapshot-sweep',
    );
    expect(sweep?.values.environment).toEqual([
      {
        variables: expect.objectContaining({
          MAX_REQUESTS_PER_SECOND: '4',
          MAX_BACKUP_AGE_HOURS: '26',
          RECYCLE_BIN_EXCLUSION_TAGS: '{}',
        }) as unknown,
      },
    ]);
  });

  test('crash-consistent sets: instances tagged SnapshotInstance, boot volume included, by default', () => {
    const create = plannedResources(proof.plan, 'aws_lambda_function').find(
      (f) => f.values.function_name === 'ops-autopilot-ebs-snapshot-create',
    );
    expect(create?.values.environment).toEqual([
      {
        variables: expect.objectContaining({
          INSTANCE_TAG_KEY: 'SnapshotInstance',
          EXCLUDE_BOOT_VOLUME: 'false',
        }) as unknown,
      },
    ]);
  });

  test('the table has TTL on ttl and a stream', () => {
    const [table] = plannedResources(proof.plan, 'aws_dynamodb_table');
    expect(table?.values).toMatchObject({
      ttl: [{ attribute_name: 'ttl', enabled: true }],
      stream_enabled: true,
      stream_view_type: 'OLD_IMAGE',
    });
  });

  test('the stream mapping keeps its TTL-expiry filter', () => {
    const [mapping] = plannedResources(proof.plan, 'aws_lambda_event_source_mapping');
    const pattern = JSON.parse(
      (mapping?.values.filter_criteria as Array<{ filter: Array<{ pattern: string }> }>)[0]
        ?.filter[0]?.pattern ?? '{}',
    );
    expect(pattern).toMatchObject({
      eventName: ['REMOVE'],
      userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
    });
  });

  test('every function runs nodejs22.x on arm64 with a content hash of its zip', () => {
    const fns = plannedResources(proof.plan, 'aws_lambda_function');
    expect(fns).toHaveLength(4);
    for (const fn of fns) {
      expect(fn.values).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'] });
      expect(fn.values.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
  });

  test('IAM policies are fully known at plan time, so a reviewer reads them in the plan', () => {
    for (const policy of plannedResources(proof.plan, 'aws_iam_role_policy')) {
      expect(typeof policy.values.policy).toBe('string');
      expect(policy.values.policy).toContain('arn:aws:');
    }
  });

  test("the dashboard body is known at plan time and names this deployment's functions and queue", () => {
    const body = plannedDashboardBody(proof.plan);
    const refs = metricRefs(body);
    expect(body.widgets.filter((w) => w.type === 'metric').map((w) => w.properties.region)).toEqual(
      Array(5).fill('us-east-1'),
    );
    expect(refs.map((r) => r.dimensions.FunctionName ?? r.dimensions.QueueName)).toEqual(
      expect.arrayContaining([
        'ops-autopilot-ebs-snapshot-create',
        'ops-autopilot-ebs-snapshot-delete',
        'ops-autopilot-ebs-snapshot-failures',
      ]),
    );
  });
});

const COPY_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666';

describeOffline(
  'offline Terraform proof: ebs-snapshot-lifecycle options turned the other way',
  () => {
    let proof: StackProof;
    beforeAll(async () => {
      const varFile = variantVarFile({
        snapshot_table_deletion_protection: false,
        snapshot_recycle_bin_exclusion_tags: { 'rbin-exclude': 'true' },
        snapshot_max_requests_per_second: 2,
        snapshot_default_retain_count: 14,
        snapshot_instance_tag_key: 'BackupSet',
        snapshot_instance_exclude_boot_volume: true,
        snapshot_copy_regions: ['eu-west-1', 'ap-south-1'],
        snapshot_copy_kms_key_arns: { 'eu-west-1': COPY_KEY },
        snapshot_copy_retention_days: 30,
      });
      proof = await proveStack(
        offlineTools!,
        await sharedSynth(),
        'ebs-snapshot-lifecycle',
        varFile,
      );
    }, 180_000);

    test('deletion protection off', () => {
      const [table] = plannedResources(proof.plan, 'aws_dynamodb_table');
      expect(table?.values.deletion_protection_enabled).toBe(false);
    });

    test('the exclusion tags and the rate reach both the create and the sweep function', () => {
      const env = (name: string) =>
        (
          plannedResources(proof.plan, 'aws_lambda_function').find(
            (f) => f.values.function_name === `ops-autopilot-${name}`,
          )?.values.environment as Array<{ variables: Record<string, string> }>
        )[0]?.variables;
      expect(JSON.parse(env('ebs-snapshot-create')?.RECYCLE_BIN_EXCLUSION_TAGS ?? '')).toEqual({
        'rbin-exclude': 'true',
      });
      expect(env('ebs-snapshot-create')).toMatchObject({
        MAX_REQUESTS_PER_SECOND: '2',
        DEFAULT_RETAIN_COUNT: '14',
        INSTANCE_TAG_KEY: 'BackupSet',
        EXCLUDE_BOOT_VOLUME: 'true',
      });
      expect(env('ebs-snapshot-sweep')).toMatchObject({
        RECYCLE_BIN_EXCLUSION_TAGS: '{"rbin-exclude":"true"}',
        MAX_REQUESTS_PER_SECOND: '2',
      });
    });

    test('copies on: the rule, its target, the queue and its policy, the mapping and the function are planned', () => {
      const copyOnes = (type: string) =>
        plannedResources(proof.plan, type).filter((r) => r.address.includes('copy')).length;
      expect(
        [
          'aws_cloudwatch_event_rule',
          'aws_cloudwatch_event_target',
          'aws_sqs_queue',
          'aws_sqs_queue_policy',
          'aws_lambda_event_source_mapping',
          'aws_lambda_function',
        ].map(copyOnes),
      ).toEqual([1, 1, 1, 1, 1, 1]);
      const copy = plannedResources(proof.plan, 'aws_lambda_function').find(
        (f) => f.values.function_name === 'ops-autopilot-ebs-snapshot-copy',
      );
      expect(
        (copy?.values.environment as Array<{ variables: Record<string, string> }>)[0]?.variables,
      ).toMatchObject({
        COPY_REGIONS: '["eu-west-1","ap-south-1"]',
        COPY_KMS_KEY_ARNS: JSON.stringify({ 'eu-west-1': COPY_KEY }),
        COPY_RETENTION_DAYS: '30',
      });
    });

    test('copies on: the delete function may delete managed snapshots in each copy Region', () => {
      const role = plannedResources(proof.plan, 'aws_iam_role_policy').find((p) =>
        String(p.values.role).includes('ebs-snapshot-delete'),
      );
      const policy = JSON.parse(String(role?.values.policy)) as {
        Statement: Array<{ Sid: string; Resource: unknown }>;
      };
      expect(
        policy.Statement.find((s) => s.Sid === 'DeleteOnlyManagedSnapshots')?.Resource,
      ).toEqual([
        'arn:aws:ec2:us-east-1::snapshot/*',
        'arn:aws:ec2:eu-west-1::snapshot/*',
        'arn:aws:ec2:ap-south-1::snapshot/*',
      ]);
    });
  },
);
