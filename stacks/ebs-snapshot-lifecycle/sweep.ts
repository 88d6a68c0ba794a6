import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument } from '../platform/iam';
import { NodeFunction } from '../platform/node-function';
import { spliceResources } from '../platform/policy-splice';
import { homeAndCopyRegions, SNAPSHOT_ARNS, SNAPSHOTS_PLACEHOLDER } from './copy';
import type { OpsStack } from '../platform/ops-stack';
import { FunctionSchedule } from '../platform/scheduled-function';

export interface SnapshotSweepProps {
  readonly tableName: string;
  readonly tableArn: string;
  /** JSON of the copy Regions list: their managed snapshots are swept too. */
  readonly copyRegions: string;
  readonly tagKey: string;
  readonly defaultRetentionDays: string;
  readonly schedule: string;
  readonly maxRequestsPerSecond: number;
  readonly maxBackupAgeHours: number;
  /** JSON of the exclusion tags map. */
  readonly exclusionTags: string;
}

const SWEEP_SCHEDULE = 'ebs-snapshot-sweep-schedule';

/**
 * The sweep: on its own schedule, over every snapshot carrying this deployment's managed-by tag, so no
 * snapshot is left behind whatever happened to its record or stream record.
 */
export class SnapshotSweep extends Construct {
  readonly fn: NodeFunction;

  constructor(stack: OpsStack, id: string, props: SnapshotSweepProps) {
    super(stack, id);
    this.fn = new NodeFunction(this, 'function', {
      asset: 'ebs-snapshot-sweep',
      name: 'ebs-snapshot-sweep',
      description:
        'Deletes expired managed snapshots, records unrecorded ones, reports missed backups',
      timeoutSeconds: 900,
      memoryMb: 512,
      environment: {
        TABLE_NAME: props.tableName,
        MANAGED_BY: stack.managedBy,
        TAG_KEY: props.tagKey,
        DEFAULT_RETENTION_DAYS: props.defaultRetentionDays,
        MAX_REQUESTS_PER_SECOND: Fn.tostring(props.maxRequestsPerSecond),
        MAX_BACKUP_AGE_HOURS: Fn.tostring(props.maxBackupAgeHours),
        RECYCLE_BIN_EXCLUSION_TAGS: props.exclusionTags,
        SCHEDULE_RULE_ARN: FunctionSchedule.ruleArnOf(stack, SWEEP_SCHEDULE),
        COPY_REGIONS: props.copyRegions,
      },
      statements: [
        {
          sid: 'ListSnapshotsVolumesAndLocks',
          actions: ['ec2:DescribeSnapshots', 'ec2:DescribeVolumes', 'ec2:DescribeLockedSnapshots'],
          resources: ['*'],
          wildcardReason: 'EC2 Describe calls support no resource-level permissions.',
        },
        {
          sid: 'DeleteOnlyManagedSnapshots',
          actions: ['ec2:DeleteSnapshot'],
          resources: [SNAPSHOTS_PLACEHOLDER],
          conditions: { StringEquals: { 'aws:ResourceTag/managed-by': stack.managedBy } },
        },
        {
          sid: 'ReadAndRecordSnapshots',
          actions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
          resources: [props.tableArn],
        },
        {
          sid: 'ListRecycleBinRules',
          actions: ['rbin:ListRules'],
          resources: ['*'],
          wildcardReason: 'rbin:ListRules supports no resource-level permissions.',
        },
        {
          sid: 'ReadRecycleBinRules',
          actions: ['rbin:GetRule'],
          resources: [stack.arn('rbin', 'rule/*')],
        },
      ],
    });
    this.fn.policy.policy = spliceResources(
      policyDocument(this.fn.statements),
      SNAPSHOTS_PLACEHOLDER,
      homeAndCopyRegions(stack, SNAPSHOT_ARNS),
    );
    new FunctionSchedule(this, this.fn, {
      name: SWEEP_SCHEDULE,
      description: 'Sweeps EBS snapshots managed by this deployment',
      expression: props.schedule,
    });
  }
}
