import { DRAIN_SERVICE_NAME } from '../../stacks/ecs-autoscaling-drain/drain-hook';
import { ECS_VARIABLES } from '../../stacks/ecs/variables';
import { DRAIN_NAMES } from './fixtures/env';
import { deployed, synthDrainStack, text } from './fixtures/drain-stack';
import { only, resources } from '../support/synth';

// The stack's shape: variables, names, the group, task and cluster scaling, alarms. The drain on scale-in
// (hook, topic, function, queue, policy): stack.drain-hook.test.ts.
const { json, stack, byId, ref, all } = synthDrainStack();

describe('ecs-autoscaling-drain stack', () => {
  test('declares the shared ECS variables and its own, each with a description and a default', () => {
    const declared = Object.keys(json.variable);
    for (const name of ECS_VARIABLES) expect(declared).toContain(name);
    expect(declared.filter((v) => v.startsWith('ecs_drain_')).sort()).toEqual([
      'ecs_drain_agent_disconnected_grace_seconds',
      'ecs_drain_check_interval_seconds',
      'ecs_drain_cluster_scale_in_memory_reservation_percent',
      'ecs_drain_cluster_scale_in_minutes',
      'ecs_drain_cluster_scale_in_reservation_percent',
      'ecs_drain_cluster_scale_out_memory_reservation_percent',
      'ecs_drain_cluster_scale_out_minutes',
      'ecs_drain_cluster_scale_out_reservation_percent',
      'ecs_drain_cluster_scaling_mode',
      'ecs_drain_heartbeat_timeout_seconds',
      'ecs_drain_max_instance_lifetime_days',
      'ecs_drain_max_instances',
      'ecs_drain_max_seconds',
      'ecs_drain_min_instances',
      'ecs_drain_on_demand_base_capacity',
      'ecs_drain_on_demand_percentage',
      'ecs_drain_standalone_grace_seconds',
      'ecs_drain_target_capacity_percent',
      'ecs_drain_task_memory_target_percent',
      'ecs_drain_task_scale_in_cpu_percent',
      'ecs_drain_task_scale_in_minutes',
      'ecs_drain_task_scale_out_cpu_percent',
      'ecs_drain_task_scale_out_minutes',
    ]);
    for (const name of declared.filter((v) => v.startsWith('ecs_'))) {
      expect(json.variable[name]?.description).toBeTruthy();
      expect(json.variable[name]?.default).toBeDefined();
    }
  });

  test('every declared variable is used somewhere', () => {
    const synthesized =
      text(json.resource) +
      text(json.output ?? {}) +
      text((json as { locals?: unknown }).locals ?? {});
    const unused = Object.keys(json.variable).filter(
      (v) => !synthesized.includes(`var.${v}`) && v !== 'alert_email',
    );
    expect(unused).toEqual([]);
  });

  test('names match what the drain handler tests assume (cluster, group, hook, topic, queue, ledger)', () => {
    expect({
      cluster: deployed(only(json, 'aws_ecs_cluster').name),
      autoScalingGroup: deployed(only(json, 'aws_autoscaling_group').name),
      lifecycleHook: deployed(only(json, 'aws_autoscaling_lifecycle_hook').name),
      topic: deployed(byId('aws_sns_topic', 'drain-lifecycle').name),
      queue: deployed(byId('aws_sqs_queue', 'drain-checks').name),
      ledger: deployed(only(json, 'aws_dynamodb_table').name),
    }).toEqual(DRAIN_NAMES);
  });

  // Each value per ecs_drain_cluster_scaling_mode, as Terraform evaluates it: stack.scaling-mode.test.ts.
  test('the seed runs 2 tasks on the EC2 launch type unless the mode is "capacity_provider"', () => {
    expect(json.variable.ecs_desired_count?.default).toBe(2);
    expect(json.variable.ecs_drain_cluster_scaling_mode?.default).toBe('step');
    expect(only(json, 'aws_ecs_service')).toMatchObject({
      launch_type: '${var.ecs_drain_cluster_scaling_mode == "capacity_provider" ? null : "EC2"}',
      desired_count: '${var.ecs_desired_count}',
    });
    expect(only(json, 'aws_ecs_capacity_provider').count).toBe(
      '${var.ecs_drain_cluster_scaling_mode == "capacity_provider" ? 1 : 0}',
    );
  });

  test('one mixed group: On-Demand base and share from variables, protected and ECS-managed only for a capacity provider', () => {
    const asg = only(json, 'aws_autoscaling_group');
    expect(asg).toMatchObject({
      min_size: '${var.ecs_drain_min_instances}',
      max_size: '${var.ecs_drain_max_instances}',
      capacity_rebalance: true,
      force_delete: true,
      protect_from_scale_in: '${var.ecs_drain_cluster_scaling_mode == "capacity_provider"}',
      mixed_instances_policy: {
        instances_distribution: {
          on_demand_base_capacity: '${var.ecs_drain_on_demand_base_capacity}',
          on_demand_percentage_above_base_capacity: '${var.ecs_drain_on_demand_percentage}',
          spot_allocation_strategy: '${var.ecs_spot_allocation_strategy}',
        },
      },
    });
    // One dynamic tag block: Name, and AmazonECSManaged in capacity_provider mode (stack.scaling-mode.test.ts).
    expect(asg.tag).toBeUndefined();
  });

  describe('task scaling: step scaling on the service CPU', () => {
    test.each([
      ['out', 'GreaterThanThreshold', 'task_scale_out_cpu_percent', 'task_scale_out_minutes', 1],
      // Scale-in is metric math gated on memory: stack.memory.test.ts.
    ] as const)(
      'scale-%s: %s threshold from variables adds %i',
      (direction, operator, threshold, minutes, step) => {
        const policy = byId('aws_appautoscaling_policy', `task-scale-${direction}`);
        expect(policy).toMatchObject({
          policy_type: 'StepScaling',
          resource_id: ref('aws_appautoscaling_target', 'service-scaling', 'resource_id'),
          step_scaling_policy_configuration: {
            adjustment_type: 'ChangeInCapacity',
            step_adjustment: [
              direction === 'out'
                ? { metric_interval_lower_bound: '0', scaling_adjustment: step }
                : { metric_interval_upper_bound: '0', scaling_adjustment: step },
            ],
          },
        });
        const alarm = byId(
          'aws_cloudwatch_metric_alarm',
          `task-cpu-${direction === 'out' ? 'high' : 'low'}`,
        );
        expect(alarm).toMatchObject({
          namespace: 'AWS/ECS',
          metric_name: 'CPUUtilization',
          dimensions: {
            ClusterName: '${var.name_prefix}-ecs',
            ServiceName: '${var.name_prefix}-ecs-drain-api',
          },
          period: 60,
          comparison_operator: operator,
          threshold: `\${var.ecs_drain_${threshold}}`,
          evaluation_periods: `\${var.ecs_drain_${minutes}}`,
          alarm_actions: [ref('aws_appautoscaling_policy', `task-scale-${direction}`, 'arn')],
        });
      },
    );

    test('between ecs_min_tasks and ecs_max_tasks', () => {
      expect(only(json, 'aws_appautoscaling_target')).toMatchObject({
        min_capacity: '${var.ecs_min_tasks}',
        max_capacity: '${var.ecs_max_tasks}',
        resource_id: 'service/${var.name_prefix}-ecs/${var.name_prefix}-ecs-drain-api',
      });
    });

    test('the scale-in threshold must be below the scale-out one', () => {
      expect(byId('aws_cloudwatch_metric_alarm', 'task-cpu-low').lifecycle).toMatchObject({
        precondition: [
          {
            condition:
              '${var.ecs_drain_task_scale_in_cpu_percent < var.ecs_drain_task_scale_out_cpu_percent}',
          },
        ],
      });
    });
  });

  describe('cluster scaling: step scaling on the cluster CPU and memory reservation', () => {
    test.each([
      ['out', 'high', 'GreaterThanThreshold', 'scale_out', 'cluster_scale_out_minutes', 1],
      ['in', 'low', 'LessThanThreshold', 'scale_in', 'cluster_scale_in_minutes', -1],
    ] as const)(
      'scale-%s on reservation %s: MAX of CPU and memory, each less its threshold, against 0',
      (direction, level, operator, side, minutes, step) => {
        const policy = byId('aws_autoscaling_policy', `instance-scale-${direction}`);
        expect(policy).toMatchObject({
          autoscaling_group_name: ref('aws_autoscaling_group', 'asg', 'name'),
          policy_type: 'StepScaling',
          adjustment_type: 'ChangeInCapacity',
        });
        expect(text(policy.step_adjustment)).toContain(`"scaling_adjustment":${step}`);
        const alarm = byId('aws_cloudwatch_metric_alarm', `cluster-reservation-${level}`);
        expect(alarm).toMatchObject({
          comparison_operator: operator,
          threshold: 0,
          evaluation_periods: `\${var.ecs_drain_${minutes}}`,
          alarm_actions: [ref('aws_autoscaling_policy', `instance-scale-${direction}`, 'arn')],
        });
        const queries = alarm.metric_query as Array<Record<string, unknown>>;
        expect(queries.map((q) => [q.id, q.expression ?? q.metric])).toEqual([
          [
            'headroom',
            `MAX([cpu - \${var.ecs_drain_cluster_${side}_reservation_percent}, memory - \${var.ecs_drain_cluster_${side}_memory_reservation_percent}])`,
          ],
          ...(['CPUReservation', 'MemoryReservation'] as const).map((metricName, i) => [
            i === 0 ? 'cpu' : 'memory',
            expect.objectContaining({
              namespace: 'AWS/ECS',
              metric_name: metricName,
              dimensions: { ClusterName: '${var.name_prefix}-ecs' },
              period: 60,
              stat: 'Average',
            }),
          ]),
        ]);
      },
    );

    test('each scale-in threshold must be below its scale-out one (plan-time checks)', () => {
      const low = byId('aws_cloudwatch_metric_alarm', 'cluster-reservation-low');
      expect(
        (low.lifecycle as { precondition: Array<{ condition: string }> }).precondition.map(
          (p) => p.condition,
        ),
      ).toEqual([
        '${var.ecs_drain_cluster_scale_in_reservation_percent < var.ecs_drain_cluster_scale_out_reservation_percent}',
        '${var.ecs_drain_cluster_scale_in_memory_reservation_percent < var.ecs_drain_cluster_scale_out_memory_reservation_percent}',
      ]);
    });
  });

  test('alarms: drain errors, DLQ depth, timed-out and agent-lost drains, dropped recursion, target health', () => {
    const alarms = all('aws_cloudwatch_metric_alarm');
    const toTopic = alarms.filter((a) =>
      text(a.alarm_actions).includes('aws_sns_topic.alerts_topic'),
    );
    expect(toTopic.map((a) => a.metric_name).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'DrainOutcome',
      'DrainOutcome',
      'Errors',
      'HealthyHostCount',
      'RecursiveInvocationsDropped',
      'UnHealthyHostCount',
    ]);
    expect(byId('aws_cloudwatch_metric_alarm', 'drain-timed-out')).toMatchObject({
      namespace: 'OpsAutopilot',
      dimensions: { service: DRAIN_SERVICE_NAME, Outcome: 'TimedOut' },
      statistic: 'Sum',
      threshold: 0,
    });
    expect(byId('aws_cloudwatch_metric_alarm', 'drain-agent-disconnected')).toMatchObject({
      alarm_name: '${var.name_prefix}-ecs-drain-agent-disconnected',
      dimensions: { service: DRAIN_SERVICE_NAME, Outcome: 'AgentDisconnected' },
      threshold: 0,
    });
  });

  test('IAM proof subjects: the instance role, the task execution role, the drain function and its hook', () => {
    expect(stack.iamSubjects.map((s) => s.name).sort()).toEqual([
      'ecs-autoscaling-drain-instance-role',
      'ecs-autoscaling-drain-task-execution',
      'ecs-drain-drain',
      'ecs-drain-hook',
    ]);
  });
});

describe('dashboard', () => {
  test('the stack has exactly one CloudWatch dashboard, named <name_prefix>-ecs-autoscaling-drain', () => {
    // Assess
    const dashboards = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    expect(dashboards.map((d) => d.dashboard_name)).toEqual([
      '${var.name_prefix}-ecs-autoscaling-drain',
    ]);
  });
});
