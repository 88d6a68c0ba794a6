import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import {
  EcsAutoScalingGroup,
  type EcsAutoScalingGroupProps,
} from '../../stacks/ecs/auto-scaling-group';
import { EcsAsgCapacityProvider } from '../../stacks/ecs/capacity-provider';
import { ecsInstanceStatements, EcsInstanceRole } from '../../stacks/ecs/instance-role';
import {
  DEFAULT_HOP_LIMIT,
  ecsUserData,
  EcsLaunchTemplate,
  type EcsLaunchTemplateProps,
} from '../../stacks/ecs/launch-template';
import {
  DYNAMIC_PORTS,
  EcsLoadBalancer,
  type EcsLoadBalancerProps,
} from '../../stacks/ecs/load-balancer';
import {
  CONTAINER_NAME,
  EcsClusterWithInsights,
  EcsWebService,
  type EcsWebServiceProps,
} from '../../stacks/ecs/service';
import { EcsServiceScalingTarget } from '../../stacks/ecs/service-scaling';
import { checkSpotNoticeFit } from '../../stacks/ecs/spot-notice';
import { ECS_AL2023_AMI_PARAMETER } from '../../stacks/ecs/variables';
import type { OpsStack } from '../../stacks/platform/ops-stack';
import { supportsResourceLevel } from '../../stacks/platform/policy-checks';
import { only, resources, synthJson, testStack, type TfJson } from '../support/synth';

type Resource = Record<string, unknown>;
const NETWORK = {
  vpcId: 'vpc-0123456789abcdef0',
  privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
  publicSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
};

function lbProps(props: Partial<EcsLoadBalancerProps> = {}): EcsLoadBalancerProps {
  return { network: NETWORK, name: 'web', containerStopTimeoutSeconds: 30, ...props };
}

/** A stack with the shared pieces a launch template / group / service needs. */
function base(stack: OpsStack) {
  const role = new EcsInstanceRole(stack, 'role', {
    name: 'web-instances',
    clusterName: 'demo',
    logGroupNames: ['/ecs/demo'],
  });
  return { role };
}

function launchTemplate(stack: OpsStack, props: Partial<EcsLaunchTemplateProps> = {}) {
  const { role } = base(stack);
  return new EcsLaunchTemplate(stack, 'lt', {
    name: 'web',
    clusterName: 'demo',
    instanceRole: role,
    securityGroupIds: ['sg-0123456789abcdef0'],
    containerStopTimeoutSeconds: 30,
    ...props,
  });
}

function group(stack: OpsStack, props: Partial<EcsAutoScalingGroupProps> = {}) {
  const lt = launchTemplate(stack);
  return new EcsAutoScalingGroup(stack, 'asg', {
    name: 'web',
    launchTemplate: lt,
    subnetIds: NETWORK.privateSubnetIds,
    minSize: 1,
    maxSize: 4,
    ...props,
  });
}

function service(stack: OpsStack, props: Partial<EcsWebServiceProps> = {}) {
  const cluster = new EcsClusterWithInsights(stack, 'cluster', { name: 'demo' });
  const lb = new EcsLoadBalancer(stack, 'lb', lbProps());
  const svc = new EcsWebService(stack, 'svc', {
    name: 'web',
    cluster,
    targetGroup: lb.targetGroup,
    dependsOn: [lb.httpListener],
    image: 'public.ecr.aws/nginx/nginx:stable',
    containerPort: 80,
    healthCheckCommand: 'curl -f http://localhost/ || exit 1',
    placement: { launchType: 'EC2' },
    ...props,
  });
  return { cluster, lb, svc };
}

function containerOf(json: TfJson): string {
  return only(json, 'aws_ecs_task_definition').container_definitions as string;
}

let probes = 0;
/** A value as it synthesizes (`${var.region}`, ...), read back through an output. */
function resolved<T>(stack: OpsStack, value: T): T {
  const id = `probe${++probes}`;
  new TerraformOutput(stack, id, { value });
  return (synthJson(stack).output?.[id] as { value: T }).value;
}

const numberVar = (stack: OpsStack, name: string, def: number) =>
  new TerraformVariable(stack, name, { type: 'number', default: def }).numberValue;

