import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import { numberVar } from '../platform/variables';

/** The stack's own variables, `ecs_spot_*`, beside the shared ECS ones (declareEcsVariables). */
export function declareSpotVariables(stack: OpsStack) {
  return {
    onDemandBase: numberVar(stack, 'ecs_spot_on_demand_base_tasks', {
      default: 1,
      min: 0,
      max: 100000,
      description:
        'Tasks that always run On-Demand before the weights apply (capacity provider strategy base).',
    }),
    onDemandWeight: numberVar(stack, 'ecs_spot_on_demand_weight', {
      default: 1,
      min: 0,
      max: 1000,
      description:
        'Relative share of tasks above the base on On-Demand instances. The seed splits: 50-50 = 1 and 1, 20-80 = 1 and 4, 0-100 = 0 and 1 (with ecs_spot_spot_weight).',
    }),
    spotWeight: numberVar(stack, 'ecs_spot_spot_weight', {
      default: 4,
      min: 0,
      max: 1000,
      description:
        'Relative share of tasks above the base on Spot instances (see ecs_spot_on_demand_weight).',
    }),
    targetCapacity: numberVar(stack, 'ecs_spot_target_capacity_percent', {
      default: 85,
      min: 1,
      max: 100,
      description:
        'Instance utilization ECS managed scaling aims for, in percent; below 100 keeps spare instances, where the tasks of an interrupted Spot instance are replaced at once instead of after a new instance boots.',
    }),
    minimumHealthy: numberVar(stack, 'ecs_spot_minimum_healthy_percent', {
      default: 50,
      min: 0,
      max: 100,
      description:
        "The service's minimumHealthyPercent, for deployments and draining: below 100 the tasks of an interrupted Spot instance stop within the 2-minute notice without waiting for their replacements (100 fits only with spare instances and short delays: a plan-time check tells).",
      unit: ' percent',
    }),
    terminationProtection: new TerraformVariable(stack, 'ecs_spot_managed_termination_protection', {
      type: 'bool',
      default: true,
      description:
        'ECS protects instances running tasks from scale-in. Destroy works either way (the groups are force-deleted); set false and apply first to hand instances back to plain Auto Scaling.',
    }).booleanValue,
    onDemandMax: numberVar(stack, 'ecs_spot_on_demand_max_instances', {
      default: 4,
      min: 1,
      max: 1000,
      description: 'Most instances of the On-Demand group (managed scaling starts from 0).',
    }),
    spotMax: numberVar(stack, 'ecs_spot_spot_max_instances', {
      default: 10,
      min: 1,
      max: 1000,
      description: 'Most instances of the Spot group (managed scaling starts from 0).',
    }),
    refreshSchedule: new TerraformVariable(stack, 'ecs_spot_instance_refresh_schedule', {
      type: 'string',
      default: 'rate(14 days)',
      description:
        'EventBridge Scheduler expression that starts an instance refresh of both groups, so running instances pick up a new ECS-optimized AMI (managed draining moves their tasks first); "" turns it off.',
      validation: [
        {
          condition:
            '${var.ecs_spot_instance_refresh_schedule == "" || can(regex("^(rate|cron)[(].+[)]$", var.ecs_spot_instance_refresh_schedule))}',
          errorMessage:
            'ecs_spot_instance_refresh_schedule must be "" or an EventBridge Scheduler rate() or cron() expression, like "rate(14 days)".',
        },
      ],
    }).stringValue,
    cpuTarget: numberVar(stack, 'ecs_spot_cpu_target_percent', {
      default: 60,
      min: 10,
      max: 90,
      description:
        "Service auto scaling keeps the tasks' average CPU at this percentage (ECSServiceAverageCPUUtilization).",
    }),
    memoryTarget: numberVar(stack, 'ecs_spot_memory_target_percent', {
      default: 0,
      min: 0,
      max: 90,
      description:
        "Also scale on the tasks' average memory use (ECSServiceAverageMemoryUtilization) at this percentage, for services that run out of memory before CPU; 0 turns it off.",
      unit: ' percent',
    }),
    interruptionAlarmThreshold: numberVar(stack, 'ecs_spot_interruption_alarm_threshold', {
      default: 5,
      min: 0,
      max: 10000,
      description:
        "An alarm fires when more Spot interruption warnings than this hit the stack's instances within one hour (0: any interruption).",
    }),
    requestsPerTarget: numberVar(stack, 'ecs_spot_requests_per_target', {
      default: 0,
      min: 0,
      max: 1000000,
      description:
        'Also scale on load balancer requests per task per minute (ALBRequestCountPerTarget) at this target; 0 turns it off.',
    }),
  };
}
