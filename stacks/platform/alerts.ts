import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, registerStatements, type PolicyStatement } from './iam';
import type { NodeFunction } from './node-function';
import { OpsStack } from './ops-stack';

/** What the account root may do with the key: the default key policy's `kms:*`, spelled out. */
const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

export interface AlertsProps {
  /** Service principals that publish to the topic and so need the key (CloudWatch is always included). @default [] */
  readonly publisherServices?: readonly string[];
}

/**
 * The stack's KMS key and its alerts topic (encrypted with that key), an optional email
 * subscription (variable `alert_email`), and helpers for alarms that notify the topic.
 */
export class Alerts extends Construct {
  readonly key: KmsKey;
  readonly topic: SnsTopic;
  /** Topic ARN built from inputs, known at plan time. */
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlertsProps = {}) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const email = new TerraformVariable(stack, 'alert_email', {
      type: 'string',
      default: '',
      description:
        'Email address subscribed to the alerts topic; empty for none (confirm the subscription mail).',
    });

    const services = ['cloudwatch.amazonaws.com', ...(props.publisherServices ?? [])];
    const keyStatements: PolicyStatement[] = [
      {
        sid: 'AccountAdministers',
        principals: { AWS: `arn:${stack.partition}:iam::${stack.accountId}:root` },
        actions: KEY_ADMIN_ACTIONS,
        resources: ['*'],
      },
      {
        sid: 'ServicesPublishEncrypted',
        principals: { Service: services },
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.accountId } },
      },
    ];
    this.key = new KmsKey(this, 'key', {
      description: `${stack.stackName}: alerts and queues`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(keyStatements),
    });
    registerStatements(this.key, keyStatements);
    new KmsAlias(this, 'alias', {
      name: `alias/${stack.name(stack.stackName)}`,
      targetKeyId: this.key.keyId,
    });

    const topicName = stack.name(`${stack.stackName}-alerts`);
    this.topic = new SnsTopic(this, 'topic', { name: topicName, kmsMasterKeyId: this.key.arn });
    this.topicArn = stack.arn('sns', topicName);

    new SnsTopicSubscription(this, 'email', {
      // Op.eq drops an empty-string operand, so the expression is written out.
      count: Token.asNumber('${var.alert_email == "" ? 0 : 1}'),
      topicArn: this.topic.arn,
      protocol: 'email',
      endpoint: email.stringValue,
    });
  }

  /** An alarm that notifies the topic when it fires and when it recovers. */
  alarm(
    id: string,
    config: Omit<CloudwatchMetricAlarmConfig, 'alarmActions' | 'okActions'>,
  ): CloudwatchMetricAlarm {
    return new CloudwatchMetricAlarm(this, id, {
      treatMissingData: 'notBreaching',
      ...config,
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
  }

  /** Any error of the function in a 5-minute period; with the function's `count`, when the function exists. */
  functionErrors(id: string, fn: NodeFunction): CloudwatchMetricAlarm {
    return this.alarm(id, {
      ...(fn.count !== undefined ? { count: fn.count } : {}),
      alarmName: `${fn.functionName}-errors`,
      alarmDescription: `${fn.functionName} reported errors`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: fn.functionName },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
  }

  /** Any message visible in the queue (a dead-letter queue should stay empty). */
  queueNotEmpty(id: string, queueName: string): CloudwatchMetricAlarm {
    return this.alarm(id, {
      alarmName: `${queueName}-not-empty`,
      alarmDescription: `${queueName} holds failed records`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queueName },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
  }
}
