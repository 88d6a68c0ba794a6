import {
  plannedResources,
  proveStack,
  resourceCounts,
  sharedSynth,
  type PlanJson,
  type StackProof,
} from '../../scripts/offline-proof';
import { metricRefs, plannedDashboardBody } from '../support/dashboard-body';
import {
  describeOffline,
  offlineProof,
  offlineTools,
  refusalOf,
  variantVarFile,
} from '../support/offline';

const STACK = 'capacity-reservations';

interface ConfigResource {
  address: string;
  type: string;
  expressions: Record<string, { references?: string[] } | undefined>;
}

function configured(plan: PlanJson, type: string): ConfigResource[] {
  const config = (
    plan as PlanJson & {
      configuration: { root_module: { resources: ConfigResource[] } };
    }
  ).configuration;
  return config.root_module.resources.filter((r) => r.type === type);
}

describeOffline('offline Terraform proof: capacity-reservations', () => {
  let proof: StackProof;
  beforeAll(async () => {
    proof = await offlineProof(STACK);
  }, 180_000);

  test('terraform validate reports the configuration valid, without warnings', () => {
    expect(proof.validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test('the plan (egress through endpoints) creates the expected resource types and counts', () => {
    expect(resourceCounts(proof.plan)).toEqual({
      aws_cloudwatch_dashboard: 1,
      aws_cloudwatch_event_rule: 1,
      aws_cloudwatch_event_target: 1,
      aws_cloudwatch_log_group: 1,
      aws_cloudwatch_metric_alarm: 6,
      aws_db_subnet_group: 1,
      aws_default_security_group: 1,
      aws_iam_role: 1,
      aws_iam_role_policy: 1,
      aws_kms_alias: 1,
      aws_kms_key: 1,
      aws_lambda_function: 1,
      aws_lambda_function_event_invoke_config: 1,
      aws_lambda_permission: 1,
      aws_rds_cluster: 1,
      aws_rds_cluster_instance: 1,
      aws_resourcegroups_group: 1,
      aws_route_table: 2,
      aws_route_table_association: 2,
      aws_security_group: 3,
      aws_sns_topic: 1,
      aws_sqs_queue: 1,
      aws_subnet: 2,
      aws_vpc: 1,
      aws_vpc_endpoint: 3,
      aws_vpc_security_group_egress_rule: 2,
      aws_vpc_security_group_ingress_rule: 2,
    });
  });

  test('the subnets are private, one per AZ of the region, carved from vpc_cidr', () => {
    const subnets = plannedResources(proof.plan, 'aws_subnet').map((s) => s.values);
    expect(subnets.map((s) => [s.availability_zone, s.cidr_block])).toEqual([
      ['us-east-1a', '10.0.0.0/20'],
      ['us-east-1b', '10.0.16.0/20'],
    ]);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  test('the interface endpoints have private DNS', () => {
    const endpoints = plannedResources(proof.plan, 'aws_vpc_endpoint').map((e) => e.values);
    expect(endpoints.map((e) => e.service_name).sort()).toEqual([
      'com.amazonaws.us-east-1.ec2',
      'com.amazonaws.us-east-1.resource-groups',
      'com.amazonaws.us-east-1.secretsmanager',
    ]);
    for (const e of endpoints)
      expect(e).toMatchObject({ vpc_endpoint_type: 'Interface', private_dns_enabled: true });
  });

  test('the database is Aurora MySQL Serverless v2, encrypted, with an RDS-managed password', () => {
    const [cluster] = plannedResources(proof.plan, 'aws_rds_cluster');
    expect(cluster?.values).toMatchObject({
      cluster_identifier: 'ops-autopilot-capacity-reservations',
      engine: 'aurora-mysql',
      engine_mode: 'provisioned',
      engine_version: '8.0.mysql_aurora.3.10.3',
      storage_encrypted: true,
      manage_master_user_password: true,
      deletion_protection: true,
      enable_http_endpoint: true,
      serverlessv2_scaling_configuration: [{ min_capacity: 0.5, max_capacity: 2 }],
    });
    const instances = plannedResources(proof.plan, 'aws_rds_cluster_instance');
    expect(instances.map((i) => [i.values.instance_class, i.values.publicly_accessible])).toEqual([
      ['db.serverless', false],
    ]);
  });

  test('the database admits MySQL from the reserver security group only', () => {
    const rules = configured(proof.plan, 'aws_vpc_security_group_ingress_rule').filter((r) =>
      r.expressions.security_group_id?.references?.includes('aws_security_group.database-sg'),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.expressions.referenced_security_group_id?.references).toContain(
      'aws_security_group.reserver-sg',
    );
    expect(rules[0]?.expressions.cidr_ipv4).toBeUndefined();
    const planned = plannedResources(proof.plan, 'aws_vpc_security_group_ingress_rule').find(
      (r) => r.address === rules[0]?.address,
    );
    expect(planned?.values).toMatchObject({ ip_protocol: 'tcp', from_port: 3306, to_port: 3306 });
  });

  test('the reserver runs nodejs22.x on arm64, one at a time, in the VPC', () => {
    const fns = plannedResources(proof.plan, 'aws_lambda_function');
    expect(fns).toHaveLength(1);
    expect(fns[0]?.values).toMatchObject({
      function_name: 'ops-autopilot-capacity-reservation-reserver',
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      reserved_concurrent_executions: 1,
      timeout: 300,
    });
    expect(fns[0]?.values.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(fns[0]?.values.vpc_config).toHaveLength(1);
  });

  test('the schedule is rate(5 minutes)', () => {
    const [rule] = plannedResources(proof.plan, 'aws_cloudwatch_event_rule');
    expect(rule?.values.schedule_expression).toBe('rate(5 minutes)');
  });

  test('the reserver policy is fully known at plan time and names its own cluster', () => {
    const [policy] = plannedResources(proof.plan, 'aws_iam_role_policy');
    expect(typeof policy?.values.policy).toBe('string');
    const doc = JSON.parse(policy?.values.policy as string) as {
      Statement: Array<{ Sid: string; Condition?: unknown }>;
    };
    expect(doc.Statement.find((s) => s.Sid === 'ReadOwnDatabaseSecret')?.Condition).toEqual({
      StringEquals: {
        'aws:ResourceTag/aws:rds:primaryDBClusterArn':
          'arn:aws:rds:us-east-1:123456789012:cluster:ops-autopilot-capacity-reservations',
      },
    });
  });

  test('the gap alarm queries CapacityGap of the reserver for 3 periods', () => {
    const gap = plannedResources(proof.plan, 'aws_cloudwatch_metric_alarm').find((a) =>
      String(a.values.alarm_name).endsWith('-capacity-gap'),
    );
    expect(gap?.values).toMatchObject({ evaluation_periods: 3, threshold: 0 });
  });

  test('the dashboard body is known at plan time and finds every pool of the reserver by SEARCH', () => {
    const body = plannedDashboardBody(proof.plan);
    const perPool = metricRefs(body).filter((r) => r.via === 'search');
    expect(perPool.map((r) => r.name).sort()).toEqual([
      'ActualCapacity',
      'CapacityGap',
      'ExpiringInstances',
      'IdleHours',
      'InsufficientCapacity',
      'QuotaExceeded',
      'ReservationsCreated',
      'TargetCapacity',
      'Utilization',
    ]);
    for (const r of perPool) {
      expect(r.dimensions).toEqual({ service: 'capacity-reservation-reserver' });
      expect(r.anyValueOf).toEqual(['Pool']);
    }
  });
});

describeOffline('offline Terraform proof: capacity-reservations network modes', () => {
  let outdir: string;
  const plan = (overrides: Record<string, unknown>) =>
    proveStack(offlineTools!, outdir, STACK, variantVarFile(overrides));
  beforeAll(async () => {
    outdir = await sharedSynth();
  }, 180_000);

  test('egress through NAT: one NAT gateway per AZ in public subnets, no endpoints', async () => {
    const { plan: p } = await plan({
      egress_mode: 'nat',
      availability_zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    });
    expect(resourceCounts(p)).toMatchObject({
      aws_nat_gateway: 3,
      aws_eip: 3,
      aws_internet_gateway: 1,
      aws_subnet: 6,
      aws_route: 4,
    });
    expect(resourceCounts(p).aws_vpc_endpoint).toBeUndefined();
    const egress443 = plannedResources(p, 'aws_vpc_security_group_egress_rule').find(
      (r) => r.values.from_port === 443,
    );
    expect(egress443?.values.cidr_ipv4).toBe('0.0.0.0/0');
  }, 120_000);

  test('an existing VPC: no network resource is created, the database uses the given subnets', async () => {
    const subnets = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
    const { plan: p } = await plan({
      existing_vpc_id: 'vpc-0123456789abcdef0',
      existing_private_subnet_ids: subnets,
    });
    const counts = resourceCounts(p);
    for (const type of ['aws_vpc', 'aws_subnet', 'aws_vpc_endpoint', 'aws_nat_gateway'])
      expect(counts[type]).toBeUndefined();
    expect(plannedResources(p, 'aws_db_subnet_group')[0]?.values.subnet_ids).toEqual(subnets);
    expect(plannedResources(p, 'aws_security_group').map((sg) => sg.values.vpc_id)).toEqual([
      'vpc-0123456789abcdef0',
      'vpc-0123456789abcdef0',
    ]);
  }, 120_000);

  test('existing subnets without existing_vpc_id fail the plan', async () => {
    expect(
      refusalOf(outdir, STACK, {
        existing_private_subnet_ids: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      }),
    ).toMatch(/existing_private_subnet_ids and existing_public_subnet_ids need\s+existing_vpc_id/);
  }, 120_000);

  test('a minimum capacity above the maximum fails the plan', async () => {
    expect(refusalOf(outdir, STACK, { capacity_db_min_acu: 4 })).toMatch(
      /capacity_db_min_acu must not exceed\s+capacity_db_max_acu/,
    );
  }, 120_000);
});