describe('Spot notice timing check', () => {
  test('fails when deregistration delay + stop timeout exceed what the notice leaves, showing both and the sum', () => {
    // Prepare / Act / Assess
    expect(() => checkSpotNoticeFit(70, 30)).toThrow(
      'deregistration delay (70 s) + container stop timeout (30 s) = 100 s does not fit in the 120-second Spot interruption notice, after 10 s to detect it and with a 15 s margin (at most 95 s)',
    );
  });

  test('accepts a total of exactly the budget: 120 - 10 (detection) - 15 (margin)', () => {
    expect(() => checkSpotNoticeFit(65, 30)).not.toThrow();
  });

  test('the load balancer construct applies it to plain numbers', () => {
    const { stack } = testStack();
    expect(
      () =>
        new EcsLoadBalancer(
          stack,
          'lb',
          lbProps({ deregistrationDelaySeconds: 90, containerStopTimeoutSeconds: 60 }),
        ),
    ).toThrow('deregistration delay (90 s) + container stop timeout (60 s) = 150 s');
  });

  test('with variables it becomes a target group precondition whose message shows both values', () => {
    const { stack } = testStack();
    new EcsLoadBalancer(
      stack,
      'lb',
      lbProps({
        deregistrationDelaySeconds: numberVar(stack, 'delay', 30),
        containerStopTimeoutSeconds: numberVar(stack, 'stop', 30),
      }),
    );
    const tg = only(synthJson(stack), 'aws_lb_target_group');
    expect((tg.lifecycle as { precondition: unknown[] }).precondition).toEqual([
      {
        condition: '${var.delay + var.stop <= 95}',
        error_message:
          'deregistration delay (${var.delay} s) + container stop timeout (${var.stop} s) must fit in the 120-second Spot interruption notice, after 10 s to detect it and with a 15 s margin (at most 95 s).',
      },
    ]);
  });
});

describe('EcsLaunchTemplate', () => {
  test('requires IMDSv2 with hop limit 1 by default (bridge containers cannot reach IMDS)', () => {
    const { stack } = testStack();
    launchTemplate(stack);
    expect(DEFAULT_HOP_LIMIT).toBe(1);
    expect(only(synthJson(stack), 'aws_launch_template').metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
      instance_metadata_tags: 'disabled',
    });
  });

  test('takes another hop limit, and rejects one outside 1-64 with the value', () => {
    const { stack } = testStack();
    launchTemplate(stack, { metadataHopLimit: 2 });
    expect(
      (only(synthJson(stack), 'aws_launch_template').metadata_options as Resource)
        .http_put_response_hop_limit,
    ).toBe(2);
    expect(() => launchTemplate(testStack().stack, { metadataHopLimit: 0 })).toThrow(
      'metadataHopLimit must be a whole number from 1 to 64, got 0',
    );
  });

  test('maps an encrypted gp3 root volume of 30 GiB by default', () => {
    const { stack } = testStack();
    launchTemplate(stack);
    expect(only(synthJson(stack), 'aws_launch_template').block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: {
          volume_type: 'gp3',
          volume_size: 30,
          encrypted: 'true',
          delete_on_termination: 'true',
        },
      },
    ]);
  });

  test('rejects a root volume smaller than the AMI, with the value', () => {
    expect(() => launchTemplate(testStack().stack, { rootVolumeSizeGib: 20 })).toThrow(
      "rootVolumeSizeGib must be a whole number >= 30 (the AMI's snapshot size), got 20",
    );
  });

  test('resolves the ECS-optimized AL2023 AMI through SSM at launch (no data source)', () => {
    const { stack } = testStack();
    launchTemplate(stack);
    const json = synthJson(stack);
    expect(only(json, 'aws_launch_template').image_id).toBe(
      `resolve:ssm:${ECS_AL2023_AMI_PARAMETER}`,
    );
    expect(Object.keys(json.data ?? {})).toEqual(['aws_partition']);
  });

  test('takes the parameter path from a variable, and rejects a path without "/"', () => {
    const { stack } = testStack();
    const param = new TerraformVariable(stack, 'ami', { type: 'string' }).stringValue;
    launchTemplate(stack, { amiParameter: param });
    expect(only(synthJson(stack), 'aws_launch_template').image_id).toBe('resolve:ssm:${var.ami}');
    expect(() => launchTemplate(testStack().stack, { amiParameter: 'ami-123' })).toThrow(
      'amiParameter must be an SSM parameter path starting with "/", got "ami-123"',
    );
  });

  test('user data writes the cluster, Spot draining and the stop timeout to ecs.config, and nothing else', () => {
    const script = ecsUserData('demo', 45);
    const config = /cat > \/etc\/ecs\/ecs.config <<'EOF'\n([\s\S]*?)\nEOF/.exec(script)?.[1];
    expect(config?.split('\n')).toEqual([
      'ECS_CLUSTER=demo',
      'ECS_ENABLE_SPOT_INSTANCE_DRAINING=true',
      'ECS_CONTAINER_STOP_TIMEOUT=45s',
    ]);
    expect(script).not.toMatch(/ECS_ENGINE_AUTH|password|token/i);
  });

  test('synthesizes that user data base64-encoded, with the stop timeout from a variable', () => {
    const { stack } = testStack();
    launchTemplate(stack, { containerStopTimeoutSeconds: numberVar(stack, 'stop', 30) });
    const userData = only(synthJson(stack), 'aws_launch_template').user_data as string;
    expect(userData).toMatch(/^\$\{base64encode\(".*"\)\}$/s);
    expect(userData).toContain('ECS_CONTAINER_STOP_TIMEOUT=${var.stop}s');
    expect(userData).toContain('ECS_CLUSTER=demo');
  });

  test('rejects a cluster name ECS would refuse', () => {
    expect(() => launchTemplate(testStack().stack, { clusterName: 'my cluster' })).toThrow(
      'clusterName must be 1-255 letters, digits, "-" or "_", got "my cluster"',
    );
  });

  test('uses the instance profile of the agent role', () => {
    const { stack } = testStack();
    launchTemplate(stack);
    expect(only(synthJson(stack), 'aws_launch_template').iam_instance_profile).toEqual({
      arn: expect.stringMatching(/^\$\{aws_iam_instance_profile\.role_profile_.*\.arn\}$/),
    });
  });
});

