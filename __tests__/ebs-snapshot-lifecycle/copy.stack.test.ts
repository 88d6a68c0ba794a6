import { resourceById, resources, synthStack } from '../support/synth';
import { policyOf } from './fixtures/policies';

const { json } = synthStack('ebs-snapshot-lifecycle');
const ENABLED = '${length(var.snapshot_copy_regions) > 0 ? 1 : 0}';

describe('cross-Region copies: trigger', () => {
  test('the rule takes succeeded createSnapshot and createSnapshots events, only when copy Regions are set', () => {
    // Prepare
    const rule = resourceById(json, 'aws_cloudwatch_event_rule', 'copy');

    // Act
    const pattern = JSON.parse(String(rule.event_pattern)) as Record<string, unknown>;

    // Assess
    expect(rule.count).toBe(ENABLED);
    expect(pattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['EBS Snapshot Notification', 'EBS Multi-Volume Snapshots Completion Status'],
      detail: { event: ['createSnapshot', 'createSnapshots'], result: ['succeeded'] },
    });
  });

  test('the queue redrives to the failure queue, created after it, and is drained with partial batch failures and bounded concurrency', () => {
    // Prepare
    const queue = resourceById(json, 'aws_sqs_queue', 'copy');
    const mapping = resourceById(json, 'aws_lambda_event_source_mapping', 'copy');

    // Act
    const redrive = JSON.parse(String(queue.redrive_policy)) as Record<string, unknown>;

    // Assess
    expect(redrive).toEqual({
      // A reference orders the two: SQS refuses a redrive policy naming a queue that does not exist yet.
      deadLetterTargetArn: '${aws_sqs_queue.failures.arn}',
      maxReceiveCount: 16,
    });
    expect(queue.visibility_timeout_seconds).toBe(900);
    expect(mapping).toMatchObject({
      count: ENABLED,
      function_response_types: ['ReportBatchItemFailures'],
      scaling_config: { maximum_concurrency: 2 },
    });
  });

  test('only the rule may send to the queue, and the target, policy and mapping exist with the rule', () => {
    // Prepare
    const policy = resourceById(json, 'aws_sqs_queue_policy', 'copy');
    const target = resourceById(json, 'aws_cloudwatch_event_target', 'copy');

    // Act
    const [statement] = (JSON.parse(String(policy.policy)) as { Statement: unknown[] }).Statement;

    // Assess
    expect(statement).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: {
        ArnEquals: {
          'aws:SourceArn':
            'arn:${data.aws_partition.partition.partition}:events:${var.region}:${var.account_id}:rule/${var.name_prefix}-ebs-snapshot-copy',
        },
      },
    });
    expect([policy.count, target.count]).toEqual([ENABLED, ENABLED]);
  });

  test('the copy function gets the Regions, keys and retention from the variables', () => {
    // Prepare
    const fns = Object.values(resources(json, 'aws_lambda_function'));

    // Act
    const copy = fns.find((f) => f.function_name === '${var.name_prefix}-ebs-snapshot-copy');

    // Assess
    expect((copy?.environment as { variables: Record<string, string> }).variables).toMatchObject({
      COPY_REGIONS: '${jsonencode(var.snapshot_copy_regions)}',
      COPY_KMS_KEY_ARNS: '${jsonencode(var.snapshot_copy_kms_key_arns)}',
      COPY_RETENTION_DAYS: '${tostring(var.snapshot_copy_retention_days)}',
    });
    expect(json.variable.snapshot_copy_regions?.default).toEqual([]);
  });
});

describe('cross-Region copies: IAM', () => {
  test('copy: CopySnapshot on snapshots of the home and each copy Region, only with the managed-by request tag', () => {
    // Act
    const statements = policyOf(json, 'ebs-snapshot-copy', ['eu-west-1']).Statement;

    // Assess
    expect(statements.find((s) => s.Sid === 'CopyOnlyAsManagedSnapshots')).toEqual({
      Sid: 'CopyOnlyAsManagedSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CopySnapshot',
      Resource: [
        'arn:${data.aws_partition.partition.partition}:ec2:${var.region}::snapshot/*',
        'arn:${data.aws_partition.partition.partition}:ec2:eu-west-1::snapshot/*',
      ],
      Condition: {
        StringEquals: { 'aws:RequestTag/managed-by': '${var.name_prefix}/ebs-snapshot-lifecycle' },
      },
    });
    expect(statements.find((s) => s.Sid === 'TagCopiesOnlyAtCreation')?.Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'CopySnapshot' },
    });
  });

  test('copy: tags only at creation, and KMS only through EC2, in the copy Regions', () => {
    // Act
    const statements = policyOf(json, 'ebs-snapshot-copy', ['eu-west-1']).Statement;

    // Assess
    expect(statements.find((s) => s.Sid === 'EncryptCopiesThroughEc2')?.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': ['ec2.eu-west-1.amazonaws.com'],
      },
    });
    expect(statements.find((s) => s.Sid === 'EncryptCopiesThroughEc2')?.Resource).toEqual([
      'arn:${data.aws_partition.partition.partition}:kms:eu-west-1:${var.account_id}:key/*',
    ]);
    expect(statements.find((s) => s.Sid === 'TagCopiesOnlyAtCreation')?.Resource).toEqual([
      'arn:${data.aws_partition.partition.partition}:ec2:eu-west-1::snapshot/*',
    ]);
  });

  test('copy: KMS on keys of the home Region only through EC2 there, for sources under a customer managed key', () => {
    // Act
    const statements = policyOf(json, 'ebs-snapshot-copy', ['eu-west-1']).Statement;

    // Assess
    expect(statements.find((s) => s.Sid === 'ReadEncryptedSourcesThroughEc2')).toEqual({
      Sid: 'ReadEncryptedSourcesThroughEc2',
      Effect: 'Allow',
      Action: statements.find((s) => s.Sid === 'EncryptCopiesThroughEc2')?.Action,
      Resource:
        'arn:${data.aws_partition.partition.partition}:kms:${var.region}:${var.account_id}:key/*',
      Condition: { StringEquals: { 'kms:ViaService': 'ec2.${var.region}.amazonaws.com' } },
    });
    expect(statements.find((s) => s.Sid === 'ReadEncryptedSourcesThroughEc2')?.Action).toEqual([
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ]);
  });

  test('delete: DeleteSnapshot in the home Region only, until copy Regions are set', () => {
    // Act
    const without = policyOf(json, 'ebs-snapshot-delete').Statement;
    const withCopies = policyOf(json, 'ebs-snapshot-delete', ['eu-west-1', 'ap-south-1']).Statement;

    // Assess
    const resourcesOf = (s: typeof without) =>
      s.find((x) => x.Sid === 'DeleteOnlyManagedSnapshots')?.Resource;
    expect(resourcesOf(without)).toEqual([
      'arn:${data.aws_partition.partition.partition}:ec2:${var.region}::snapshot/*',
    ]);
    expect(resourcesOf(withCopies)).toEqual([
      'arn:${data.aws_partition.partition.partition}:ec2:${var.region}::snapshot/*',
      'arn:${data.aws_partition.partition.partition}:ec2:eu-west-1::snapshot/*',
      'arn:${data.aws_partition.partition.partition}:ec2:ap-south-1::snapshot/*',
    ]);
  });
});
