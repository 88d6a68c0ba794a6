import {
  plannedResources,
  proveStack,
  resourceCounts,
  sharedSynth,
  type PlannedResource,
  type StackProof,
} from '../../scripts/offline-proof';
import { annotationsOf, metricRefs, plannedDashboardBody } from '../support/dashboard-body';
import {
  describeOffline,
  offlineTools,
  refusalOf,
  variantVarFile,
  wrapped,
} from '../support/offline';

const STACK = 'ecs-spot-api';

const one = (plan: StackProof['plan'], type: string, part = ''): PlannedResource => {
  const found = plannedResources(plan, type).filter((r) => r.address.includes(part));
  if (found.length !== 1) throw new Error(`expected one ${type} ${part}, found ${found.length}`);
  return found[0]!;
};

describeOffline('offline Terraform proof: ecs-spot-api', () => {
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
      aws_appautoscaling_policy: 1, // CPU target tracking; requests per target is off
      aws_appautoscaling_target: 1,
      aws_autoscaling_group: 2,
      aws_cloudwatch_dashboard: 1,
      aws_cloudwatch_event_rule: 2, // the Spot interruption warning and the rebalance recommendation
      aws_cloudwatch_event_target: 2,
      aws_cloudwatch_log_group: 2, // the service's and the Spot signal function's
      aws_cloudwatch_metric_alarm: 7, // 2 target health; signal errors, failures queued, 2 failed deliveries, interruptions
      aws_dynamodb_table: 1, // the Spot signal event ids already counted
      aws_lambda_function: 1,
      aws_lambda_function_event_invoke_config: 1,
      aws_lambda_permission: 2,
      aws_sqs_queue: 1,
      aws_ecs_capacity_provider: 2,
      aws_ecs_cluster: 1,
      aws_ecs_cluster_capacity_providers: 1,
      aws_ecs_service: 1,
      aws_ecs_task_definition: 1,
      aws_iam_instance_profile: 1,
      aws_ecr_pull_through_cache_rule: 1, // the default image is on ECR Public
      aws_iam_role: 3, // the instances', the refresh schedule's, the signal function's; no execution role
      aws_iam_role_policy: 3,
      aws_kms_alias: 1,
      aws_kms_key: 1,
      aws_launch_template: 1,
      aws_lb: 1,
      aws_lb_listener: 1, // no certificate: HTTP only
      aws_lb_target_group: 1,
      aws_scheduler_schedule: 2, // an instance refresh of each group every 14 days
      aws_sns_topic: 1,
      aws_vpc_endpoint: 7,
      aws_vpc_security_group_egress_rule: 2,
    });
    expect(counts.aws_lb_listener_rule).toBeUndefined();
  });

  test('Spot signals: a rule per signal, and the interruption alarm at the default threshold of 5 per hour', () => {
    const patterns = plannedResources(proof.plan, 'aws_cloudwatch_event_rule').map((r) =>
      JSON.parse(String(r.values.event_pattern)),
    );
    expect(patterns).toEqual(
      expect.arrayContaining([
        { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
        { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
      ]),
    );
    const alarm = plannedResources(proof.plan, 'aws_cloudwatch_metric_alarm').find(
      (a) => a.values.alarm_name === 'ops-autopilot-ecs-spot-signal-interruptions',
    );
    expect(alarm?.values).toMatchObject({
      metric_name: 'SpotSignals',
      threshold: 5,
      period: 3600,
      comparison_operator: 'GreaterThanThreshold',
    });
  });

  test('launch template: IMDSv2 required (hop limit 1), encrypted gp3 root, AMI resolved from SSM', () => {
    expect(one(proof.plan, 'aws_launch_template').values).toMatchObject({
      image_id: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      metadata_options: [
        { http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1 },
      ],
      block_device_mappings: [
        {
          device_name: '/dev/xvda',
          ebs: [{ encrypted: 'true', volume_type: 'gp3', volume_size: 30 }],
        },
      ],
    });
  });

  test('user data configures the agent: cluster, Spot draining, stop timeout', () => {
    const userData = Buffer.from(
      String(one(proof.plan, 'aws_launch_template').values.user_data),
      'base64',
    ).toString('utf8');
    expect(userData).toContain(
      [
        'ECS_CLUSTER=ops-autopilot-ecs-spot-api',
        'ECS_ENABLE_SPOT_INSTANCE_DRAINING=true',
        'ECS_CONTAINER_STOP_TIMEOUT=30s',
      ].join('\n'),
    );
  });

  test('groups: mixed instances with the type overrides in order, On-Demand 100% and Spot 0%', () => {
    for (const [purpose, share] of [
      ['on-demand', 100],
      ['spot', 0],
    ] as const) {
      const asg = one(proof.plan, 'aws_autoscaling_group', `${purpose}-asg`).values;
      expect(asg).toMatchObject({
        name: `ops-autopilot-ecs-spot-api-${purpose}`,
        capacity_rebalance: true,
        protect_from_scale_in: true,
        force_delete: true,
        min_size: 0,
        mixed_instances_policy: [
          {
            instances_distribution: [
              {
                on_demand_percentage_above_base_capacity: share,
                spot_allocation_strategy: 'price-capacity-optimized',
              },
            ],
          },
        ],
      });
      const overrides = (
        asg.mixed_instances_policy as Array<{
          launch_template: Array<{ override: Array<{ instance_type: string }> }>;
        }>
      )[0]!.launch_template[0]!.override.map((o) => o.instance_type);
      expect(overrides).toEqual(['m6i.large', 'm6a.large', 'm5.large', 'm5a.large', 'm7i.large']);
      expect(asg.tag).toContainEqual({
        key: 'AmazonECSManaged',
        value: 'true',
        propagate_at_launch: true,
      });
    }
  });

  test('capacity providers: managed scaling, termination protection and draining enabled', () => {
    for (const cp of plannedResources(proof.plan, 'aws_ecs_capacity_provider')) {
      expect(cp.values.auto_scaling_group_provider).toMatchObject([
        {
          managed_draining: 'ENABLED',
          managed_termination_protection: 'ENABLED',
          managed_scaling: [{ status: 'ENABLED', target_capacity: 85 }],
        },
      ]);
    }
  });

  test("capacity provider strategy: one On-Demand task, then 1:4 (the seed's 20-80)", () => {
    expect(
      one(proof.plan, 'aws_ecs_cluster_capacity_providers').values
        .default_capacity_provider_strategy,
    ).toEqual(
      expect.arrayContaining([
        { capacity_provider: 'ops-autopilot-ecs-spot-api-on-demand', base: 1, weight: 1 },
        { capacity_provider: 'ops-autopilot-ecs-spot-api-spot', base: 0, weight: 4 },
      ]),
    );
  });

  test('service: circuit breaker with rollback, AZ spread then binpack, container limits and health check', () => {
    const service = one(proof.plan, 'aws_ecs_service').values;
    expect(service).toMatchObject({
      deployment_circuit_breaker: [{ enable: true, rollback: true }],
      ordered_placement_strategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'binpack', field: 'memory' },
      ],
      desired_count: 2,
    });
    const [container] = JSON.parse(
      String(one(proof.plan, 'aws_ecs_task_definition').values.container_definitions),
    ) as Array<Record<string, unknown>>;
    expect(container).toMatchObject({
      cpu: 256,
      memory: 512,
      memoryReservation: 256,
      portMappings: [{ containerPort: 80, hostPort: 0 }],
      healthCheck: { command: ['CMD-SHELL', 'curl -fsS http://localhost/ > /dev/null || exit 1'] },
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/ops-autopilot-ecs-spot-api' },
      },
    });
    expect(container?.repositoryCredentials).toBeUndefined();
  });

  test('target group: health check matcher 200-399, 30 s deregistration delay', () => {
    expect(one(proof.plan, 'aws_lb_target_group').values).toMatchObject({
      deregistration_delay: '30',
      health_check: [{ path: '/', matcher: '200-399' }],
    });
  });

  test("the default public image deploys without NAT: pulled through the stack's ECR cache", () => {
    expect(one(proof.plan, 'aws_ecr_pull_through_cache_rule').values).toMatchObject({
      ecr_repository_prefix: 'ops-autopilot-ecs-spot-api',
      upstream_registry_url: 'public.ecr.aws',
    });
    const [container] = JSON.parse(
      String(one(proof.plan, 'aws_ecs_task_definition').values.container_definitions),
    ) as Array<Record<string, unknown>>;
    expect(container?.image).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/ops-autopilot-ecs-spot-api/nginx/nginx:stable',
    );
  });

  test('an image from another registry without a route to it fails the plan, saying what to do', async () => {
    expect(
      refusalOf(outdir, STACK, { ecs_container_image: 'docker.io/library/nginx:stable' }),
    ).toMatch(wrapped('Push the image to ECR in this account and region, or set'));
  }, 120_000);

  test('IAM policies are fully known at plan time', () => {
    const policies = plannedResources(proof.plan, 'aws_iam_role_policy');
    for (const policy of policies) expect(typeof policy.values.policy).toBe('string');
    for (const policy of policies.filter((p) => !p.address.includes('ami-rollout')))
      expect(policy.values.policy).toContain(
        'arn:aws:ecs:us-east-1:123456789012:cluster/ops-autopilot-ecs-spot-api',
      );
  });

  test('HTTPS, registry credentials, request and memory tracking, NAT and the 0-100 split switch on by variables', async () => {
    const variant = await proveStack(
      offlineTools!,
      outdir,
      STACK,
      variantVarFile({
        ecs_certificate_arn:
          'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
        ecs_private_registry_secret_arn:
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf',
        ecs_spot_requests_per_target: 500,
        ecs_spot_memory_target_percent: 70,
        ecs_spot_on_demand_base_tasks: 0,
        ecs_spot_on_demand_weight: 0,
        ecs_spot_spot_weight: 1,
        egress_mode: 'nat',
      }),
    );
    expect(resourceCounts(variant.plan).aws_nat_gateway).toBeGreaterThan(0);
    const counts = resourceCounts(variant.plan);
    expect(counts).toMatchObject({
      aws_lb_listener: 2,
      aws_lb_listener_rule: 1,
      aws_appautoscaling_policy: 3, // CPU, memory and requests per target
      aws_iam_role: 4,
      aws_iam_role_policy: 4,
    });
    expect(one(variant.plan, 'aws_lb_listener_rule').values.action).toMatchObject([
      { type: 'redirect', redirect: [{ protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' }] },
    ]);
    const [container] = JSON.parse(
      String(one(variant.plan, 'aws_ecs_task_definition').values.container_definitions),
    ) as Array<Record<string, unknown>>;
    expect(container?.repositoryCredentials).toEqual({
      credentialsParameter: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf',
    });
    const execution = plannedResources(variant.plan, 'aws_iam_role_policy').find((p) =>
      p.address.includes('execution-policy'),
    );
    expect(JSON.parse(String(execution?.values.policy)).Statement).toEqual([
      expect.objectContaining({
        Action: 'secretsmanager:GetSecretValue',
        Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf',
      }),
    ]);
    expect(one(variant.plan, 'aws_ecs_service').values.capacity_provider_strategy).toEqual(
      expect.arrayContaining([
        { capacity_provider: 'ops-autopilot-ecs-spot-api-on-demand', base: 0, weight: 0 },
        { capacity_provider: 'ops-autopilot-ecs-spot-api-spot', base: 0, weight: 1 },
      ]),
    );
  }, 120_000);

  test('a deregistration delay and stop timeout beyond the Spot notice fail the plan, showing both', async () => {
    expect(
      refusalOf(outdir, STACK, {
        ecs_deregistration_delay_seconds: 100,
        ecs_container_stop_timeout_seconds: 30,
      }),
    ).toMatch(
      wrapped(
        'deregistration delay (100 s) + container stop timeout (30 s) must fit in the 120-second Spot interruption notice, after 10 s to detect it and with a 15 s margin (at most 95 s).',
      ),
    );
  }, 120_000);

  test('at 100 % minimum healthy without spare instances the Spot timeline fails the plan', async () => {
    expect(
      refusalOf(outdir, STACK, {
        ecs_spot_minimum_healthy_percent: 100,
        ecs_spot_target_capacity_percent: 100,
      }),
    ).toMatch(wrapped('Set ecs_spot_minimum_healthy_percent below 100.'));
  }, 120_000);

  test('an empty ecs_spot_instance_refresh_schedule plans no schedule and no role for it', async () => {
    const variant = await proveStack(
      offlineTools!,
      outdir,
      STACK,
      variantVarFile({ ecs_spot_instance_refresh_schedule: '' }),
    );
    const counts = resourceCounts(variant.plan);
    // Roles left: the instances' and the Spot signal function's.
    expect([counts.aws_scheduler_schedule, counts.aws_iam_role]).toEqual([undefined, 2]);
  }, 120_000);

  test('both capacity provider weights at 0 fail the plan', async () => {
    expect(
      refusalOf(outdir, STACK, { ecs_spot_on_demand_weight: 0, ecs_spot_spot_weight: 0 }),
    ).toMatch(wrapped('ecs_spot_on_demand_weight and ecs_spot_spot_weight cannot both be 0'));
  }, 120_000);

  test('variable validation rejects an unknown Spot allocation strategy, a negative interruption threshold, a fallback limit under a minute', async () => {
    const failure = refusalOf(outdir, STACK, {
      ecs_spot_allocation_strategy: 'cheapest',
      ecs_spot_interruption_alarm_threshold: -1,
      ecs_spot_fallback_after_seconds: 30,
    });
    expect(failure).toMatch(wrapped('ecs_spot_allocation_strategy must be one of'));
    expect(failure).toMatch(
      wrapped('ecs_spot_interruption_alarm_threshold must be a whole number from 0 to 10000'),
    );
    expect(failure).toMatch(wrapped('from 60 to 86400, got 30.'));
  }, 120_000);

  test('the dashboard graphs both groups, Spot against On-Demand, and the CPU target from the variables', () => {
    const body = plannedDashboardBody(proof.plan);
    const groups = metricRefs(body)
      .filter((r) => r.name === 'GroupInServiceInstances')
      .map((r) => r.dimensions.AutoScalingGroupName);
    expect(groups).toEqual([
      'ops-autopilot-ecs-spot-api-on-demand',
      'ops-autopilot-ecs-spot-api-spot',
    ]);
    for (const g of plannedResources(proof.plan, 'aws_autoscaling_group'))
      expect(g.values.enabled_metrics).toContain('GroupInServiceInstances');
    expect(annotationsOf(body, 'Service CPU')).toEqual([['ecs_spot_cpu_target_percent', 60]]);
  });
});