describe('EcsInstanceRole', () => {
  const { stack } = testStack();
  // Resolved as they synthesize (`${var.region}`, ...).
  const statements = resolved(
    stack,
    ecsInstanceStatements(stack, { clusterName: 'demo', logGroupNames: ['/ecs/demo'] }),
  );

  test('grants the agent exactly what it calls, with no "*" in any action', () => {
    const actions = statements.flatMap((s) => s.actions).sort();
    expect(actions).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'ecs:DiscoverPollEndpoint',
      'ecs:Poll',
      'ecs:RegisterContainerInstance',
      'ecs:StartTelemetrySession',
      'ecs:SubmitContainerStateChange',
      'ecs:SubmitTaskStateChange',
      'ecs:UpdateContainerInstancesState',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  test('gives Resource "*" only to actions without resource-level permissions, with a reason', () => {
    const wildcard = statements.filter((s) => s.resources.includes('*'));
    for (const s of wildcard) {
      expect(s.wildcardReason).toBeTruthy();
      for (const action of s.actions) expect(supportsResourceLevel(action)).toBe(false);
    }
    expect(wildcard.flatMap((s) => s.actions).sort()).toEqual([
      'ecr:GetAuthorizationToken',
      'ecs:DiscoverPollEndpoint',
    ]);
  });

  test('scopes cluster actions to the cluster and instance actions to its container instances', () => {
    const cluster =
      'arn:${data.aws_partition.partition.partition}:ecs:${var.region}:${var.account_id}:cluster/demo';
    expect(
      statements.find((s) => s.actions.includes('ecs:RegisterContainerInstance')),
    ).toMatchObject({ resources: [cluster] });
    expect(statements.find((s) => s.actions.includes('ecs:Poll'))).toMatchObject({
      resources: [
        'arn:${data.aws_partition.partition.partition}:ecs:${var.region}:${var.account_id}:container-instance/demo/*',
      ],
      conditions: { ArnEquals: { 'ecs:cluster': cluster } },
    });
  });

  test('writes logs only to the given log groups, and pulls from given repositories when set', () => {
    const { stack: s2 } = testStack();
    const scoped = resolved(
      s2,
      ecsInstanceStatements(s2, {
        clusterName: 'demo',
        logGroupNames: ['/ecs/a'],
        ecrRepositoryArns: ['arn:aws:ecr:us-east-1:123456789012:repository/app'],
      }),
    );
    expect(scoped.find((s) => s.sid === 'WriteTaskLogs')?.resources).toEqual([
      'arn:${data.aws_partition.partition.partition}:logs:${var.region}:${var.account_id}:log-group:/ecs/a:*',
    ]);
    expect(scoped.find((s) => s.sid === 'PullTaskImages')?.resources).toEqual([
      'arn:aws:ecr:us-east-1:123456789012:repository/app',
    ]);
  });

  test('registers its policy under the IAM proof as <stack>-instance-role', () => {
    const { stack: s2 } = testStack();
    base(s2);
    expect(s2.iamSubjects.map((s) => s.name)).toEqual(['test-stack-instance-role']);
  });

  test('needs a log group', () => {
    expect(
      () =>
        new EcsInstanceRole(testStack().stack, 'r', {
          name: 'x',
          clusterName: 'demo',
          logGroupNames: [],
        }),
    ).toThrow('EcsInstanceRole needs at least one log group (logGroupNames is empty)');
  });

  test('the role is for EC2 and the profile carries it', () => {
    const { stack: s2 } = testStack();
    base(s2);
    const json = synthJson(s2);
    expect(JSON.parse(only(json, 'aws_iam_role').assume_role_policy as string)).toMatchObject({
      Statement: [{ Principal: { Service: 'ec2.amazonaws.com' } }],
    });
    expect(only(json, 'aws_iam_instance_profile').role).toMatch(/^\$\{aws_iam_role\..*\.name\}$/);
  });
});

describe('EcsAutoScalingGroup', () => {
  test('mixed instances: On-Demand base and share, Spot strategy, one override per type in order', () => {
    const { stack } = testStack();
    group(stack, {
      instanceTypes: ['c6i.large', 'm6i.large'],
      onDemandBaseCapacity: 1,
      onDemandPercentageAboveBaseCapacity: 25,
      spotAllocationStrategy: 'capacity-optimized',
    });
    const policy = only(synthJson(stack), 'aws_autoscaling_group').mixed_instances_policy as {
      instances_distribution: Resource;
      launch_template: { override: Resource[] };
    };
    expect(policy.instances_distribution).toMatchObject({
      on_demand_base_capacity: 1,
      on_demand_percentage_above_base_capacity: 25,
      spot_allocation_strategy: 'capacity-optimized',
    });
    expect(policy.launch_template.override).toEqual([
      { instance_type: 'c6i.large' },
      { instance_type: 'm6i.large' },
    ]);
  });

  test('defaults: all On-Demand above a base of 0, price-capacity-optimized Spot', () => {
    const { stack } = testStack();
    group(stack);
    const policy = only(synthJson(stack), 'aws_autoscaling_group').mixed_instances_policy as {
      instances_distribution: Resource;
    };
    expect(policy.instances_distribution).toMatchObject({
      on_demand_base_capacity: 0,
      on_demand_percentage_above_base_capacity: 100,
      spot_allocation_strategy: 'price-capacity-optimized',
    });
  });

  test('a list variable of types becomes a dynamic block over the list (order kept, not a set)', () => {
    const { stack } = testStack();
    const types = new TerraformVariable(stack, 'types', { type: 'list(string)' }).listValue;
    group(stack, { instanceTypes: types });
    const lt = (
      only(synthJson(stack), 'aws_autoscaling_group').mixed_instances_policy as {
        launch_template: Resource;
      }
    ).launch_template;
    expect(lt.override).toBeUndefined();
    expect(lt.dynamic).toEqual({
      override: { for_each: '${var.types}', content: { instance_type: '${override.value}' } },
    });
  });

  test('capacity rebalance, force delete, rolling instance refresh, desired capacity left to scaling', () => {
    const { stack } = testStack();
    group(stack);
    expect(only(synthJson(stack), 'aws_autoscaling_group')).toMatchObject({
      capacity_rebalance: true,
      force_delete: true,
      desired_capacity: 1,
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 90 } },
      lifecycle: { ignore_changes: ['desired_capacity'] },
    });
  });

  test('an ECS-managed group is tagged AmazonECSManaged and protects new instances from scale-in', () => {
    const { stack } = testStack();
    group(stack, {
      ecsManaged: true,
      protectFromScaleIn: true,
      refreshProtectedInstances: 'Refresh',
    });
    const asg = only(synthJson(stack), 'aws_autoscaling_group');
    expect(asg.protect_from_scale_in).toBe(true);
    expect(asg.tag).toContainEqual({
      key: 'AmazonECSManaged',
      value: 'true',
      propagate_at_launch: true,
    });
    expect(asg.instance_refresh).toMatchObject({
      preferences: { scale_in_protected_instances: 'Refresh' },
    });
  });

  test('a plain group is neither tagged for ECS nor protected', () => {
    const { stack } = testStack();
    group(stack);
    const asg = only(synthJson(stack), 'aws_autoscaling_group');
    expect(asg.protect_from_scale_in).toBe(false);
    expect((asg.tag as Resource[]).map((t) => t.key)).toEqual(['Name']);
  });

  test('an ARN pattern that matches the group whatever its UUID', () => {
    const { stack } = testStack();
    expect(resolved(stack, group(stack).arnPattern)).toBe(
      'arn:${data.aws_partition.partition.partition}:autoscaling:${var.region}:${var.account_id}:autoScalingGroup:*:autoScalingGroupName/${var.name_prefix}-web',
    );
  });

  test.each([
    [
      { onDemandPercentageAboveBaseCapacity: 150 },
      'onDemandPercentageAboveBaseCapacity must be a whole number from 0 to 100, got 150',
    ],
    [{ onDemandBaseCapacity: -1 }, 'onDemandBaseCapacity must be a whole number from 0 up, got -1'],
    [{ minSize: 5, maxSize: 2 }, 'minSize (5) must not exceed maxSize (2)'],
    [{ subnetIds: ['subnet-1'] }, 'needs private subnets in at least two AZs, got ["subnet-1"]'],
    [{ instanceTypes: [] }, 'instanceTypes must list 1 to 40 types, got 0'],
    [{ instanceTypes: ['large'] }, 'instanceTypes has invalid types: large'],
    [
      { spotAllocationStrategy: 'cheapest' },
      'spotAllocationStrategy must be one of price-capacity-optimized, capacity-optimized, capacity-optimized-prioritized, lowest-price, got "cheapest"',
    ],
  ] as Array<[Partial<EcsAutoScalingGroupProps>, string]>)('rejects %j', (props, message) => {
    expect(() => group(testStack().stack, props)).toThrow(message);
  });

  test('checks min <= max sizes given as variables with a precondition', () => {
    const { stack } = testStack();
    group(stack, { minSize: numberVar(stack, 'min', 1), maxSize: numberVar(stack, 'max', 2) });
    expect(only(synthJson(stack), 'aws_autoscaling_group').lifecycle).toMatchObject({
      precondition: [
        {
          condition: '${var.min <= var.max}',
          error_message: expect.stringContaining(
            '(${var.min}) must not exceed its maximum size (${var.max})',
          ),
        },
      ],
    });
  });
});

