import type { ConditionBlock, PolicyStatement } from './iam';

/**
 * What AWS itself calls with a role on its user's behalf, by trigger kind: the only source of statements
 * marked `platform`. The IAM proof (__tests__/iam-proof/platform.test.ts) derives from the synthesized stacks
 * which of these each role needs and fails on any platform statement that differs from the entry here, and on
 * any needed one that is missing.
 */
export const PLATFORM_GRANTS = {
  /** A Lambda function writes its logs into its own (existing) log group. */
  'lambda-logs': {
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    // logs:CreateLogGroup is left out: Terraform creates the group before the function can run.
    reference: 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html',
  },
  /** Lambda manages the network interfaces of a function attached to a VPC. */
  'vpc-network-interfaces': {
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    // AWSLambdaVPCAccessExecutionRole v3 (2024-01-05) added ec2:DescribeSubnets to the minimum set.
    reference:
      'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html',
  },
  /** An event source mapping polls a DynamoDB stream. */
  'stream-polling': {
    actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
    reference:
      'https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions',
  },
  /** ...and lists the table's streams, which has no resource-level permission. */
  'stream-listing': {
    actions: ['dynamodb:ListStreams'],
    reference:
      'https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#events-dynamodb-permissions',
  },
  /** An event source mapping polls an SQS queue. */
  'queue-polling': {
    actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    reference: 'https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions',
  },
  /** Lambda sends a failed asynchronous invocation, or a stream batch, to an SQS queue. */
  'failure-destination-sqs': {
    actions: ['sqs:SendMessage'],
    reference:
      'https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#destinations-permissions',
  },
  /** ...or to an SNS topic. */
  'failure-destination-sns': {
    actions: ['sns:Publish'],
    reference:
      'https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#destinations-permissions',
  },
  /** SNS encrypts what the role publishes to a topic encrypted with a customer managed key. */
  'kms-encrypted-topic': {
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    reference:
      'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse',
  },
  /** SQS decrypts what an event source mapping receives from a queue encrypted with a customer managed key. */
  'kms-encrypted-queue-receive': {
    actions: ['kms:Decrypt'],
    reference: 'https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions',
  },
  /** SQS encrypts what the role (or Lambda, for a destination) sends to a queue encrypted with such a key. */
  'kms-encrypted-queue-send': {
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    reference:
      'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#send-to-encrypted-queue',
  },
  /** Step Functions delivers execution logs to CloudWatch Logs (vended logs: no resource-level permissions). */
  'state-machine-log-delivery': {
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    reference:
      'https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy',
  },
  /** Auto Scaling publishes a lifecycle hook's notifications to its SNS target. */
  'lifecycle-notification': {
    actions: ['sns:Publish'],
    reference:
      'https://docs.aws.amazon.com/autoscaling/ec2/userguide/prepare-for-lifecycle-notifications.html#sns-notifications',
  },
  /** The ECS agent reads a task's private registry credentials with the task execution role. */
  'registry-credentials': {
    actions: ['secretsmanager:GetSecretValue'],
    reference: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html',
  },
} as const satisfies Record<string, { actions: readonly string[]; reference: string }>;

export type PlatformKind = keyof typeof PLATFORM_GRANTS;

export interface PlatformGrantProps {
  readonly sid: string;
  readonly resources: readonly string[];
  /** @default none */
  readonly conditions?: ConditionBlock;
  /** Required when `resources` is `*` and an action could be scoped. @default none */
  readonly wildcardReason?: string;
  /** The kind's actions in another order (a policy keeps the order it was deployed with). @default the list's */
  readonly actionOrder?: readonly string[];
}

/** The statement a role needs for one platform use; the only way to mark a statement `platform`. */
export function platformGrant(kind: PlatformKind, props: PlatformGrantProps): PolicyStatement {
  const actions: readonly string[] = PLATFORM_GRANTS[kind].actions;
  const ordered = props.actionOrder ?? actions;
  if (ordered.length !== actions.length || !actions.every((a) => ordered.includes(a)))
    throw new Error(
      `platform grant "${kind}" holds exactly ${actions.join(', ')}; got ${ordered.join(', ')}`,
    );
  return {
    sid: props.sid,
    actions: ordered,
    resources: props.resources,
    ...(props.conditions ? { conditions: props.conditions } : {}),
    ...(props.wildcardReason ? { wildcardReason: props.wildcardReason } : {}),
    platform: kind,
  };
}

/** The SNS-only use of a stack's key, named by its alias (the key's ARN is known only after apply). */
export function encryptedTopicGrant(
  props: Pick<PlatformGrantProps, 'sid' | 'actionOrder'> & {
    readonly keyArnPattern: string;
    readonly region: string;
    readonly keyAlias: string;
  },
): PolicyStatement {
  return platformGrant('kms-encrypted-topic', {
    sid: props.sid,
    resources: [props.keyArnPattern],
    conditions: {
      StringEquals: { 'kms:ViaService': `sns.${props.region}.amazonaws.com` },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': props.keyAlias },
    },
    ...(props.actionOrder ? { actionOrder: props.actionOrder } : {}),
  });
}
