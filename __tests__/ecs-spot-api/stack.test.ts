import { ECS_INTERFACE_ENDPOINTS } from '../../stacks/ecs/web-app';
import { ECS_VARIABLES } from '../../stacks/ecs/variables';
import { refById, resourceById, resources, synthStack } from '../support/synth';

const { json, stack } = synthStack('ecs-spot-api');
type Resource = Record<string, unknown>;

const byId = (type: string, part: string): Resource => resourceById(json, type, part);
const ref = (type: string, part: string, attr: string) => refById(json, type, part, attr);
const all = (type: string) => Object.values(resources(json, type));
const text = (v: unknown) => JSON.stringify(v);

describe('ecs-spot-api stack', () => {
  test('declares the shared ECS variables and its own, each with a description and a default', () => {
    const declared = Object.keys(json.variable);
    // The Spot service's minimum healthy percent is its own variable, with a default below 100.
    const shared = ECS_VARIABLES.filter((v) => v !== 'ecs_deployment_minimum_healthy_percent');
    for (const name of shared) expect(declared).toContain(name);
    expect(declared).not.toContain('ecs_deployment_minimum_healthy_percent');
    const own = declared
      .filter((v) => v.startsWith('ecs_') && !(ECS_VARIABLES as readonly string[]).includes(v))
      .sort();
    expect(own).toEqual([
      'ecs_spot_cpu_target_percent',
      'ecs_spot_fallback_after_seconds',
      'ecs_spot_fallback_enabled',
      'ecs_spot_fallback_min_interval_seconds',
      'ecs_spot_fallback_recover_after_seconds',
      'ecs_spot_instance_refresh_schedule',
      'ecs_spot_interruption_alarm_threshold',
      'ecs_spot_managed_termination_protection',
      'ecs_spot_memory_target_percent',
      'ecs_spot_minimum_healthy_percent',
      'ecs_spot_on_demand_base_tasks',
      'ecs_spot_on_demand_max_instances',
      'ecs_spot_on_demand_weight',
      'ecs_spot_requests_per_target',
      'ecs_spot_spot_max_instances',
      'ecs_spot_spot_weight',
      'ecs_spot_target_capacity_percent',
    ]);
    for (const name of declared.filter((v) => v.startsWith('ecs_'))) {
      expect(json.variable[name]?.description).toBeTruthy();
      expect(json.variable[name]?.default).toBeDefined();
    }
  });

  test("the default split is the seed's 20-80 above one On-Demand task", () => {
    expect({
      base: json.variable.ecs_spot_on_demand_base_tasks?.default,
      onDemand: json.variable.ecs_spot_on_demand_weight?.default,
      spot: json.variable.ecs_spot_spot_weight?.default,
    }).toEqual({ base: 1, onDemand: 1, spot: 4 });
  });

  // Where each variable lands: the resource type, a logical-id fragment, and where in it.
  test.each([
    ['ecs_ami_ssm_parameter', 'aws_launch_template', 'launch-template', 'image_id'],
    ['ecs_root_volume_size_gib', 'aws_launch_template', 'launch-template', 'block_device_mappings'],
    ['ecs_container_stop_timeout_seconds', 'aws_launch_template', 'launch-template', 'user_data'],
    ['ecs_instance_types', 'aws_autoscaling_group', 'spot-asg', 'mixed_instances_policy'],
    ['ecs_instance_types', 'aws_autoscaling_group', 'on-demand-asg', 'mixed_instances_policy'],
    ['ecs_spot_allocation_strategy', 'aws_autoscaling_group', 'spot-asg', 'mixed_instances_policy'],
    ['ecs_spot_on_demand_max_instances', 'aws_autoscaling_group', 'on-demand-asg', 'max_size'],
    ['ecs_spot_spot_max_instances', 'aws_autoscaling_group', 'spot-asg', 'max_size'],
    [
      'ecs_spot_managed_termination_protection',
      'aws_autoscaling_group',
      'spot-asg',
      'protect_from_scale_in',
    ],
    [
      'ecs_spot_managed_termination_protection',
      'aws_ecs_capacity_provider',
      'spot-capacity',
      'auto_scaling_group_provider',
    ],
    [
      'ecs_spot_target_capacity_percent',
      'aws_ecs_capacity_provider',
      'on-demand-capacity',
      'auto_scaling_group_provider',
    ],
    [
      'ecs_spot_target_capacity_percent',
      'aws_ecs_capacity_provider',
      'spot-capacity',
      'auto_scaling_group_provider',
    ],
    [
      'ecs_spot_on_demand_base_tasks',
      'aws_ecs_cluster_capacity_providers',
      'cluster-capacity',
      'default_capacity_provider_strategy',
    ],
    ['ecs_spot_on_demand_weight', 'aws_ecs_service', 'service', 'capacity_provider_strategy'],
    ['ecs_spot_spot_weight', 'aws_ecs_service', 'service', 'capacity_provider_strategy'],
    ['ecs_spot_instance_refresh_schedule', 'aws_scheduler_schedule', 'refresh-spot', 'count'],
    ['ecs_container_port', 'aws_ecs_task_definition', 'task', 'container_definitions'],
    [
      'ecs_container_health_check_command',
      'aws_ecs_task_definition',
      'task',
      'container_definitions',
    ],
    ['ecs_task_cpu', 'aws_ecs_task_definition', 'task', 'container_definitions'],
    ['ecs_task_memory_mib', 'aws_ecs_task_definition', 'task', 'container_definitions'],
    ['ecs_task_memory_reservation_mib', 'aws_ecs_task_definition', 'task', 'container_definitions'],
    [
      'ecs_container_stop_timeout_seconds',
      'aws_ecs_task_definition',
      'task',
      'container_definitions',
    ],
    ['ecs_private_registry_secret_arn', 'aws_ecs_task_definition', 'task', 'container_definitions'],
    ['ecs_private_registry_secret_arn', 'aws_iam_role_policy', 'execution-policy', 'policy'],
    ['ecs_deregistration_delay_seconds', 'aws_lb_target_group', 'tasks', 'deregistration_delay'],
    ['ecs_health_check_path', 'aws_lb_target_group', 'tasks', 'health_check'],
    ['ecs_certificate_arn', 'aws_lb_listener', 'https', 'certificate_arn'],
    ['ecs_certificate_arn', 'aws_lb_listener_rule', 'http-to-https', 'count'],
    ['ecs_desired_count', 'aws_ecs_service', 'service', 'desired_count'],
    ['ecs_container_image', 'aws_ecr_pull_through_cache_rule', 'ecr-public', 'count'],
    [
      'ecs_spot_minimum_healthy_percent',
      'aws_ecs_service',
      'service',
      'deployment_minimum_healthy_percent',
    ],
    ['ecs_deployment_maximum_percent', 'aws_ecs_service', 'service', 'deployment_maximum_percent'],
    [
      'ecs_health_check_grace_period_seconds',
      'aws_ecs_service',
      'service',
      'health_check_grace_period_seconds',
    ],
    ['ecs_min_tasks', 'aws_appautoscaling_target', 'service-scaling', 'min_capacity'],
    ['ecs_max_tasks', 'aws_appautoscaling_target', 'service-scaling', 'max_capacity'],
    [
      'ecs_spot_cpu_target_percent',
      'aws_appautoscaling_policy',
      'cpu-tracking',
      'target_tracking_scaling_policy_configuration',
    ],
    ['ecs_spot_requests_per_target', 'aws_appautoscaling_policy', 'request-tracking', 'count'],
    ['ecs_spot_memory_target_percent', 'aws_appautoscaling_policy', 'memory-tracking', 'count'],
  ])('%s sets %s (%s) %s', (variable, type, id, attribute) => {
    expect(text(byId(type, id)[attribute])).toMatch(new RegExp(`var\\.${variable}\\b`));
  });

  test('every declared variable is used somewhere', () => {
    const synthesized =
      text(json.resource) +
      text(json.output ?? {}) +
      text((json as { locals?: unknown }).locals ?? {});
    const unused = Object.keys(json.variable).filter(
      (v) => !synthesized.includes(`var.${v}`) && !['alert_email'].includes(v),
    );
    expect(unused).toEqual([]);
  });

  test('two groups, one per purchase option: On-Demand 100% and Spot 0% On-Demand', () => {
    const onDemand = byId('aws_autoscaling_group', 'on-demand-asg');
    const spot = byId('aws_autoscaling_group', 'spot-asg');
    for (const [asg, share] of [
      [onDemand, 100],
      [spot, 0],
    ] as const) {
      expect(asg).toMatchObject({
        min_size: 0,
        capacity_rebalance: true,
        force_delete: true,
        protect_from_scale_in: '${var.ecs_spot_managed_termination_protection}',
        mixed_instances_policy: {
          instances_distribution: {
            on_demand_base_capacity: 0,
            on_demand_percentage_above_base_capacity: share,
          },
        },
        instance_refresh: { preferences: { scale_in_protected_instances: 'Refresh' } },
      });
      expect(asg.tag).toContainEqual({
        key: 'AmazonECSManaged',
        value: 'true',
        propagate_at_launch: true,
      });
      expect(text(asg.vpc_zone_identifier)).toContain('existing_private_subnet_ids');
    }
  });

  test('capacity providers: managed scaling, managed termination protection and managed draining', () => {
    for (const purpose of ['on-demand', 'spot']) {
      const cp = byId('aws_ecs_capacity_provider', `${purpose}-capacity`);
      expect(cp.auto_scaling_group_provider).toMatchObject({
        auto_scaling_group_arn: ref('aws_autoscaling_group', `${purpose}-asg`, 'arn'),
        managed_draining: 'ENABLED',
        managed_termination_protection:
          '${var.ecs_spot_managed_termination_protection ? "ENABLED" : "DISABLED"}',
        managed_scaling: {
          status: 'ENABLED',
          target_capacity: '${var.ecs_spot_target_capacity_percent}',
        },
      });
    }
  });

  test("the service uses the cluster's strategy: On-Demand base, then weights", () => {
    const strategy = [
      {
        capacity_provider: ref('aws_ecs_capacity_provider', 'on-demand-capacity', 'name'),
        base: '${var.ecs_spot_on_demand_base_tasks}',
        weight: '${var.ecs_spot_on_demand_weight}',
      },
      {
        capacity_provider: ref('aws_ecs_capacity_provider', 'spot-capacity', 'name'),
        base: 0,
        weight: '${var.ecs_spot_spot_weight}',
      },
    ];
    expect(
      byId('aws_ecs_cluster_capacity_providers', 'cluster-capacity')
        .default_capacity_provider_strategy,
    ).toEqual(strategy);
    const service = byId('aws_ecs_service', 'service');
    expect(service.capacity_provider_strategy).toEqual(strategy);
    expect(service.launch_type).toBeUndefined();
  });

  test('both weights 0 fail the plan (precondition)', () => {
    const { precondition } = byId('aws_ecs_cluster_capacity_providers', 'cluster-capacity')
      .lifecycle as { precondition: Array<{ condition: string }> };
    expect(precondition.map((p) => p.condition)).toContain(
      '${var.ecs_spot_on_demand_weight + var.ecs_spot_spot_weight > 0}',
    );
  });

  test('the whole Spot replacement timeline is checked at plan time, with a margin', () => {
    const { precondition } = byId('aws_ecs_cluster_capacity_providers', 'cluster-capacity')
      .lifecycle as { precondition: Array<{ condition: string }> };
    // 10 s detection + 30 s start + 2 x 15 s health checks + 15 s margin = 85 s before delay and stop.
    expect(precondition.map((p) => p.condition)).toContain(
      '${var.ecs_spot_minimum_healthy_percent < 100 || (var.ecs_spot_target_capacity_percent < 100 && 85 + var.ecs_deregistration_delay_seconds + var.ecs_container_stop_timeout_seconds <= 120)}',
    );
  });

  test('defaults leave headroom: minimum healthy 50 and target capacity 85', () => {
    expect({
      minimumHealthy: json.variable.ecs_spot_minimum_healthy_percent?.default,
      targetCapacity: json.variable.ecs_spot_target_capacity_percent?.default,
    }).toEqual({ minimumHealthy: 50, targetCapacity: 85 });
  });

  test("teardown order: service before the cluster's providers, groups before the cluster", () => {
    const service = byId('aws_ecs_service', 'service');
    expect(service.depends_on).toContain('aws_ecs_cluster_capacity_providers.cluster-capacity');
    const clusterId = Object.keys(resources(json, 'aws_ecs_cluster'))[0];
    for (const purpose of ['on-demand', 'spot'])
      expect(byId('aws_autoscaling_group', `${purpose}-asg`).depends_on).toEqual([
        `aws_ecs_cluster.${clusterId}`,
      ]);
  });

  test('the service redeploys on a strategy change and an apply waits until its tasks are steady', () => {
    // A replaced capacity provider's old group is deleted only after its tasks have moved (plan.prior.test).
    const service = byId('aws_ecs_service', 'service');
    expect([service.force_new_deployment, service.wait_for_steady_state]).toEqual([true, true]);
  });

  test('memory target tracking, when set, next to CPU (scale out on either, in on both)', () => {
    expect(byId('aws_appautoscaling_policy', 'memory-tracking')).toMatchObject({
      count: '${var.ecs_spot_memory_target_percent > 0 ? 1 : 0}',
      resource_id: ref('aws_appautoscaling_target', 'service-scaling', 'resource_id'),
      target_tracking_scaling_policy_configuration: {
        target_value: '${var.ecs_spot_memory_target_percent}',
        predefined_metric_specification: {
          predefined_metric_type: 'ECSServiceAverageMemoryUtilization',
        },
      },
    });
  });

  test('service auto scaling: CPU target tracking, plus requests per target when set', () => {
    const target = ref('aws_appautoscaling_target', 'service-scaling', 'resource_id');
    expect(byId('aws_appautoscaling_policy', 'cpu-tracking')).toMatchObject({
      policy_type: 'TargetTrackingScaling',
      resource_id: target,
      target_tracking_scaling_policy_configuration: {
        predefined_metric_specification: {
          predefined_metric_type: 'ECSServiceAverageCPUUtilization',
        },
      },
    });
    expect(byId('aws_appautoscaling_policy', 'request-tracking')).toMatchObject({
      count: '${var.ecs_spot_requests_per_target > 0 ? 1 : 0}',
      target_tracking_scaling_policy_configuration: {
        predefined_metric_specification: {
          predefined_metric_type: 'ALBRequestCountPerTarget',
          resource_label: expect.stringMatching(
            /arn_suffix\}\/\$\{aws_lb_target_group\..*\.arn_suffix\}$/,
          ),
        },
      },
    });
  });

  test('Container Insights on the cluster; the instances join it by name', () => {
    const cluster = Object.values(resources(json, 'aws_ecs_cluster'))[0];
    expect(cluster).toMatchObject({
      name: '${var.name_prefix}-ecs-spot-api',
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    expect(byId('aws_launch_template', 'launch-template').user_data).toContain(
      'ECS_CLUSTER=${var.name_prefix}-ecs-spot-api',
    );
  });

  test('network: ALB in the public subnets, and the endpoints ECS needs without NAT', () => {
    expect(text(byId('aws_lb', 'alb').subnets)).toContain('existing_public_subnet_ids');
    const services = all('aws_vpc_endpoint').map((e) =>
      String(e.service_name).replace('com.amazonaws.${var.region}.', ''),
    );
    for (const s of [...ECS_INTERFACE_ENDPOINTS, 's3']) expect(services).toContain(s);
  });

  test("an ECR Public image is pulled through the stack's cache rule; the task definition uses the cached name", () => {
    expect(byId('aws_ecr_pull_through_cache_rule', 'ecr-public')).toMatchObject({
      count: '${startswith(var.ecs_container_image, "public.ecr.aws/") ? 1 : 0}',
      ecr_repository_prefix: '${var.name_prefix}-ecs-spot-api',
      upstream_registry_url: 'public.ecr.aws',
    });
    expect(text(byId('aws_ecs_task_definition', 'task').container_definitions)).toContain(
      'local.app_image_',
    );
  });

  test('an image no route reaches fails the plan (task definition precondition)', () => {
    const { precondition } = byId('aws_ecs_task_definition', 'task').lifecycle as {
      precondition: Array<{ condition: string }>;
    };
    expect(precondition.map((p) => p.condition)).toContain(
      '${(((var.existing_vpc_id != "" || var.egress_mode == "nat") || startswith(var.ecs_container_image, "public.ecr.aws/")) || can(regex(format("^[0-9]{12}[.]dkr[.]ecr[.]%s[.]", var.region), var.ecs_container_image)))}',
    );
  });

  test('alarms notify the alerts topic', () => {
    const alarms = all('aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.metric_name).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Errors',
      'FailedInvocations',
      'FailedInvocations',
      'HealthyHostCount',
      'SpotSignals',
      'UnHealthyHostCount',
    ]);
    for (const a of alarms) expect(text(a.alarm_actions)).toContain('aws_sns_topic.alerts_topic');
  });

  test('the instance role, the task execution role, the Spot signal and fallback functions are under the IAM proof', () => {
    expect(stack.iamSubjects.map((s) => s.name)).toEqual([
      'ecs-spot-api-instance-role',
      'ecs-spot-api-task-execution',
      'ecs-drain-spot-signal',
      'ecs-drain-spot-fallback',
    ]);
  });
});

describe('dashboard', () => {
  test('the stack has exactly one CloudWatch dashboard, named <name_prefix>-ecs-spot-api', () => {
    // Assess
    const dashboards = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    expect(dashboards.map((d) => d.dashboard_name)).toEqual(['${var.name_prefix}-ecs-spot-api']);
  });

  test('both groups collect GroupInServiceInstances, which the dashboard graphs Spot against On-Demand', () => {
    // Assess
    const groups = Object.values(resources(json, 'aws_autoscaling_group'));
    expect(groups).toHaveLength(2);
    for (const g of groups) expect(g.enabled_metrics).toContain('GroupInServiceInstances');
  });
});
