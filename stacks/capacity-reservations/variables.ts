import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import { wholeNumberRule } from '../platform/variables';

/** Aurora capacity units: from `min` to 256, in steps of 0.5. */
const acuRule = (name: string, min: number) => ({
  condition: `\${var.${name} >= ${min} && var.${name} <= 256 && floor(var.${name} * 2) == var.${name} * 2}`,
  errorMessage: `${name} must be ${min} to 256 in steps of 0.5.`,
});

/** The stack's variables, `capacity_*`. */
export function declareCapacityVariables(stack: OpsStack) {
  return {
    schedule: new TerraformVariable(stack, 'capacity_schedule', {
      type: 'string',
      default: 'rate(5 minutes)',
      description: 'How often the reserver reconciles (EventBridge expression).',
      validation: [
        {
          condition: '${can(regex("^(rate|cron)[(].+[)]$", var.capacity_schedule))}',
          errorMessage:
            'capacity_schedule must be an EventBridge rate(...) or cron(...) expression.',
        },
      ],
    }),
    engineVersion: new TerraformVariable(stack, 'capacity_db_engine_version', {
      type: 'string',
      default: '8.0.mysql_aurora.3.10.3',
      description:
        'Aurora MySQL engine version (MySQL 8.0 compatible; 3.10 is a long-term-support line). Upgrades happen when this changes.',
      validation: [
        {
          condition:
            '${can(regex("^8[.]0[.]mysql_aurora[.]3[.][0-9]+[.][0-9]+$", var.capacity_db_engine_version))}',
          errorMessage:
            'capacity_db_engine_version must be an Aurora MySQL 3 version like "8.0.mysql_aurora.3.10.3".',
        },
      ],
    }),
    instances: new TerraformVariable(stack, 'capacity_db_instances', {
      type: 'number',
      default: 1,
      description: 'Number of db.serverless instances (one writer; more are readers for failover).',
      validation: [wholeNumberRule('capacity_db_instances', 1, 15)],
    }),
    minAcu: new TerraformVariable(stack, 'capacity_db_min_acu', {
      type: 'number',
      default: 0.5,
      description:
        'Minimum Aurora capacity units of each instance (0 lets an idle database pause).',
      validation: [acuRule('capacity_db_min_acu', 0)],
    }),
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html
    autoPauseSeconds: new TerraformVariable(stack, 'capacity_db_seconds_until_auto_pause', {
      type: 'number',
      default: 300,
      description:
        'With capacity_db_min_acu 0: seconds without connections before an instance pauses (300 to 86400).',
      validation: [wholeNumberRule('capacity_db_seconds_until_auto_pause', 300, 86400)],
    }),
    maxAcu: new TerraformVariable(stack, 'capacity_db_max_acu', {
      type: 'number',
      default: 2,
      description: 'Maximum Aurora capacity units of each instance.',
      validation: [acuRule('capacity_db_max_acu', 1)],
    }),
    dbName: new TerraformVariable(stack, 'capacity_db_name', {
      type: 'string',
      default: 'odcr',
      description: 'Name of the database that holds the odcr_capacity table.',
      validation: [
        {
          condition: '${can(regex("^[A-Za-z][A-Za-z0-9_]{0,63}$", var.capacity_db_name))}',
          errorMessage:
            'capacity_db_name must start with a letter and hold at most 64 letters, digits or "_".',
        },
      ],
    }),
    deletionProtection: new TerraformVariable(stack, 'capacity_db_deletion_protection', {
      type: 'bool',
      default: true,
      description: 'Deletion protection of the database cluster (turn off before destroying).',
    }),
    backupRetention: new TerraformVariable(stack, 'capacity_db_backup_retention_days', {
      type: 'number',
      default: 7,
      description: 'Days of automated backups (point-in-time restore) of the database.',
      validation: [wholeNumberRule('capacity_db_backup_retention_days', 1, 35)],
    }),
    skipFinalSnapshot: new TerraformVariable(stack, 'capacity_db_skip_final_snapshot', {
      type: 'bool',
      default: false,
      description:
        'Destroy the database without a final snapshot (else "<cluster>-final" is taken).',
    }),
    dataApi: new TerraformVariable(stack, 'capacity_db_data_api', {
      type: 'bool',
      default: true,
      description:
        'RDS Data API on the cluster, so the console Query Editor can edit odcr_capacity.',
    }),
    chunkSize: new TerraformVariable(stack, 'capacity_default_chunk_size', {
      type: 'number',
      default: 10,
      description: 'Instances per reservation the reserver creates when a row sets no Chunk_Size.',
      validation: [wholeNumberRule('capacity_default_chunk_size', 1, 1000)],
    }),
    concurrency: new TerraformVariable(stack, 'capacity_concurrency', {
      type: 'number',
      default: 4,
      description: 'Rows the reserver reconciles in parallel.',
      validation: [wholeNumberRule('capacity_concurrency', 1, 32)],
    }),
    gapPeriods: new TerraformVariable(stack, 'capacity_gap_alarm_periods', {
      type: 'number',
      default: 3,
      description:
        'Consecutive 5-minute periods a pool must stay below its target before the gap alarm fires (1 to 36: a Metrics Insights alarm evaluates only the last 3 hours).',
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
      validation: [wholeNumberRule('capacity_gap_alarm_periods', 1, 36)],
    }),
    idlePercent: new TerraformVariable(stack, 'capacity_idle_alarm_percent', {
      type: 'number',
      default: 20,
      description:
        'A pool whose active reservations are used below this percentage is idle (1 to 100); see capacity_idle_alarm_hours.',
      validation: [wholeNumberRule('capacity_idle_alarm_percent', 1, 100)],
    }),
    idleHours: new TerraformVariable(stack, 'capacity_idle_alarm_hours', {
      type: 'number',
      default: 24,
      description:
        'Hours a pool must stay idle (every run under capacity_idle_alarm_percent) before the idle alarm fires (1 to 720).',
      validation: [wholeNumberRule('capacity_idle_alarm_hours', 1, 720)],
    }),
    expiryHours: new TerraformVariable(stack, 'capacity_expiry_warning_hours', {
      type: 'number',
      default: 72,
      description:
        'Hours before a managed reservation ends (End_Date) that the expiry alarm fires for its pool (1 to 720).',
      validation: [wholeNumberRule('capacity_expiry_warning_hours', 1, 720)],
    }),
    staleMinutes: new TerraformVariable(stack, 'capacity_stale_alarm_minutes', {
      type: 'number',
      default: 30,
      description:
        'Minutes without a completed reconciliation before the stale-run alarm fires (a multiple of 5, at least twice the schedule interval).',
      validation: [
        {
          condition:
            '${var.capacity_stale_alarm_minutes >= 10 && var.capacity_stale_alarm_minutes <= 1440 && var.capacity_stale_alarm_minutes % 5 == 0}',
          errorMessage: 'capacity_stale_alarm_minutes must be a multiple of 5 from 10 to 1440.',
        },
      ],
    }),
  };
}
