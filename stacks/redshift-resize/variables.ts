import {
  MAX_COOLDOWN_MINUTES,
  MAX_RESIZES_PER_DAY,
  RECHECK_MINUTES,
} from '../../functions/redshift-resize/limits';
import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import type { Phase } from './asl';
import {
  CLASSIC_RESIZE_MIN_PHASE_SECONDS,
  DEFAULT_PHASE_TIMEOUTS_SECONDS,
  maxPhaseTimeoutSeconds,
  MAX_POLLS_PER_PHASE,
  type PhaseTimeoutVariables,
  type ResolvedWorkflow,
} from './workflow';

/** Terraform variable names of the redshift-resize stack (also the keys of terraform.tfvars.example). */
export const V = {
  clusterId: 'redshift_cluster_id',
  taskArns: 'redshift_replication_task_arns',
  targetEndpointArn: 'redshift_dms_target_endpoint_arn',
  diskThreshold: 'redshift_disk_threshold_percent',
  diskPeriods: 'redshift_disk_evaluation_periods',
  nodeDiskThreshold: 'redshift_node_disk_threshold_percent',
  resizeFactor: 'redshift_resize_factor',
  maxNodeCount: 'redshift_max_node_count',
  resizeType: 'redshift_resize_type',
  cooldownMinutes: 'redshift_cooldown_minutes',
  maxResizesPerDay: 'redshift_max_resizes_per_day',
  concurrencyScalingMaxNodes: 'redshift_concurrency_scaling_max_nodes',
  targetDiskPercent: 'redshift_target_disk_percent',
  ra3NodeType: 'redshift_ra3_node_type',
  recheckMinutes: 'redshift_recheck_minutes',
  dryRun: 'redshift_dry_run',
  trigger: 'redshift_trigger',
  triggerAlarmName: 'redshift_trigger_alarm_name',
  stopTimeout: 'redshift_stop_timeout_seconds',
  snapshotTimeout: 'redshift_snapshot_timeout_seconds',
  resizeTimeout: 'redshift_resize_timeout_seconds',
  resumeTimeout: 'redshift_resume_timeout_seconds',
  overdueTimeout: 'redshift_readonly_timeout_seconds',
} as const;

/** The phase timeout variable of each workflow phase. */
export const PHASE_TIMEOUT_VARIABLES: PhaseTimeoutVariables = {
  stop: V.stopTimeout,
  snapshot: V.snapshotTimeout,
  resize: V.resizeTimeout,
  overdue: V.overdueTimeout,
  resume: V.resumeTimeout,
};

const RECOVER = 'Past it the run fails into its recovery (resume DMS, notify).';
const PHASE_DESCRIPTIONS: Record<Phase, readonly [what: string, past: string]> = {
  stop: ['the DMS tasks to stop', RECOVER],
  snapshot: ['the pre-resize snapshot to become available', RECOVER],
  resize: [
    `the resize to finish (at least ${CLASSIC_RESIZE_MIN_PHASE_SECONDS} for "classic")`,
    `Past it a writable cluster gets DMS resumed and the run fails; while it is read-only, DMS stays paused and ${V.overdueTimeout} applies.`,
  ],
  overdue: [
    `a resize still running past ${V.resizeTimeout} while the cluster is read-only (DMS stays paused, the topic is told)`,
    'Past it the run fails with DMS left paused; the notification lists the paused tasks.',
  ],
  resume: ['the DMS tasks to run again (also the budget of the resume after a failure)', RECOVER],
};

/** The same limits the functions' env schemas enforce (functions/redshift-resize/env.ts), checked at plan. */
const DMS_TASK_ARN = '^arn:aws[a-z-]*:dms:[a-z0-9-]+:[0-9]{12}:task:[A-Za-z0-9-]+$';
const DMS_ENDPOINT_ARN = '^arn:aws[a-z-]*:dms:[a-z0-9-]+:[0-9]{12}:endpoint:[A-Za-z0-9-]+$';
const MAX_LISTED_TASKS = 100;
/** CloudWatch: evaluation_periods x period (300 s) must not exceed one day. */
const MAX_DISK_EVALUATION_PERIODS = 288;

function wholeBetween(name: string, min: number, max: number) {
  return {
    condition: `\${var.${name} >= ${min} && var.${name} <= ${max} && floor(var.${name}) == var.${name}}`,
    errorMessage: `${name} must be a whole number from ${min} to ${max}.`,
  };
}

function wholeNumber(
  stack: OpsStack,
  name: string,
  min: number,
  max: number,
  config: { readonly default?: number; readonly description: string },
) {
  return new TerraformVariable(stack, name, {
    type: 'number',
    ...config,
    validation: [wholeBetween(name, min, max)],
  });
}