describe('EcsAsgCapacityProvider', () => {
  test('managed scaling at the target, managed termination protection and managed draining', () => {
    const { stack } = testStack();
    const asg = group(stack, { ecsManaged: true, protectFromScaleIn: true });
    new EcsAsgCapacityProvider(stack, 'cp', {
      name: 'web',
      autoScalingGroup: asg,
      targetCapacityPercent: 90,
    });
    expect(
      only(synthJson(stack), 'aws_ecs_capacity_provider').auto_scaling_group_provider,
    ).toMatchObject({
      managed_termination_protection: 'ENABLED',
      managed_draining: 'ENABLED',
      managed_scaling: { status: 'ENABLED', target_capacity: 90 },
    });
  });

  test('termination protection from a boolean variable', () => {
    const { stack } = testStack();
    const flag = new TerraformVariable(stack, 'protect', { type: 'bool' }).booleanValue;
    const asg = group(stack, { ecsManaged: true, protectFromScaleIn: flag });
    new EcsAsgCapacityProvider(stack, 'cp', {
      name: 'web',
      autoScalingGroup: asg,
      managedTerminationProtection: flag,
    });
    const json = synthJson(stack);
    expect(
      (only(json, 'aws_ecs_capacity_provider').auto_scaling_group_provider as Resource)
        .managed_termination_protection,
    ).toBe('${var.protect ? "ENABLED" : "DISABLED"}');
    expect(only(json, 'aws_autoscaling_group').protect_from_scale_in).toBe('${var.protect}');
  });

  test('rejects a target capacity outside 1-100', () => {
    const { stack } = testStack();
    const asg = group(stack);
    expect(
      () =>
        new EcsAsgCapacityProvider(stack, 'cp', {
          name: 'web',
          autoScalingGroup: asg,
          targetCapacityPercent: 0,
        }),
    ).toThrow('targetCapacityPercent must be a whole number from 1 to 100, got 0');
  });

  test('refuses, at plan time, a name_prefix ECS reserves (aws, ecs, fargate)', () => {
    const { stack } = testStack();
    new EcsAsgCapacityProvider(stack, 'cp', { name: 'web', autoScalingGroup: group(stack) });
    expect(only(synthJson(stack), 'aws_ecs_capacity_provider').lifecycle).toMatchObject({
      precondition: [{ condition: '${!can(regex("^(?i)(aws|ecs|fargate)", var.name_prefix))}' }],
    });
  });
});

