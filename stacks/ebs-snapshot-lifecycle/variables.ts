import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';

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
    pitr: new TerraformVariable(stack, 'snapshot_table_point_in_time_recovery', {
      type: 'bool',
      default: false,
      description: 'Point-in-time recovery for the snapshot table.',
    }),
  };
}