function phaseTimeout(stack: OpsStack, workflow: ResolvedWorkflow, phase: Phase) {
  const name = PHASE_TIMEOUT_VARIABLES[phase];
  const interval = workflow.pollIntervalsSeconds[phase];
  const max = maxPhaseTimeoutSeconds(workflow, phase);
  return new TerraformVariable(stack, name, {
    type: 'number',
    default: DEFAULT_PHASE_TIMEOUTS_SECONDS[phase],
    description: `Longest time in seconds the workflow waits for ${PHASE_DESCRIPTIONS[phase][0]}, checked every ${interval} s. ${PHASE_DESCRIPTIONS[phase][1]}`,
    validation: [
      {
        ...wholeBetween(name, interval, max),
        errorMessage: `${name} must be a whole number from ${interval} (its poll interval) to ${max} (${MAX_POLLS_PER_PHASE} polls).`,
      },
    ],
  });
}

export function declareVariables(stack: OpsStack, workflow: ResolvedWorkflow) {
  return {
    clusterId: new TerraformVariable(stack, V.clusterId, {
      type: 'string',
      description:
        'Identifier of the Redshift cluster to watch and resize (one cluster per deployment).',
      validation: [
        {
          condition: `\${length(var.${V.clusterId}) <= 63 && can(regex("^[a-z](-?[a-z0-9])*$", var.${V.clusterId}))}`,
          errorMessage: `${V.clusterId} must be a Redshift cluster identifier: lowercase, starting with a letter, letters, digits and single hyphens, at most 63 characters.`,
        },
      ],
    }),
    taskArns: new TerraformVariable(stack, V.taskArns, {
      type: 'list(string)',
      default: [],
      description: `DMS replication tasks to pause during a resize; empty to find them from ${V.targetEndpointArn}. Set exactly one of the two.`,
      validation: [
        {
          condition: `\${length(var.${V.taskArns}) <= ${MAX_LISTED_TASKS} && alltrue([for arn in var.${V.taskArns} : can(regex("${DMS_TASK_ARN}", arn))])}`,
          errorMessage: `${V.taskArns} must hold at most ${MAX_LISTED_TASKS} DMS replication task ARNs (arn:<partition>:dms:<region>:<account>:task:<id>).`,
        },
      ],
    }),
    targetEndpointArn: new TerraformVariable(stack, V.targetEndpointArn, {
      type: 'string',
      // Required, so every deployment states where its DMS tasks come from ("" with a task list).
      description: `DMS target endpoint of the cluster: its running tasks are paused during a resize; "" when ${V.taskArns} lists them. Set exactly one of the two. Required.`,
      validation: [
        {
          condition: `\${var.${V.targetEndpointArn} == "" || can(regex("${DMS_ENDPOINT_ARN}", var.${V.targetEndpointArn}))}`,
          errorMessage: `${V.targetEndpointArn} must be empty or a DMS endpoint ARN (arn:<partition>:dms:<region>:<account>:endpoint:<id>).`,
        },
      ],
    }),
    diskThreshold: new TerraformVariable(stack, V.diskThreshold, {
      type: 'number',
      default: 80,
      description:
        'PercentageDiskSpaceUsed at or above which the cluster is resized (after the evaluation periods).',
      validation: [
        {
          condition: `\${var.${V.diskThreshold} > 0 && var.${V.diskThreshold} < 100}`,
          errorMessage: `${V.diskThreshold} must be above 0 and below 100.`,
        },
      ],
    }),
    nodeDiskThreshold: new TerraformVariable(stack, V.nodeDiskThreshold, {
      type: 'number',
      default: 90,
      description: `PercentageDiskSpaceUsed of any one node at or above which the per-node alarm notifies (for ${V.diskPeriods} periods, at most 36); it starts no run.`,
      validation: [
        {
          condition: `\${var.${V.nodeDiskThreshold} > 0 && var.${V.nodeDiskThreshold} < 100}`,
          errorMessage: `${V.nodeDiskThreshold} must be above 0 and below 100.`,
        },
      ],
    }),
    diskPeriods: wholeNumber(stack, V.diskPeriods, 1, MAX_DISK_EVALUATION_PERIODS, {
      default: 3,
      description:
        'Consecutive 5-minute periods the disk usage must stay at or above the threshold before a resize starts.',
    }),
    resizeFactor: new TerraformVariable(stack, V.resizeFactor, {
      type: 'number',
      default: 2,
      description:
        'Target node count = ceil(current x factor) when Redshift estimates no resize option (see redshift_target_disk_percent), capped by the maximum, the node type and (elastic) 2 x current, 4 x for ra3.4xlarge/ra3.16xlarge.',
      validation: [
        {
          condition: `\${var.${V.resizeFactor} > 1 && var.${V.resizeFactor} <= 8}`,
          errorMessage: `${V.resizeFactor} must be above 1 and at most 8.`,
        },
      ],
    }),
    maxNodeCount: wholeNumber(stack, V.maxNodeCount, 1, 128, {
      description: 'Largest node count a resize may reach (the cost cap). Required.',
    }),
    resizeType: new TerraformVariable(stack, V.resizeType, {
      type: 'string',
      default: 'elastic',
      description: `"elastic" (minutes; dc2/ra3, at most 2x a resize, 4x for ra3.4xlarge/ra3.16xlarge) or "classic" (hours to days; needs ${V.resizeTimeout} >= ${CLASSIC_RESIZE_MIN_PHASE_SECONDS}).`,
      validation: [
        {
          condition: `\${contains(["elastic", "classic"], var.${V.resizeType})}`,
          errorMessage: `${V.resizeType} must be "elastic" or "classic".`,
        },
      ],
    }),
    cooldownMinutes: wholeNumber(stack, V.cooldownMinutes, 0, MAX_COOLDOWN_MINUTES, {
      default: 360,
      description:
        'No resize within this many minutes of the last resize start or completion (at most 14 days, the reach of Redshift events).',
    }),
    maxResizesPerDay: wholeNumber(stack, V.maxResizesPerDay, 1, MAX_RESIZES_PER_DAY, {
      default: 2,
      description:
        'Most resizes a day (counted from Redshift resize-started events of the last 24 h); past it the run skips and the growth-blocked alarm notifies.',
    }),
    concurrencyScalingMaxNodes: wholeNumber(stack, V.concurrencyScalingMaxNodes, 2, 128, {
      default: 32,
      description:
        'Most nodes a resize gives an ra3.xlplus/ra3.4xlarge/ra3.16xlarge cluster: past 32, concurrency scaling no longer applies; at it the run skips and the growth-blocked alarm notifies. 128 turns the cap off.',
    }),
    targetDiskPercent: new TerraformVariable(stack, V.targetDiskPercent, {
      type: 'number',
      default: 70,
      description: `Disk use wanted after a resize: the target is the fewest nodes Redshift estimates under it (DescribeNodeConfigurationOptions), within the node limits and the caps; none under it: the most nodes allowed. Below ${V.diskThreshold}.`,
      validation: [
        {
          condition: `\${var.${V.targetDiskPercent} > 0 && var.${V.targetDiskPercent} < 100}`,
          errorMessage: `${V.targetDiskPercent} must be above 0 and below 100.`,
        },
      ],
    }),
    ra3NodeType: new TerraformVariable(stack, V.ra3NodeType, {
      type: 'string',
      default: '',
      description: `Off by default (""). An RA3 node type: a DC2 cluster moves to it by elastic resize (whatever ${V.resizeType}), to the fewest nodes Redshift lists under ${V.targetDiskPercent}; only the documented upgrades (dc2.large: ra3.large, ra3.xlplus, ra3.4xlarge; dc2.8xlarge: ra3.4xlarge, ra3.16xlarge), never from one node. A refused change skips and notifies. RA3 clusters are not affected.`,
      validation: [
        {
          condition: `\${contains(["", "ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge"], var.${V.ra3NodeType})}`,
          errorMessage: `${V.ra3NodeType} must be "" (off) or one of ra3.large, ra3.xlplus, ra3.4xlarge, ra3.16xlarge.`,
        },
      ],
    }),
    recheckMinutes: wholeNumber(stack, V.recheckMinutes, RECHECK_MINUTES.min, RECHECK_MINUTES.max, {
      default: 30,
      description:
        'Minutes between two re-checks of the alarm: while it stays in ALARM a run starts (CloudWatch notifies transitions only), one at a time.',
    }),
    dryRun: new TerraformVariable(stack, V.dryRun, {
      type: 'bool',
      default: false,
      description:
        'Dry run: the guard and the sizing run and the topic is told what the run would do (target size, DMS tasks it would pause); no DMS task is stopped, no snapshot taken, the cluster is not resized.',
    }),
    trigger: new TerraformVariable(stack, V.trigger, {
      type: 'string',
      default: 'disk',
      description: `What starts a run: "disk" (the stack's PercentageDiskSpaceUsed alarm; refused by the guard on RA3, where that metric is a share of the managed storage quota, and by the plan with ${V.ra3NodeType}), "alarm" (the metric alarm named by ${V.triggerAlarmName}, e.g. CPU or queue wait; it must notify this stack's topic) or "none" (runs start only by hand).`,
      validation: [
        {
          condition: `\${contains(["disk", "alarm", "none"], var.${V.trigger})}`,
          errorMessage: `${V.trigger} must be "disk", "alarm" or "none".`,
        },
      ],
    }),
    triggerAlarmName: new TerraformVariable(stack, V.triggerAlarmName, {
      type: 'string',
      default: '',
      description: `The CloudWatch metric alarm whose ALARM state starts a run when ${V.trigger} is "alarm" (its alarm action must be this stack's topic_arn); "" otherwise.`,
      validation: [
        {
          condition: `\${length(var.${V.triggerAlarmName}) <= 255}`,
          errorMessage: `${V.triggerAlarmName} must be at most 255 characters (a CloudWatch alarm name).`,
        },
      ],
    }),
    stopTimeout: phaseTimeout(stack, workflow, 'stop'),
    snapshotTimeout: phaseTimeout(stack, workflow, 'snapshot'),
    resizeTimeout: phaseTimeout(stack, workflow, 'resize'),
    overdueTimeout: phaseTimeout(stack, workflow, 'overdue'),
    resumeTimeout: phaseTimeout(stack, workflow, 'resume'),
  };
}
