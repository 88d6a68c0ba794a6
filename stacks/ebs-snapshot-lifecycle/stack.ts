import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { Fn, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { Alerts } from '../platform/alerts';
import { ebsSnapshotDashboard } from './dashboard';
import { FailureQueue } from '../platform/failure-queue';
import { NodeFunction } from '../platform/node-function';
import { OpsStack, type OpsStackProps } from '../platform/ops-stack';
import { platformGrant } from '../platform/platform-grants';
import { FunctionSchedule } from '../platform/scheduled-function';
import { lifecycleAlarms } from './alarms';
import {
  COPIES_ENABLED,
  homeAndCopyRegions,
  SNAPSHOT_ARNS,
  SNAPSHOTS_PLACEHOLDER,
  SnapshotCopies,
} from './copy';
import { declareCopyVariables } from './copy-variables';
import { policyDocument } from '../platform/iam';
import { spliceResources } from '../platform/policy-splice';
import { SnapshotRun } from './run';
import { setStatements } from './sets';
import { SnapshotSweep } from './sweep';
import { declareSnapshotVariables } from './variables';

/** Only TTL expiries delete snapshots: DynamoDB's own REMOVE of a snapshot record, never a person's. */
export const TTL_EXPIRY_FILTER = {
  eventName: ['REMOVE'],
  userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
  dynamodb: { OldImage: { snapshot_id: { S: [{ prefix: 'snap-' }] } } },
};

const SCHEDULE_NAME = 'ebs-snapshot-schedule';

/**
 * EBS snapshot lifecycle: a schedule snapshots tagged volumes and records each snapshot with a TTL;
 * the table's stream deletes a snapshot when its record expires.
 */
export class EbsSnapshotLifecycleStack extends OpsStack {
  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);

    const vars = declareSnapshotVariables(this);
    const copyVars = declareCopyVariables(this);
    const { schedule, tagKey, retention, pitr } = vars;
    const exclusionTags = Fn.jsonencode(vars.exclusionTags.value);

    const alerts = new Alerts(this, 'alerts');

    const tableName = this.name('ebs-snapshots');
    const table = new DynamodbTable(this, 'table', {
      name: tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'snapshot_id',
      attribute: [{ name: 'snapshot_id', type: 'S' }],
      ttl: { attributeName: 'ttl', enabled: true },
      streamEnabled: true,
      streamViewType: 'OLD_IMAGE',
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: pitr.booleanValue },
      deletionProtectionEnabled: vars.deletionProtection.booleanValue,
    });
    const tableArn = this.arn('dynamodb', `table/${tableName}`);

    const failures = new FailureQueue(this, 'failures', { name: 'ebs-snapshot-failures' });

    const snapshots = this.arn('ec2', 'snapshot/*', { account: '' });
    const create = new NodeFunction(this, 'create', {
      asset: 'ebs-snapshot-create',
      name: 'ebs-snapshot-create',
      description:
        'A page of a snapshot run: snapshots tagged EBS volumes and records each snapshot with its expiry',
      timeoutSeconds: 900,
      memoryMb: 512,
      environment: {
        TABLE_NAME: tableName,
        TAG_KEY: tagKey.stringValue,
        DEFAULT_RETENTION_DAYS: retention.stringValue,
        MANAGED_BY: this.managedBy,
        MAX_REQUESTS_PER_SECOND: Fn.tostring(vars.maxRate),
        DEFAULT_RETAIN_COUNT: Fn.tostring(vars.retainCount),
        RECYCLE_BIN_EXCLUSION_TAGS: exclusionTags,
        INSTANCE_TAG_KEY: vars.instanceTagKey.stringValue,
        EXCLUDE_BOOT_VOLUME: Fn.tostring(vars.excludeBootVolume.booleanValue),
      },
      statements: [
        {
          sid: 'FindVolumesAndRunSnapshots',
          actions: ['ec2:DescribeVolumes', 'ec2:DescribeSnapshots', 'ec2:DescribeInstances'],
          resources: ['*'],
          wildcardReason: 'EC2 Describe calls support no resource-level permissions.',
        },
        {
          sid: 'SnapshotOnlyTaggedVolumes',
          actions: ['ec2:CreateSnapshot'],
          resources: [this.arn('ec2', 'volume/*')],
          conditions: { Null: { [`aws:ResourceTag/${tagKey.stringValue}`]: 'false' } },
        },
        {
          sid: 'CreateOnlyManagedSnapshots',
          actions: ['ec2:CreateSnapshot'],
          resources: [snapshots],
          conditions: { StringEquals: { 'aws:RequestTag/managed-by': this.managedBy } },
        },
        ...setStatements(this, vars.instanceTagKey.stringValue, snapshots),
        {
          sid: 'TagSnapshotsOnlyAtCreation',
          actions: ['ec2:CreateTags'],
          resources: [snapshots],
          conditions: {
            StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateSnapshots'] },
          },
        },
        { sid: 'RecordSnapshots', actions: ['dynamodb:PutItem'], resources: [tableArn] },
      ],
    });

    const run = new SnapshotRun(this, 'run', {
      page: create,
      failureQueueArn: failures.arn,
      failureQueueUrl: failures.queue.url,
      scheduleRuleArn: FunctionSchedule.ruleArnOf(this, SCHEDULE_NAME),
    });
    new FunctionSchedule(this, run.start, {
      name: SCHEDULE_NAME,
      description: 'Starts a snapshot run of the tagged EBS volumes',
      expression: schedule.stringValue,
    });

    const streamArn = this.arn('dynamodb', `table/${tableName}/stream/*`);
    const remove = new NodeFunction(this, 'delete', {
      asset: 'ebs-snapshot-delete',
      name: 'ebs-snapshot-delete',
      description: 'Deletes a snapshot when its record expires',
      timeoutSeconds: 120,
      environment: { MANAGED_BY: this.managedBy, TABLE_NAME: tableName },
      statements: [
        {
          // Copies are deleted in their own Region (the record's Region).
          sid: 'DeleteOnlyManagedSnapshots',
          actions: ['ec2:DeleteSnapshot'],
          resources: [SNAPSHOTS_PLACEHOLDER],
          conditions: { StringEquals: { 'aws:ResourceTag/managed-by': this.managedBy } },
        },
        {
          sid: 'ReadSnapshotLocks',
          actions: ['ec2:DescribeLockedSnapshots'],
          resources: ['*'],
          wildcardReason: 'EC2 Describe calls support no resource-level permissions.',
        },
        {
          // A delete whose every reply was lost is confirmed by the snapshot being gone.
          sid: 'CheckDeletedSnapshots',
          actions: ['ec2:DescribeSnapshots'],
          resources: ['*'],
          wildcardReason: 'EC2 Describe calls support no resource-level permissions.',
        },
        { sid: 'WriteBackFailedDeletes', actions: ['dynamodb:PutItem'], resources: [tableArn] },
        platformGrant('stream-polling', { sid: 'ReadTableStream', resources: [streamArn] }),
        platformGrant('stream-listing', {
          sid: 'ListTableStreams',
          resources: ['*'],
          wildcardReason: 'dynamodb:ListStreams supports no resource-level permissions.',
        }),
        platformGrant('failure-destination-sqs', {
          sid: 'StreamFailuresToQueue',
          resources: [failures.arn],
        }),
      ],
    });

    const everyRegion = homeAndCopyRegions(this, SNAPSHOT_ARNS);
    remove.policy.policy = spliceResources(
      policyDocument(remove.statements),
      SNAPSHOTS_PLACEHOLDER,
      everyRegion,
    );

    new LambdaEventSourceMapping(this, 'expiries', {
      functionName: remove.function.arn,
      eventSourceArn: table.streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 25,
      maximumBatchingWindowInSeconds: 5,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 86400,
      functionResponseTypes: ['ReportBatchItemFailures'],
      filterCriteria: { filter: [{ pattern: JSON.stringify(TTL_EXPIRY_FILTER) }] },
      destinationConfig: { onFailure: { destinationArn: failures.queue.arn } },
    });

    const sweep = new SnapshotSweep(this, 'sweep', {
      tableName,
      tableArn,
      copyRegions: Fn.jsonencode(copyVars.regions.listValue),
      tagKey: tagKey.stringValue,
      defaultRetentionDays: retention.stringValue,
      schedule: vars.sweepSchedule.stringValue,
      maxRequestsPerSecond: vars.maxRate,
      maxBackupAgeHours: vars.maxBackupAgeHours,
      exclusionTags,
    });

    const copies = new SnapshotCopies(this, 'copy', {
      vars: copyVars,
      tableName,
      tableArn,
      failures,
      alerts,
    });

    alerts.functionErrors('create-errors', create);
    alerts.functionErrors('delete-errors', remove);
    alerts.functionErrors('sweep-errors', sweep.fn);
    alerts.functionErrors('copy-errors', copies.fn);
    lifecycleAlarms(alerts, remove, sweep.fn);
    run.alarms(alerts);
    alerts.queueNotEmpty('failures-not-empty', failures.name);
    ebsSnapshotDashboard(this, {
      create,
      start: run.start,
      remove,
      sweep: sweep.fn,
      failureQueueName: failures.name,
      copies: { fn: copies.fn, queueName: copies.queueName, when: COPIES_ENABLED },
    });

    new TerraformOutput(this, 'snapshot_table_name', { value: table.name });
    new TerraformOutput(this, 'failure_queue_url', { value: failures.queue.url });
    new TerraformOutput(this, 'alerts_topic_arn', { value: alerts.topic.arn });
  }
}
