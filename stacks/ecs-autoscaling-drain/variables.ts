import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import { numberVar, type NumberVarSpec } from '../platform/variables';

/** How the instance group scales: the stack's step policies, or an ECS capacity provider's managed scaling. */
export const CLUSTER_SCALING_MODE = 'ecs_drain_cluster_scaling_mode';

/** The stack's own variables, `ecs_drain_*`, beside the shared ECS ones (declareEcsVariables). */
export function declareDrainVariables(stack: OpsStack) {
  const v = (name: string, spec: NumberVarSpec) => numberVar(stack, `ecs_drain_${name}`, spec);
  return {
    onDemandBase: v('on_demand_base_capacity', {
      default: 0,
      min: 0,
      max: 1000,
      description:
        'On-Demand instances the group keeps before ecs_drain_on_demand_percentage applies.',
    }),
    onDemandPercentage: v('on_demand_percentage', {
      default: 100,
      min: 0,
      max: 100,
      description:
        'On-Demand share of the instances above the base, in percent (100 = no Spot, as in the seed).',
      unit: ' percent',
    }),
    maxInstanceLifetimeDays: v('max_instance_lifetime_days', {
      default: 14,
      min: 0,
      max: 365,
      description:
        'Instances older than this many days are replaced, drained first by the lifecycle hook, so a new ECS-optimized AMI (resolved at launch) reaches the group; 0 turns it off.',
      unit: ' days',
    }),
    minInstances: v('min_instances', {
      default: 2,
      min: 0,
      max: 1000,
      description: 'Fewest container instances (2: one per AZ for HA).',
    }),
    maxInstances: v('max_instances', {
      default: 6,
      min: 1,
      max: 1000,
      description: 'Most container instances.',
    }),
    taskOutCpu: v('task_scale_out_cpu_percent', {
      default: 75,
      min: 1,
      max: 100,
      description:
        "Add a task when the service's average CPU stays above this percentage for ecs_drain_task_scale_out_minutes.",
      unit: ' percent',
    }),
    taskOutMinutes: v('task_scale_out_minutes', {
      default: 3,
      min: 1,
      max: 60,
      description:
        'Consecutive minutes above ecs_drain_task_scale_out_cpu_percent before a task is added.',
      unit: ' minutes',
    }),
    taskInCpu: v('task_scale_in_cpu_percent', {
      default: 25,
      min: 0,
      max: 99,
      description:
        "Remove a task when the service's average CPU stays below this percentage (below the scale-out one) for ecs_drain_task_scale_in_minutes.",
      unit: ' percent',
    }),
    taskInMinutes: v('task_scale_in_minutes', {
      default: 10,
      min: 1,
      max: 60,
      description:
        'Consecutive minutes below ecs_drain_task_scale_in_cpu_percent before a task is removed.',
      unit: ' minutes',
    }),
    taskMemoryTarget: v('task_memory_target_percent', {
      default: 0,
      min: 0,
      max: 90,
      description:
        "Also add tasks when the service's average memory use (ECSServiceAverageMemoryUtilization) is above this percentage (target tracking, scale-out only); a task is then removed only while memory is below half of it. 0 turns it off.",
      unit: ' percent',
    }),
    clusterOutReservation: v('cluster_scale_out_reservation_percent', {
      default: 75,
      min: 1,
      max: 100,
      description:
        "Add an instance when the cluster's CPU reservation stays above this percentage for ecs_drain_cluster_scale_out_minutes.",
      unit: ' percent',
    }),
    clusterOutMinutes: v('cluster_scale_out_minutes', {
      default: 3,
      min: 1,
      max: 60,
      description:
        'Consecutive minutes above ecs_drain_cluster_scale_out_reservation_percent before an instance is added.',
      unit: ' minutes',
    }),
    clusterInReservation: v('cluster_scale_in_reservation_percent', {
      default: 30,
      min: 0,
      max: 99,
      description:
        "Remove an instance (drained first) when the cluster's CPU reservation stays below this percentage (below the scale-out one) for ecs_drain_cluster_scale_in_minutes.",
      unit: ' percent',
    }),
    clusterOutMemoryReservation: v('cluster_scale_out_memory_reservation_percent', {
      default: 75,
      min: 1,
      max: 100,
      description:
        "Add an instance when the cluster's memory reservation stays above this percentage for ecs_drain_cluster_scale_out_minutes (either CPU or memory scales out).",
      unit: ' percent',
    }),
    clusterInMemoryReservation: v('cluster_scale_in_memory_reservation_percent', {
      default: 30,
      min: 0,
      max: 99,
      description:
        "Scale-in needs the cluster's memory reservation below this percentage (below the scale-out one) as well as the CPU reservation below ecs_drain_cluster_scale_in_reservation_percent, for ecs_drain_cluster_scale_in_minutes.",
      unit: ' percent',
    }),
    clusterInMinutes: v('cluster_scale_in_minutes', {
      default: 15,
      min: 1,
      max: 60,
      description:
        'Consecutive minutes below ecs_drain_cluster_scale_in_reservation_percent before an instance is removed.',
      unit: ' minutes',
    }),
    heartbeat: v('heartbeat_timeout_seconds', {
      default: 900,
      min: 30,
      max: 7200,
      description:
        "Lifecycle hook heartbeat timeout: the drain records a heartbeat at every check, so it must outlast a check interval plus a failed check's retry (interval + 360 + 60).",
      unit: ' seconds',
    }),
    checkInterval: v('check_interval_seconds', {
      default: 30,
      min: 5,
      max: 900,
      description: 'Seconds between two checks of a draining instance (SQS message delay).',
      unit: ' seconds',
    }),
    maxDrain: v('max_seconds', {
      default: 3600,
      min: 60,
      max: 172800,
      description:
        'Longest a drain may take, then the instance terminates anyway (at most 100 x the heartbeat timeout and 48 hours).',
      unit: ' seconds',
    }),
    agentDisconnectedGrace: v('agent_disconnected_grace_seconds', {
      default: 180,
      min: 0,
      max: 172800,
      description:
        'A drain whose container agent stays disconnected this long ends (outcome AgentDisconnected): a disconnected agent never reports its tasks stopped. At most ecs_drain_max_seconds.',
      unit: ' seconds',
    }),
    standaloneGrace: v('standalone_grace_seconds', {
      default: 300,
      min: 0,
      max: 172800,
      description:
        'Standalone tasks (RunTask) still running this long after the drain began are stopped; service tasks never are. At most ecs_drain_max_seconds.',
      unit: ' seconds',
    }),
    clusterScalingMode: new TerraformVariable(stack, CLUSTER_SCALING_MODE, {
      type: 'string',
      default: 'step',
      description:
        '"step": the group follows the step policies on CPU and memory reservation. "capacity_provider": an ECS capacity provider with managed scaling (ecs_drain_target_capacity_percent) and managed termination protection sizes the group, the service places its tasks through it, and the step alarms act no more; the drain hook works in both.',
      validation: [
        {
          condition: `\${contains(["step", "capacity_provider"], var.${CLUSTER_SCALING_MODE})}`,
          errorMessage: `${CLUSTER_SCALING_MODE} must be "step" or "capacity_provider", not "\${var.${CLUSTER_SCALING_MODE}}".`,
        },
      ],
    }).stringValue,
    targetCapacity: v('target_capacity_percent', {
      default: 90,
      min: 1,
      max: 100,
      description:
        'With ecs_drain_cluster_scaling_mode "capacity_provider": instance utilization ECS managed scaling aims for; below 100 keeps a spare instance for tasks moved off a draining one.',
      unit: ' percent',
    }),
  };
}