describe('EcsLoadBalancer', () => {
  test('internet-facing ALB in the public subnets', () => {
    const { stack } = testStack();
    new EcsLoadBalancer(stack, 'lb', lbProps());
    expect(only(synthJson(stack), 'aws_lb')).toMatchObject({
      load_balancer_type: 'application',
      internal: false,
      subnets: NETWORK.publicSubnetIds,
      drop_invalid_header_fields: true,
    });
  });

  test('ALB takes 80/443 from the internet; instances take the dynamic ports from the ALB only', () => {
    const { stack } = testStack();
    new EcsLoadBalancer(stack, 'lb', lbProps());
    const json = synthJson(stack);
    const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
    const fromInternet = ingress.filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(fromInternet.map((r) => [r.from_port, r.to_port]).sort()).toEqual([
      [443, 443],
      [80, 80],
    ]);
    for (const r of fromInternet) expect(r.security_group_id).toMatch(/alb-sg/);
    const toInstances = ingress.filter((r) => String(r.security_group_id).includes('instance-sg'));
    expect(toInstances).toEqual([
      expect.objectContaining({
        from_port: DYNAMIC_PORTS.from,
        to_port: 65535,
        referenced_security_group_id: expect.stringMatching(/alb-sg.*\.id\}$/),
      }),
    ]);
    expect(DYNAMIC_PORTS.from).toBe(32768);
  });

  test('target group: health check path, matcher 200-399, deregistration delay', () => {
    const { stack } = testStack();
    new EcsLoadBalancer(
      stack,
      'lb',
      lbProps({ healthCheckPath: '/health', deregistrationDelaySeconds: 20 }),
    );
    expect(only(synthJson(stack), 'aws_lb_target_group')).toMatchObject({
      target_type: 'instance',
      deregistration_delay: '20',
      health_check: { path: '/health', matcher: '200-399', port: 'traffic-port' },
    });
  });

  test('without a certificate: HTTP forwards, no HTTPS listener, no redirect', () => {
    const { stack } = testStack();
    new EcsLoadBalancer(stack, 'lb', lbProps());
    const json = synthJson(stack);
    const listeners = Object.values(resources(json, 'aws_lb_listener'));
    expect(listeners.find((l) => l.port === 80)?.default_action).toEqual([
      { type: 'forward', target_group_arn: expect.stringMatching(/aws_lb_target_group/) },
    ]);
    expect(listeners.find((l) => l.port === 443)?.count).toBe('${false ? 1 : 0}');
    expect(only(json, 'aws_lb_listener_rule').count).toBe('${false ? 1 : 0}');
  });

  test('a certificate variable switches on HTTPS and the HTTP->HTTPS redirect by count', () => {
    const { stack } = testStack();
    const cert = new TerraformVariable(stack, 'cert', { type: 'string', default: '' }).stringValue;
    new EcsLoadBalancer(stack, 'lb', lbProps({ certificateArn: cert }));
    const json = synthJson(stack);
    const https = Object.values(resources(json, 'aws_lb_listener')).find((l) => l.port === 443);
    expect(https).toMatchObject({
      count: '${var.cert != "" ? 1 : 0}',
      protocol: 'HTTPS',
      certificate_arn: '${var.cert}',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    expect(only(json, 'aws_lb_listener_rule')).toMatchObject({
      count: '${var.cert != "" ? 1 : 0}',
      priority: 1,
      condition: [{ path_pattern: { values: ['/*'] } }],
      action: [
        { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
      ],
    });
  });

  test.each([
    [
      { name: 'a-name-much-too-long-for-an-alb' },
      'name must be 1-22 lowercase letters, digits or "-"',
    ],
    [{ healthCheckPath: 'health' }, 'healthCheckPath must start with "/", got "health"'],
    [
      { deregistrationDelaySeconds: 4000 },
      'deregistrationDelaySeconds must be a whole number from 0 to 3600, got 4000',
    ],
    [
      { network: { ...NETWORK, publicSubnetIds: ['subnet-1'] } },
      'network.publicSubnetIds needs at least two subnets in different AZs, got ["subnet-1"]',
    ],
  ] as Array<[Partial<EcsLoadBalancerProps>, string]>)('rejects %j', (props, message) => {
    expect(() => new EcsLoadBalancer(testStack().stack, 'lb', lbProps(props))).toThrow(message);
  });
});

describe('EcsWebService', () => {
  test('one bridge-mode container on a dynamic host port, with CPU and soft/hard memory limits', () => {
    const { stack } = testStack();
    service(stack, { cpu: 512, memoryMib: 1024, memoryReservationMib: 768 });
    const json = synthJson(stack);
    expect(only(json, 'aws_ecs_task_definition')).toMatchObject({
      network_mode: 'bridge',
      requires_compatibilities: ['EC2'],
    });
    const container = containerOf(json);
    expect(container).toContain(
      '"portMappings" = [{"containerPort" = 80, "hostPort" = 0, "protocol" = "tcp"}]',
    );
    expect(container).toContain('"cpu" = 512, "memory" = 1024, "memoryReservation" = 768');
  });

  test('container health check and awslogs to a log group with the stack retention', () => {
    const { stack } = testStack();
    service(stack);
    const json = synthJson(stack);
    const container = containerOf(json);
    expect(container).toContain(
      '"healthCheck" = {"command" = ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]',
    );
    expect(container).toContain('"logDriver" = "awslogs"');
    expect(container).toContain('"awslogs-group" = "/ecs/${var.name_prefix}-web"');
    expect(only(json, 'aws_cloudwatch_log_group')).toMatchObject({
      name: '/ecs/${var.name_prefix}-web',
      retention_in_days: '${var.log_retention_days}',
    });
  });

  test('circuit breaker with rollback, deployment percents, grace period, AZ spread then binpack memory', () => {
    const { stack } = testStack();
    service(stack, {
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 150,
      healthCheckGracePeriodSeconds: 90,
      desiredCount: 3,
    });
    expect(only(synthJson(stack), 'aws_ecs_service')).toMatchObject({
      launch_type: 'EC2',
      desired_count: 3,
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 50,
      deployment_maximum_percent: 150,
      health_check_grace_period_seconds: 90,
      ordered_placement_strategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'binpack', field: 'memory' },
      ],
      load_balancer: [{ container_name: CONTAINER_NAME, container_port: 80 }],
      lifecycle: { ignore_changes: ['desired_count'] },
      depends_on: [expect.stringMatching(/^aws_lb_listener\./)],
    });
  });

  test('capacity provider placement instead of a launch type', () => {
    const { stack } = testStack();
    service(stack, {
      placement: { capacityProviderStrategy: [{ capacityProvider: 'cp', base: 1, weight: 1 }] },
    });
    const svc = only(synthJson(stack), 'aws_ecs_service');
    expect(svc.launch_type).toBeUndefined();
    expect(svc.capacity_provider_strategy).toEqual([
      { capacity_provider: 'cp', base: 1, weight: 1 },
    ]);
  });

  test('no registry secret: no repositoryCredentials, no execution role', () => {
    const { stack } = testStack();
    service(stack);
    const json = synthJson(stack);
    expect(containerOf(json)).toContain('"repositoryCredentials" = null');
    const role = Object.values(resources(json, 'aws_iam_role')).find((r) =>
      String(r.name).endsWith('-execution'),
    );
    expect(role?.count).toBe('${false ? 1 : 0}');
  });

  test('a registry secret: repositoryCredentials, and an execution role that may read only it', () => {
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry-AbCdEf';
    const { stack } = testStack();
    service(stack, { privateRegistrySecretArn: secret });
    const json = synthJson(stack);
    expect(containerOf(json)).toContain(
      `"repositoryCredentials" = {"credentialsParameter" = "${secret}"}`,
    );
    const policy = Object.values(resources(json, 'aws_iam_role_policy')).find(
      (p) => p.name === 'registry-credentials',
    );
    expect(policy?.count).toBe('${true ? 1 : 0}');
    expect(JSON.parse(policy?.policy as string).Statement).toEqual([
      {
        Sid: 'ReadRegistryCredentials',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: secret,
      },
    ]);
    expect(only(json, 'aws_ecs_task_definition').execution_role_arn).toMatch(
      /^\$\{true \? one\(aws_iam_role\..*\[\*\]\.arn\) : null\}$/,
    );
  });

  test('a registry secret variable switches both by count and condition', () => {
    const { stack } = testStack();
    const secret = new TerraformVariable(stack, 'secret', { type: 'string', default: '' })
      .stringValue;
    service(stack, { privateRegistrySecretArn: secret });
    const json = synthJson(stack);
    expect(containerOf(json)).toContain(
      '"repositoryCredentials" = (length(var.secret) >= 1) ? {"credentialsParameter" = var.secret} : null',
    );
    expect(only(json, 'aws_ecs_task_definition').execution_role_arn).toMatch(
      /^\$\{var\.secret != "" \? one\(/,
    );
  });

  test.each([
    [
      { memoryMib: 256, memoryReservationMib: 512 },
      'memoryReservationMib (512 MiB, soft) must not exceed memoryMib (256 MiB, hard)',
    ],
    [
      { stopTimeoutSeconds: 300 },
      'stopTimeoutSeconds must be a whole number from 2 to 120, got 300',
    ],
    [
      { deploymentMaximumPercent: 50 },
      'deploymentMaximumPercent must be a whole number from 100 to 400, got 50',
    ],
    [
      { deploymentMinimumHealthyPercent: 101 },
      'deploymentMinimumHealthyPercent must be a whole number from 0 to 100, got 101',
    ],
    [{ cpu: 1.5 }, 'cpu must be a whole number from 0 to 10240, got 1.5'],
  ] as Array<[Partial<EcsWebServiceProps>, string]>)('rejects %j', (props, message) => {
    expect(() => service(testStack().stack, props)).toThrow(message);
  });

  test('checks soft <= hard memory given as variables with a precondition showing both', () => {
    const { stack } = testStack();
    service(stack, {
      memoryMib: numberVar(stack, 'hard', 512),
      memoryReservationMib: numberVar(stack, 'soft', 256),
    });
    expect(only(synthJson(stack), 'aws_ecs_task_definition').lifecycle).toEqual({
      precondition: [
        {
          condition: '${var.soft <= var.hard}',
          error_message:
            "The container's soft memory limit (${var.soft} MiB) must not exceed its hard limit (${var.hard} MiB).",
        },
      ],
    });
  });

  test('the cluster has Container Insights', () => {
    const { stack } = testStack();
    service(stack);
    expect(only(synthJson(stack), 'aws_ecs_cluster').setting).toEqual([
      { name: 'containerInsights', value: 'enabled' },
    ]);
  });
});

describe('EcsServiceScalingTarget', () => {
  test('scales the service desired count between min and max', () => {
    const { stack } = testStack();
    const { cluster, svc } = service(stack);
    new EcsServiceScalingTarget(stack, 'scaling', {
      clusterName: cluster.clusterName,
      service: svc,
      minTasks: 2,
      maxTasks: 6,
    });
    expect(only(synthJson(stack), 'aws_appautoscaling_target')).toMatchObject({
      service_namespace: 'ecs',
      scalable_dimension: 'ecs:service:DesiredCount',
      resource_id: 'service/${var.name_prefix}-demo/${var.name_prefix}-web',
      min_capacity: 2,
      max_capacity: 6,
    });
  });

  test('rejects min above max with both values', () => {
    const { stack } = testStack();
    const { cluster, svc } = service(stack);
    expect(
      () =>
        new EcsServiceScalingTarget(stack, 'scaling', {
          clusterName: cluster.clusterName,
          service: svc,
          minTasks: 5,
          maxTasks: 3,
        }),
    ).toThrow('minTasks (5) must not exceed maxTasks (3)');
  });
});

describe('policy checks: launch template volumes', () => {
  test('pass for EcsLaunchTemplate (encrypted gp3 root)', () => {
    const { stack } = testStack();
    launchTemplate(stack);
    expect(() => synthJson(stack)).not.toThrow();
  });

  test('fail a launch template that maps no volume (the AMI decides encryption)', () => {
    const { stack } = testStack();
    new LaunchTemplate(stack, 'bare', { name: 'bare' });
    expect(() => synthJson(stack)).toThrow(
      /data store .*bare is not encrypted: set block_device_mappings/,
    );
  });

  test('fail a launch template with an unencrypted EBS volume', () => {
    const { stack } = testStack();
    new LaunchTemplate(stack, 'plain', {
      name: 'plain',
      blockDeviceMappings: [
        { deviceName: '/dev/xvda', ebs: { encrypted: 'true' } },
        { deviceName: '/dev/xvdb', ebs: { volumeSize: 10 } },
      ],
    });
    expect(() => synthJson(stack)).toThrow(/plain is not encrypted/);
  });
});
