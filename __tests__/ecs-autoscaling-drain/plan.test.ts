import {
  plannedResources,
  proveStack,
  resourceCounts,
  sharedSynth,
  type PlannedResource,
  type StackProof,
} from '../../scripts/offline-proof';
import { annotationsOf, metricRefs, plannedDashboardBody } from '../support/dashboard-body';
import { variantPlan } from './fixtures/variant-plan';
import { describeOffline, offlineTools, refusalOf, wrapped } from '../support/offline';

const STACK = 'ecs-autoscaling-drain';

const one = (plan: StackProof['plan'], type: string, part = ''): PlannedResource => {
  const found = plannedResources(plan, type).filter((r) => r.address.includes(part));
  if (found.length !== 1) throw new Error(`expected one ${type} ${part}, found ${found.length}`);
  return found[0]!;
};

describeOffline('offline Terraform proof: ecs-autoscaling-drain', () => {
  let outdir: string;
  let proof: StackProof;
  beforeAll(async () => {
    outdir = await sharedSynth();
    proof = await proveStack(offlineTools!, outdir, STACK);
  }, 180_000);

  test('terraform validate reports the configuration valid, without warnings', () => {
    expect(proof.validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test('the plan creates the expected resource types and counts', () => {
    const counts = resourceCounts(proof.plan);
    expect(counts).toMatchObject({
      aws_appautoscaling_policy: 2,
      aws_appautoscaling_target: 1,
      aws_autoscaling_group: 1,
      aws_autoscaling_lifecycle_hook: 1,
      aws_autoscaling_policy: 2,
      aws_cloudwatch_dashboard: 1,
      aws_cloudwatch_log_group: 2,
      aws_cloudwatch_metric_alarm: 11,
      aws_dynamodb_table: 1,
      aws_ecs_cluster: 1,
      aws_ecs_service: 1,
      aws_ecs_task_definition: 1,
      aws_iam_instance_profile: 1,
      aws_iam_role: 3,
      aws_iam_role_policy: 3,
      aws_kms_key: 1,
      aws_lambda_event_source_mapping: 1,
      aws_lambda_function: 1,
      aws_lambda_function_event_invoke_config: 1,
      aws_lambda_function_recursion_config: 1,
      aws_lambda_permission: 1,
      aws_launch_template: 1,
      aws_lb: 1,
      aws_lb_listener: 1,
      aws_lb_target_group: 1,
      aws_sns_topic: 2,
      aws_sns_topic_subscription: 1,
      aws_sqs_queue: 2,
    });
    expect(counts.aws_ecs_capacity_provider).toBeUndefined();
  });

  test('launch template: IMDSv2 required, encrypted gp3 root, agent config in the user data', () => {
    const lt = one(proof.plan, 'aws_launch_template').values;
    expect(lt).toMatchObject({
      metadata_options: [{ http_tokens: 'required', http_put_response_hop_limit: 1 }],
      block_device_mappings: [{ ebs: [{ encrypted: 'true', volume_type: 'gp3' }] }],
    });
    expect(Buffer.from(String(lt.user_data), 'base64').toString('utf8')).toContain(
      'ECS_CLUSTER=ops-autopilot-ecs\nECS_ENABLE_SPOT_INSTANCE_DRAINING=true\nECS_CONTAINER_STOP_TIMEOUT=30s\n',
    );
  });

  test('group: 2 to 6 instances, mixed instances all On-Demand by default, capacity rebalancing', () => {
    expect(one(proof.plan, 'aws_autoscaling_group').values).toMatchObject({
      name: 'ops-autopilot-ecs-asg',
      min_size: 2,
      max_size: 6,
      capacity_rebalance: true,
      protect_from_scale_in: false,
      mixed_instances_policy: [
        {
          instances_distribution: [
            { on_demand_base_capacity: 0, on_demand_percentage_above_base_capacity: 100 },
          ],
        },
      ],
    });
  });

  test('lifecycle hook: on termination, to the drain topic, heartbeat 900 s', () => {
    expect(one(proof.plan, 'aws_autoscaling_lifecycle_hook').values).toMatchObject({
      name: 'ops-autopilot-ecs-drain',
      autoscaling_group_name: 'ops-autopilot-ecs-asg',
      lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      default_result: 'CONTINUE',
      heartbeat_timeout: 900,
    });
  });

  test('task step scaling: +1 above 75% CPU for 3 minutes, -1 below 25% for 10', () => {
    const policies = plannedResources(proof.plan, 'aws_appautoscaling_policy');
    const steps = policies
      .map(
        (p) =>
          (p.values.step_scaling_policy_configuration as Array<{ step_adjustment: unknown[] }>)[0]!
            .step_adjustment,
      )
      .flat();
    expect(steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ metric_interval_lower_bound: '0', scaling_adjustment: 1 }),
        expect.objectContaining({ metric_interval_upper_bound: '0', scaling_adjustment: -1 }),
      ]),
    );
    expect(one(proof.plan, 'aws_cloudwatch_metric_alarm', 'task-cpu-high').values).toMatchObject({
      metric_name: 'CPUUtilization',
      dimensions: { ClusterName: 'ops-autopilot-ecs', ServiceName: 'ops-autopilot-ecs-drain-api' },
      threshold: 75,
      evaluation_periods: 3,
      period: 60,
      comparison_operator: 'GreaterThanThreshold',
    });
    expect(one(proof.plan, 'aws_cloudwatch_metric_alarm', 'task-cpu-low').values).toMatchObject({
      threshold: 0,
      evaluation_periods: 10,
      comparison_operator: 'LessThanThreshold',
      // Memory tracking off: the memory term is a constant below 0, the CPU term decides.
      metric_query: expect.arrayContaining([
        expect.objectContaining({ expression: 'MAX([metric - 25, 0 * gate - 1])' }),
      ]),
    });
    expect(plannedResources(proof.plan, 'aws_appautoscaling_policy')).toHaveLength(2);
  });

  test('memory target 70: a scale-out-only tracking policy, and scale-in only below 35% memory', async () => {
    // Act
    const memory = await variantPlan();

    // Assess
    expect(
      one(memory.plan, 'aws_appautoscaling_policy', 'task-memory-tracking').values,
    ).toMatchObject({
      target_tracking_scaling_policy_configuration: [
        expect.objectContaining({ target_value: 70, disable_scale_in: true }),
      ],
    });
    expect(one(memory.plan, 'aws_cloudwatch_metric_alarm', 'task-cpu-low').values).toMatchObject({
      metric_query: expect.arrayContaining([
        expect.objectContaining({ expression: 'MAX([metric - 25, 2 * gate - 70])' }),
      ]),
    });
  }, 120_000);

  test('capacity_provider mode: a managed provider on the protected group, the service through it, the drain hook kept', async () => {
    // Act
    const { plan } = await variantPlan();

    // Assess
    expect(one(plan, 'aws_ecs_capacity_provider').values).toMatchObject({
      name: 'ops-autopilot-ecs-asg',
      auto_scaling_group_provider: [
        expect.objectContaining({
          managed_termination_protection: 'ENABLED',
          managed_draining: 'DISABLED',
          managed_scaling: [expect.objectContaining({ status: 'ENABLED', target_capacity: 90 })],
        }),
      ],
    });
    expect(one(plan, 'aws_ecs_cluster_capacity_providers').values).toMatchObject({
      capacity_providers: ['ops-autopilot-ecs-asg'],
    });
    const group = one(plan, 'aws_autoscaling_group').values;
    expect(group).toMatchObject({ protect_from_scale_in: true });
    expect(group.tag).toContainEqual(
      expect.objectContaining({ key: 'AmazonECSManaged', value: 'true' }),
    );
    const service = one(plan, 'aws_ecs_service').values;
    // Optional and computed: with no launch type configured it is known only after apply.
    expect(service.launch_type).toBeUndefined();
    expect(service.capacity_provider_strategy).toEqual([
      { capacity_provider: 'ops-autopilot-ecs-asg', base: 0, weight: 1 },
    ]);
    for (const part of ['cluster-reservation-high', 'cluster-reservation-low'])
      expect(one(plan, 'aws_cloudwatch_metric_alarm', part).values.actions_enabled).toBe(false);
    expect(one(plan, 'aws_autoscaling_lifecycle_hook').values).toMatchObject({
      lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    });
  }, 120_000);

  test('cluster step scaling: +1 instance above 75% CPU or memory reservation, -1 below 30% of both', () => {
    const adjustments = plannedResources(proof.plan, 'aws_autoscaling_policy')
      .map(
        (p) =>
          (p.values.step_adjustment as Array<{ scaling_adjustment: number }>)[0]!
            .scaling_adjustment,
      )
      .sort();
    expect(adjustments).toEqual([-1, 1]);
    expect(
      one(proof.plan, 'aws_cloudwatch_metric_alarm', 'cluster-reservation-high').values,
    ).toMatchObject({
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      evaluation_periods: 3,
      metric_query: expect.arrayContaining([
        expect.objectContaining({ expression: 'MAX([cpu - 75, memory - 75])' }),
        expect.objectContaining({
          metric: [expect.objectContaining({ metric_name: 'MemoryReservation' })],
        }),
      ]),
    });
    expect(
      one(proof.plan, 'aws_cloudwatch_metric_alarm', 'cluster-reservation-low').values,
    ).toMatchObject({
      comparison_operator: 'LessThanThreshold',
      threshold: 0,
      evaluation_periods: 15,
      metric_query: expect.arrayContaining([
        expect.objectContaining({ expression: 'MAX([cpu - 30, memory - 30])' }),
      ]),
    });
  });

  test('drain function: recursion allowed, SQS re-checks with partial batch failures', () => {
    expect(one(proof.plan, 'aws_lambda_function_recursion_config').values).toMatchObject({
      function_name: 'ops-autopilot-ecs-drain',
      recursive_loop: 'Allow',
    });
    expect(one(proof.plan, 'aws_lambda_event_source_mapping').values).toMatchObject({
      function_response_types: ['ReportBatchItemFailures'],
      batch_size: 5,
    });
    // Its environment holds the queue URL, known only after apply (the stack test checks the wiring).
    expect(one(proof.plan, 'aws_lambda_function').values).toMatchObject({
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      timeout: 60,
    });
  });

  test('queues: encrypted, re-check visibility 360 s with a DLQ after 5 receives', () => {
    const checks = one(proof.plan, 'aws_sqs_queue', 'drain-checks').values;
    expect(checks).toMatchObject({
      name: 'ops-autopilot-ecs-drain-checks',
      visibility_timeout_seconds: 360,
      sqs_managed_sse_enabled: true,
      fifo_queue: false,
    });
    expect(one(proof.plan, 'aws_sqs_queue', 'drain-failures').values).toMatchObject({
      sqs_managed_sse_enabled: true,
    });
  });

  test('the lifecycle topic is KMS-encrypted', () => {
    const topic = one(proof.plan, 'aws_sns_topic', 'drain-lifecycle');
    expect(topic.values.name).toBe('ops-autopilot-ecs-drain-lifecycle');
    // The key is created in the same apply: its ARN is set, but only known then.
    const change = proof.plan.resource_changes.find((c) => c.address === topic.address)?.change as
      | { actions: string[]; after_unknown?: Record<string, unknown> }
      | undefined;
    expect(change?.actions).toEqual(['create']);
    expect(change?.after_unknown?.kms_master_key_id).toBe(true);
  });

  test("the default public image deploys without NAT: pulled through the stack's ECR cache", () => {
    expect(one(proof.plan, 'aws_ecr_pull_through_cache_rule').values).toMatchObject({
      ecr_repository_prefix: 'ops-autopilot-ecs-drain-api',
      upstream_registry_url: 'public.ecr.aws',
    });
    const [container] = JSON.parse(
      String(one(proof.plan, 'aws_ecs_task_definition').values.container_definitions),
    ) as Array<Record<string, unknown>>;
    expect(container?.image).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/ops-autopilot-ecs-drain-api/nginx/nginx:stable',
    );
  });

  test('AMI rollout: instances older than 14 days are replaced, through the drain hook', () => {
    expect(one(proof.plan, 'aws_autoscaling_group').values.max_instance_lifetime).toBe(14 * 86_400);
  });

  test('IAM policies are fully known at plan time', () => {
    for (const policy of plannedResources(proof.plan, 'aws_iam_role_policy')) {
      expect(typeof policy.values.policy).toBe('string');
      expect(policy.values.policy).toContain('arn:aws:');
    }
  });

  test('variable validation rejects a bad value of every validated variable, naming it', async () => {
    const bad: Record<string, unknown> = {
      ecs_drain_on_demand_base_capacity: -1,
      ecs_drain_on_demand_percentage: 101,
      ecs_drain_min_instances: 1.5,
      ecs_drain_max_instances: 0,
      ecs_drain_task_scale_out_cpu_percent: 0,
      ecs_drain_task_scale_out_minutes: 0,
      ecs_drain_task_scale_in_cpu_percent: 100,
      ecs_drain_task_scale_in_minutes: 61,
      ecs_drain_task_memory_target_percent: 91,
      ecs_drain_cluster_scale_out_reservation_percent: 101,
      ecs_drain_cluster_scale_out_minutes: 0,
      ecs_drain_cluster_scale_in_reservation_percent: -1,
      ecs_drain_cluster_scale_out_memory_reservation_percent: 0,
      ecs_drain_cluster_scale_in_memory_reservation_percent: 100,
      ecs_drain_cluster_scale_in_minutes: 0,
      ecs_drain_heartbeat_timeout_seconds: 7201,
      ecs_drain_check_interval_seconds: 901,
      ecs_drain_max_seconds: 59,
      ecs_drain_standalone_grace_seconds: -1,
      ecs_drain_agent_disconnected_grace_seconds: -1,
      ecs_drain_cluster_scaling_mode: 'managed',
      ecs_drain_target_capacity_percent: 0,
    };
    const error = refusalOf(outdir, STACK, bad);
    const unflagged = Object.keys(bad).filter((name) => !wrapped(`${name} must`).test(error));
    expect(unflagged).toEqual([]);
  }, 120_000);

  test('a heartbeat too short for a check and its retry fails the plan', () => {
    expect(refusalOf(outdir, STACK, { ecs_drain_heartbeat_timeout_seconds: 300 })).toMatch(
      wrapped(
        'ecs_drain_heartbeat_timeout_seconds (300) must be at least ecs_drain_check_interval_seconds (30)',
      ),
    );
  }, 120_000);

  test('a scale-in threshold at or above the scale-out one fails the plan', () => {
    expect(
      refusalOf(outdir, STACK, {
        ecs_drain_cluster_scale_in_reservation_percent: 80,
        ecs_drain_cluster_scale_in_memory_reservation_percent: 90,
      }),
    ).toMatch(
      new RegExp(
        [
          'ecs_drain_cluster_scale_in_reservation_percent (80) must be below ecs_drain_cluster_scale_out_reservation_percent (75).',
          'ecs_drain_cluster_scale_in_memory_reservation_percent (90) must be below ecs_drain_cluster_scale_out_memory_reservation_percent (75).',
        ]
          .map((m) => wrapped(m).source)
          .join('[\\s\\S]*'),
      ),
    );
  }, 120_000);

  test('the dashboard shows the scaling thresholds and the longest drain as planned numbers', () => {
    const body = plannedDashboardBody(proof.plan);
    expect(annotationsOf(body, 'Service CPU')).toEqual([
      ['add a task', 75],
      ['remove a task', 25],
    ]);
    expect(annotationsOf(body, 'Cluster CPU reservation')).toEqual([
      ['add an instance', 75],
      ['remove an instance', 30],
    ]);
    expect(annotationsOf(body, 'Drain duration')).toEqual([['ecs_drain_max_seconds', 3600]]);
    const outcomes = metricRefs(body).filter((r) => r.name === 'DrainOutcome');
    expect(outcomes.map((r) => r.dimensions)).toEqual(
      ['Completed', 'NotInCluster', 'TimedOut', 'AgentDisconnected'].map((Outcome) => ({
        Outcome,
        service: 'ecs-drain',
      })),
    );
  });
});
