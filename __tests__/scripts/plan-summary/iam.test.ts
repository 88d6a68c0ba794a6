import { parsePolicy, summarizePlan } from '../../../scripts/plan-summary';
import { fixture, iamOf } from './support';

describe('summarizePlan: IAM changes', () => {
  const summary = summarizePlan('ebs-snapshot-lifecycle', fixture('iam.json'));

  test('an updated policy shows added and removed statements; reordered actions are unchanged', () => {
    // Act
    const [policy] = iamOf(summary, 'aws_iam_role_policy.delete').policies;

    // Assess
    expect(policy).toMatchObject({ attribute: 'policy', state: 'known', unchanged: 1 });
    expect(policy?.added).toEqual([
      {
        sid: 'DeleteOnlyManagedSnapshots',
        effect: 'Allow',
        actions: ['ec2:DeleteSnapshot'],
        resources: ['arn:aws:ec2:us-east-1::snapshot/*'],
        conditions: [
          'StringEquals aws:ResourceTag/managed-by=ops-autopilot/ebs-snapshot-lifecycle',
        ],
      },
    ]);
    expect(policy?.removed).toEqual([
      {
        sid: 'DeleteAnySnapshot',
        effect: 'Allow',
        actions: ['ec2:DeleteSnapshot'],
        resources: ['*'],
      },
    ]);
  });

  test('a role policy names its role', () => {
    expect(iamOf(summary, 'aws_iam_role_policy.delete').details).toEqual([
      'role: ops-autopilot-ebs-snapshot-delete',
    ]);
  });

  test('a new role shows its trust policy with the service principal', () => {
    const role = iamOf(summary, 'aws_iam_role.create');
    expect(role.policies).toEqual([
      {
        attribute: 'assume_role_policy',
        state: 'known',
        added: [
          {
            effect: 'Allow',
            principals: ['Service:lambda.amazonaws.com'],
            actions: ['sts:AssumeRole'],
          },
        ],
        removed: [],
        unchanged: 0,
      },
    ]);
  });

  test('a computed attribute nobody configured is not shown (managed_policy_arns of a new role)', () => {
    expect(iamOf(summary, 'aws_iam_role.create').details).toEqual([
      'name: ops-autopilot-ebs-snapshot-create',
    ]);
  });

  test('a changed inline policy of a role is diffed by name', () => {
    const [inline] = iamOf(summary, 'aws_iam_role.legacy').policies;
    expect(inline).toMatchObject({ attribute: 'inline_policy[logs]', unchanged: 0 });
    expect(inline?.added[0]?.actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(inline?.removed[0]?.actions).toEqual(['logs:*']);
  });

  test('an updated role whose trust policy did not change lists only what changed', () => {
    expect(iamOf(summary, 'aws_iam_role.legacy').policies.map((p) => p.attribute)).toEqual([
      'inline_policy[logs]',
    ]);
  });

  test('a policy attachment shows the role and the managed policy', () => {
    expect(iamOf(summary, 'aws_iam_role_policy_attachment.readonly').details).toEqual([
      'role: ops-autopilot-ebs-snapshot-create',
      'policy_arn: arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
  });

  test('a KMS key whose policy did not change is not an IAM change', () => {
    expect(summary.iam.map((i) => i.address)).not.toContain('aws_kms_key.alerts');
  });

  test("an SNS topic's computed default policy is not an IAM change", () => {
    expect(summary.iam.map((i) => i.address)).not.toContain('aws_sns_topic.alerts');
  });

  test('a policy known only after apply says so and names what it is computed from', () => {
    expect(iamOf(summary, 'aws_sns_topic_policy.alerts').policies).toEqual([
      {
        attribute: 'policy',
        state: 'unknown',
        added: [],
        removed: [],
        unchanged: 0,
        references: ['data.aws_iam_policy_document.alerts.json'],
      },
    ]);
  });

  test('a deleted queue policy lists its statements as removed, with principals and conditions', () => {
    const [policy] = iamOf(summary, 'aws_sqs_queue_policy.failures').policies;
    expect(policy?.added).toEqual([]);
    expect(policy?.removed).toEqual([
      {
        sid: 'EventsSend',
        effect: 'Allow',
        principals: ['Service:events.amazonaws.com'],
        actions: ['sqs:SendMessage'],
        resources: ['arn:aws:sqs:us-east-1:123456789012:ops-autopilot-failures'],
      },
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        principals: ['*'],
        notActions: ['sqs:GetQueueUrl'],
        resources: ['*'],
        conditions: ['Bool aws:SecureTransport=false'],
      },
    ]);
  });

  test('a Lambda permission reads as one grant, with the source known only after apply', () => {
    expect(iamOf(summary, 'aws_lambda_permission.schedule').details).toEqual([
      'events.amazonaws.com may lambda:InvokeFunction on ops-autopilot-ebs-snapshot-create, source_arn aws_cloudwatch_event_rule.schedule.arn (known after apply)',
    ]);
  });

  test('a sensitive policy is not shown', () => {
    expect(iamOf(summary, 'aws_iam_policy.secret').policies).toEqual([
      { attribute: 'policy', state: 'sensitive', added: [], removed: [], unchanged: 0 },
    ]);
  });

  test('a policy that is not JSON is reported as invalid', () => {
    expect(iamOf(summary, 'aws_secretsmanager_secret.db').policies[0]?.state).toBe('invalid');
  });
});

describe('parsePolicy', () => {
  test('reads a single statement object and a wildcard principal', () => {
    expect(
      parsePolicy(
        '{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}',
      ),
    ).toEqual([
      { effect: 'Allow', principals: ['*'], actions: ['s3:GetObject'], resources: ['*'] },
    ]);
  });

  test('lists principals of several kinds, each kind sorted', () => {
    const [s] =
      parsePolicy({
        Statement: [
          {
            Effect: 'Allow',
            Principal: {
              Service: 'sns.amazonaws.com',
              AWS: ['arn:aws:iam::1:root', 'arn:aws:iam::2:root'],
            },
            Action: 'kms:Decrypt',
          },
        ],
      }) ?? [];
    expect(s?.principals).toEqual([
      'AWS:arn:aws:iam::1:root',
      'AWS:arn:aws:iam::2:root',
      'Service:sns.amazonaws.com',
    ]);
  });

  test('gives undefined for text that is not JSON', () => {
    expect(parsePolicy('{')).toBeUndefined();
  });

  test('reads an empty document as no statements', () => {
    expect(parsePolicy('')).toEqual([]);
  });
});
