import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { SNAPSHOT_EVENT_DETAIL_TYPES } from '../../functions/ebs-snapshot/copy-event';
import { COPY_METRICS } from '../../functions/ebs-snapshot/metric-names';
import { METRICS_NAMESPACE } from '../../functions/shared/metric-spec';
import type { Alerts } from '../platform/alerts';
import type { FailureQueue } from '../platform/failure-queue';
import { policyDocument, registerStatements, type PolicyStatement } from '../platform/iam';
import { countedRef, NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';
import { platformGrant } from '../platform/platform-grants';
import { spliceResources } from '../platform/policy-splice';
import type { declareCopyVariables } from './copy-variables';

/** The copy function's timeout: a batch of 10 events, each a few EC2 calls per destination Region. */
const COPY_TIMEOUT_SECONDS = 120;
/**
 * A message left for later (copy limit, throttling, another delivery's claim) comes back after this; 16
 * receives span 4 hours before it goes to the failure queue.
 */
const VISIBILITY_SECONDS = 900;
const MAX_RECEIVES = 16;
/** Lambda's smallest maximum concurrency for an SQS source: at most 2 copy batches run at once. */
const MAX_CONCURRENCY = 2;

export interface SnapshotCopiesProps {
  readonly vars: ReturnType<typeof declareCopyVariables>;
  readonly tableName: string;
  readonly tableArn: string;
  readonly failures: FailureQueue;
  readonly alerts: Alerts;
}

/** Whether copies are on: every copy resource is counted on it, and the dashboard shows the copies with it. */
export const COPIES_ENABLED = 'length(var.snapshot_copy_regions) > 0';

export const SNAPSHOTS_PLACEHOLDER = 'SNAPSHOTS_IN_HOME_AND_COPY_REGIONS';
const COPIES_PLACEHOLDER = 'SNAPSHOTS_IN_COPY_REGIONS';
const VIA_EC2_PLACEHOLDER = 'EC2_IN_COPY_REGIONS';
const KEYS_PLACEHOLDER = 'KEYS_IN_COPY_REGIONS';
/** Managed snapshots in one Region (format for homeAndCopyRegions). */
export const SNAPSHOT_ARNS = 'arn:PARTITION:ec2:%s::snapshot/*';
/** The account's KMS keys in one Region, and EC2's endpoint there (the kms:ViaService value). */
const KEY_ARNS = 'arn:PARTITION:kms:%s:ACCOUNT:key/*';
const EC2_ENDPOINT = 'ec2.%s.amazonaws.com';
/**
 * What EBS asks of the caller on a KMS key it encrypts or decrypts with ("kms:ReEncrypt" being ReEncryptFrom
 * and ReEncryptTo): https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html#ebs-encryption-permissions
 */
const EBS_KEY_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

function patterns(stack: OpsStack, format: string): { home: string; each: string } {
  const each = format
    .replace('PARTITION', `\${${stack.partition}}`)
    .replace('ACCOUNT', `\${${stack.accountId}}`);
  return { home: each.replace('%s', `\${${stack.region}}`), each };
}

/** `["<home pattern>", "<pattern in each copy Region>"...]` as a Terraform expression (never an empty list). */
export function homeAndCopyRegions(stack: OpsStack, format: string): string {
  const { home, each } = patterns(stack, format);
  return `jsonencode(concat(["${home}"], formatlist("${each}", var.snapshot_copy_regions)))`;
}

/**
 * The pattern in each copy Region; with none, the home Region's: IAM wants a resource in every statement, and
 * without copy Regions there is no event source mapping, so the function is never invoked.
 */
function copyRegionsOnly(stack: OpsStack, format: string): string {
  const { home, each } = patterns(stack, format);
  return `jsonencode(length(var.snapshot_copy_regions) > 0 ? formatlist("${each}", var.snapshot_copy_regions) : ["${home}"])`;
}

/**
 * Cross-Region copies for disaster recovery. Nothing is created in the destination Regions: CopySnapshot is
 * sent to the destination Region's endpoint, so one function here reaches every Region
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html). EBS's completion events
 * (rule, home Region) -> an SQS queue (redrive to the failure queue) -> the copy function. All of it exists
 * only when `snapshot_copy_regions` is not empty, so the default plan is the stack without copies.
 */
export class SnapshotCopies extends Construct {
  readonly fn: NodeFunction;
  readonly queue: SqsQueue;
  /** Known at plan time (the queue is counted, so its own attributes need an index). */
  readonly queueName: string;

  constructor(stack: OpsStack, id: string, props: SnapshotCopiesProps) {
    super(stack, id);
    const { vars } = props;
    const enabled = Token.asNumber(`\${${COPIES_ENABLED} ? 1 : 0}`);
    const queueName = stack.name('ebs-snapshot-copies');
    this.queueName = queueName;
    const queueArn = stack.arn('sqs', queueName);
    this.queue = new SqsQueue(this, 'queue', {
      count: enabled,
      name: queueName,
      visibilityTimeoutSeconds: VISIBILITY_SECONDS,
      messageRetentionSeconds: 86400,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({
        // A reference, not the known ARN: SQS refuses a redrive policy whose queue does not exist yet
        // (NonExistentQueue), so Terraform must create the failure queue first.
        deadLetterTargetArn: props.failures.queue.arn,
        maxReceiveCount: MAX_RECEIVES,
      }),
    });

    const managed = { StringEquals: { 'aws:RequestTag/managed-by': stack.managedBy } };
    const statements: PolicyStatement[] = [
      {
        sid: 'FindSourcesAndCopies',
        actions: ['ec2:DescribeSnapshots'],
        resources: ['*'],
        wildcardReason: 'EC2 Describe calls support no resource-level permissions.',
      },
      {
        // Authorized on the source snapshot (home Region) and on the copy (its Region), both by the request's
        // tags: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-CopySnapshot
        sid: 'CopyOnlyAsManagedSnapshots',
        actions: ['ec2:CopySnapshot'],
        resources: [SNAPSHOTS_PLACEHOLDER],
        conditions: managed,
      },
      {
        sid: 'TagCopiesOnlyAtCreation',
        actions: ['ec2:CreateTags'],
        resources: [COPIES_PLACEHOLDER],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
      },
      {
        // What EBS needs of the caller to encrypt a copy with a customer managed key, only through EC2 in
        // the copy Regions (EBS_KEY_ACTIONS).
        sid: 'EncryptCopiesThroughEc2',
        actions: EBS_KEY_ACTIONS,
        resources: [KEYS_PLACEHOLDER],
        conditions: { StringEquals: { 'kms:ViaService': VIA_EC2_PLACEHOLDER } },
      },
      {
        // A source encrypted with a customer managed key of this account and the home Region: EBS uses that
        // key with the caller's permissions. The EBS pages list no narrower set for a copy's source than
        // EBS_KEY_ACTIONS; only through EC2 in the home Region, never called directly:
        // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
        sid: 'ReadEncryptedSourcesThroughEc2',
        actions: EBS_KEY_ACTIONS,
        resources: [stack.arn('kms', 'key/*')],
        conditions: { StringEquals: { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` } },
      },
      {
        sid: 'RecordAndClaimCopies',
        actions: ['dynamodb:PutItem'],
        resources: [props.tableArn],
      },
      platformGrant('queue-polling', { sid: 'ReceiveCopyEvents', resources: [queueArn] }),
    ];
    this.fn = new NodeFunction(this, 'function', {
      count: enabled,
      asset: 'ebs-snapshot-copy',
      name: 'ebs-snapshot-copy',
      description: 'Copies each completed managed snapshot to the disaster-recovery Regions',
      timeoutSeconds: COPY_TIMEOUT_SECONDS,
      environment: {
        TABLE_NAME: props.tableName,
        MANAGED_BY: stack.managedBy,
        COPY_REGIONS: Fn.jsonencode(vars.regions.listValue),
        COPY_KMS_KEY_ARNS: Fn.jsonencode(vars.kmsKeyArns.value),
        COPY_RETENTION_DAYS: Fn.tostring(vars.retentionDays),
      },
      statements,
    });
    const splices: Array<[string, string]> = [
      [SNAPSHOTS_PLACEHOLDER, homeAndCopyRegions(stack, SNAPSHOT_ARNS)],
      [COPIES_PLACEHOLDER, copyRegionsOnly(stack, SNAPSHOT_ARNS)],
      [VIA_EC2_PLACEHOLDER, copyRegionsOnly(stack, EC2_ENDPOINT)],
      [KEYS_PLACEHOLDER, copyRegionsOnly(stack, KEY_ARNS)],
    ];
    this.fn.policy.policy = splices.reduce(
      (policy, [placeholder, expression]) => spliceResources(policy, placeholder, expression),
      policyDocument(this.fn.statements),
    );

    new LambdaEventSourceMapping(this, 'source', {
      count: enabled,
      functionName: this.fn.ref.arn,
      eventSourceArn: countedRef(this.queue, 'arn', this.queue.arn, enabled),
      batchSize: 10,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: MAX_CONCURRENCY },
      dependsOn: [this.fn.policy],
    });

    const ruleName = stack.name('ebs-snapshot-copy');
    const ruleArn = stack.arn('events', `rule/${ruleName}`);
    // Event shapes: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html#snapshot-events
    const rule = new CloudwatchEventRule(this, 'rule', {
      count: enabled,
      name: ruleName,
      description: `Completed EBS snapshots, to be copied to other Regions by ${this.fn.functionName}`,
      eventPattern: JSON.stringify({
        source: ['aws.ec2'],
        'detail-type': [...SNAPSHOT_EVENT_DETAIL_TYPES],
        detail: { event: ['createSnapshot', 'createSnapshots'], result: ['succeeded'] },
      }),
    });
    const queueStatements: PolicyStatement[] = [
      {
        sid: 'RuleSendsCopyEvents',
        principals: { Service: 'events.amazonaws.com' },
        actions: ['sqs:SendMessage'],
        resources: [queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ];
    const queuePolicy = new SqsQueuePolicy(this, 'queue-policy', {
      count: enabled,
      queueUrl: countedRef(this.queue, 'url', this.queue.url, enabled),
      policy: policyDocument(queueStatements),
    });
    registerStatements(queuePolicy, queueStatements);
    new CloudwatchEventTarget(this, 'target', {
      count: enabled,
      rule: ruleName,
      arn: countedRef(this.queue, 'arn', this.queue.arn, enabled),
      dependsOn: [rule, queuePolicy],
    });

    props.alerts.alarm('copy-failed', {
      count: enabled,
      alarmName: `${this.fn.functionName}-failed`,
      alarmDescription: `${this.fn.functionName}: EC2 refused snapshot copies (retried until the message goes to the failure queue)`,
      namespace: METRICS_NAMESPACE,
      metricName: COPY_METRICS.failed,
      dimensions: { service: 'ebs-snapshot-copy' },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
  }
}
