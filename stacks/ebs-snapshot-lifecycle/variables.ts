import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import { numberVar } from '../platform/variables';

/** The stack's variables, `snapshot_*`. */
export function declareSnapshotVariables(stack: OpsStack) {
  return {
    schedule: new TerraformVariable(stack, 'snapshot_schedule', {
      type: 'string',
      default: 'cron(0 16 * * ? *)',
      description:
        'When to snapshot (EventBridge expression); the default is midnight UTC+8, as in the seed.',
    }),
    tagKey: new TerraformVariable(stack, 'snapshot_tag_key', {
      type: 'string',
      default: 'Snapshot',
      description:
        'Volumes carrying this tag key are snapshotted; a whole-number value sets their retention in days.',
    }),
    retention: new TerraformVariable(stack, 'snapshot_default_retention_days', {
      type: 'number',
      default: 7,
      description: 'Retention of a snapshot, in days, when its volume tag value is not a number.',
      validation: [
        {
          condition:
            '${var.snapshot_default_retention_days >= 1 && floor(var.snapshot_default_retention_days) == var.snapshot_default_retention_days}',
          errorMessage: 'snapshot_default_retention_days must be a whole number >= 1.',
        },
      ],
    }),
    instanceTagKey: new TerraformVariable(stack, 'snapshot_instance_tag_key', {
      type: 'string',
      default: 'SnapshotInstance',
      description:
        'Instances carrying this tag key get one crash-consistent set of all their volumes per run (CreateSnapshots); a whole-number value sets the retention in days, count:N the count.',
    }),
    excludeBootVolume: new TerraformVariable(stack, 'snapshot_instance_exclude_boot_volume', {
      type: 'bool',
      default: false,
      description:
        "Leave each tagged instance's boot volume out of its crash-consistent set (a boot volume that carries the volume tag is then snapshotted on its own).",
    }),
    pitr: new TerraformVariable(stack, 'snapshot_table_point_in_time_recovery', {
      type: 'bool',
      default: false,
      description: 'Point-in-time recovery for the snapshot table.',
    }),
    deletionProtection: new TerraformVariable(stack, 'snapshot_table_deletion_protection', {
      type: 'bool',
      default: true,
      description:
        'Deletion protection for the snapshot table, which holds every pending expiry (the sweep recovers them from tags if it is lost).',
    }),
    sweepSchedule: new TerraformVariable(stack, 'snapshot_sweep_schedule', {
      type: 'string',
      default: 'cron(30 4 * * ? *)',
      description:
        'When to sweep managed snapshots: delete the expired, record the unrecorded, report missed backups and Recycle Bin rules.',
    }),
    maxRate: numberVar(stack, 'snapshot_max_requests_per_second', {
      default: 4,
      min: 1,
      max: 100,
      description:
        "Most EC2 create/delete calls per second this stack makes, below EC2's per-account buckets (CreateSnapshot and DeleteSnapshot refill at 5/s), so other tools keep headroom.",
    }),
    retainCount: numberVar(stack, 'snapshot_default_retain_count', {
      default: 0,
      min: 0,
      max: 1000,
      description:
        'Newest managed snapshots to keep per volume when its tag value is not count:N (0: no count rule); older ones expire on the next run, on top of the age rule.',
    }),
    maxBackupAgeHours: numberVar(stack, 'snapshot_max_backup_age_hours', {
      default: 26,
      min: 1,
      max: 8760,
      unit: ' hours',
      description:
        'A tagged volume whose newest snapshot is older than this raises the missed-backup alarm (26 h suits the daily default schedule).',
    }),
    exclusionTags: new TerraformVariable(stack, 'snapshot_recycle_bin_exclusion_tags', {
      type: 'map(string)',
      default: {},
      description:
        'Tags put on every snapshot so Region-level Recycle Bin rules that exclude them do not keep the snapshots this stack deletes.',
    }),
  };
}
