import { TerraformOutput } from 'cdktf';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTerraform } from '../../scripts/terraform-env';
import {
  DEFAULT_INTERFACE_ENDPOINTS,
  Network,
  type NetworkProps,
} from '../../stacks/platform/network';
import { NETWORK_VARIABLES } from '../../stacks/platform/network-variables';
import { only, resources, synthJson, testStack, type TfJson } from '../support/synth';

interface Synthed {
  json: TfJson & { locals?: Record<string, string> };
  network: Network;
}

function synthNetwork(props: NetworkProps = {}): Synthed {
  const { stack } = testStack();
  const network = new Network(stack, 'network', props);
  // A consumer of the block's outputs, as a stack would use them.
  new TerraformOutput(stack, 'consumer', {
    value: {
      vpc: network.vpcId,
      private: network.privateSubnetIds,
      public: network.publicSubnetIds,
      cidr: network.vpcCidr,
    },
  });
  return { json: synthJson(stack) as Synthed['json'], network };
}

/** The one resource of a type whose construct id (in its logical id) matches. */
function byId(json: TfJson, type: string, id: string): Record<string, unknown> {
  const found = Object.entries(resources(json, type)).filter(([name]) =>
    name.startsWith(`network_${id}_`),
  );
  if (found.length !== 1) throw new Error(`expected one ${type} ${id}, found ${found.length}`);
  return found[0]![1];
}

function localOf(json: Synthed['json'], name: string): string | undefined {
  return json.locals?.[`network_${name}`];
}

describe('Network: variables', () => {
  const { json } = synthNetwork();

  test('declares the shared variables with fixed names', () => {
    expect(Object.keys(json.variable)).toEqual(expect.arrayContaining([...NETWORK_VARIABLES]));
  });

  test("defaults: a created VPC 10.0.0.0/16 in the region's a and b zones, egress through endpoints", () => {
    expect({
      vpc_cidr: json.variable.vpc_cidr?.default,
      availability_zones: json.variable.availability_zones?.default,
      egress_mode: json.variable.egress_mode?.default,
      single_nat_gateway: json.variable.single_nat_gateway?.default,
      existing_vpc_id: json.variable.existing_vpc_id?.default,
      existing_private_subnet_ids: json.variable.existing_private_subnet_ids?.default,
      existing_public_subnet_ids: json.variable.existing_public_subnet_ids?.default,
    }).toEqual({
      vpc_cidr: '10.0.0.0/16',
      availability_zones: [],
      egress_mode: 'endpoints',
      single_nat_gateway: false,
      existing_vpc_id: '',
      existing_private_subnet_ids: [],
      existing_public_subnet_ids: [],
    });
    expect(localOf(json, 'availability_zones')).toBe(
      '${length(var.availability_zones) > 0 ? var.availability_zones : [format("%sa", var.region), format("%sb", var.region)]}',
    );
  });

  test('egress_mode accepts only nat, endpoints and none', () => {
    const validation = (json.variable.egress_mode as { validation: Array<{ condition: string }> })
      .validation[0];
    expect(validation?.condition).toBe(
      '${contains(["nat", "endpoints", "none"], var.egress_mode)}',
    );
  });

  test.each(['vpc_cidr', 'availability_zones', 'existing_vpc_id', 'existing_private_subnet_ids'])(
    '%s has a validation rule written as a ${...} expression',
    (name) => {
      const spec = json.variable[name] as { validation?: Array<{ condition: string }> };
      expect(spec.validation?.[0]?.condition).toMatch(/^\$\{.*\}$/);
    },
  );
});

describe('Network: created VPC (existing_vpc_id empty)', () => {
  const { json } = synthNetwork();

  test('every resource of the block is switched by a count expression', () => {
    const counted = Object.entries(json.resource).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([name]) => name.startsWith('network_'))
        .map(([name, r]) => [`${type}.${name}`, typeof r.count] as const),
    );
    expect(counted.length).toBeGreaterThan(10);
    expect(counted.filter(([, count]) => count !== 'string')).toEqual([]);
  });

  test('the VPC exists only when existing_vpc_id is empty, with DNS support for private endpoints', () => {
    expect(localOf(json, 'create_vpc')).toBe('${var.existing_vpc_id == ""}');
    expect(only(json, 'aws_vpc')).toMatchObject({
      count: '${local.network_create_vpc ? 1 : 0}',
      cidr_block: '${var.vpc_cidr}',
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
  });

  test('one private subnet per AZ, carved from vpc_cidr', () => {
    expect(byId(json, 'aws_subnet', 'private')).toMatchObject({
      count: '${local.network_create_vpc ? length(local.network_availability_zones) : 0}',
      availability_zone: '${local.network_availability_zones[count.index]}',
      cidr_block: '${cidrsubnet(var.vpc_cidr, 4, count.index)}',
    });
  });

  test('public subnets exist only for NAT unless the props ask for them', () => {
    expect(localOf(json, 'create_public_subnets')).toBe(
      '${local.network_create_vpc && var.egress_mode == "nat"}',
    );
    expect(byId(json, 'aws_subnet', 'public')).toMatchObject({
      count:
        '${local.network_create_public_subnets ? length(local.network_availability_zones) : 0}',
      cidr_block: '${cidrsubnet(var.vpc_cidr, 4, 8 + count.index)}',
      map_public_ip_on_launch: false,
    });
  });

  test('publicSubnets: true creates public subnets whatever the egress mode', () => {
    const { json: withPublic } = synthNetwork({ publicSubnets: true });
    expect(localOf(withPublic, 'create_public_subnets')).toBe('${local.network_create_vpc}');
  });

  test('the default security group of the VPC allows nothing', () => {
    const sg = only(json, 'aws_default_security_group');
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });
});

describe('Network: egress', () => {
  const { json } = synthNetwork();

  test('nat: one NAT gateway per AZ, or a single one', () => {
    expect(localOf(json, 'create_nat')).toBe(
      '${local.network_create_vpc && var.egress_mode == "nat"}',
    );
    expect(only(json, 'aws_nat_gateway')).toMatchObject({
      count:
        '${local.network_create_nat ? (var.single_nat_gateway ? 1 : length(local.network_availability_zones)) : 0}',
      subnet_id: expect.stringMatching(
        /^\$\{aws_subnet\.network_public_\w+\[count\.index\]\.id\}$/,
      ),
    });
    expect(only(json, 'aws_eip').count).toBe(only(json, 'aws_nat_gateway').count);
  });

  test("nat: each private route table sends 0.0.0.0/0 to its AZ's NAT gateway, or to the single one", () => {
    expect(byId(json, 'aws_route', 'private-default-route')).toMatchObject({
      count: '${local.network_create_nat ? length(local.network_availability_zones) : 0}',
      destination_cidr_block: '0.0.0.0/0',
      nat_gateway_id: expect.stringContaining('[var.single_nat_gateway ? 0 : count.index].id'),
    });
  });

  test('endpoints: the default interface endpoints, with private DNS, in the private subnets', () => {
    expect(localOf(json, 'create_interface_endpoints')).toBe(
      '${local.network_create_vpc && var.egress_mode == "endpoints"}',
    );
    const endpoints = Object.values(resources(json, 'aws_vpc_endpoint'));
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(
      DEFAULT_INTERFACE_ENDPOINTS.map((s) => `com.amazonaws.\${var.region}.${s}`).sort(),
    );
    expect(DEFAULT_INTERFACE_ENDPOINTS).toEqual([
      'ec2',
      'secretsmanager',
      'logs',
      'monitoring',
      'sts',
    ]);
    for (const endpoint of endpoints) {
      expect(endpoint).toMatchObject({
        count: '${local.network_create_interface_endpoints ? 1 : 0}',
        vpc_endpoint_type: 'Interface',
        private_dns_enabled: true,
        subnet_ids: expect.stringMatching(/^\$\{aws_subnet\.network_private_\w+\[\*\]\.id\}$/),
        security_group_ids: [expect.stringMatching(/aws_security_group\.network_endpoints-sg_\w+/)],
      });
    }
  });

  test('endpoints: their security group admits HTTPS from the VPC CIDR only', () => {
    expect(only(json, 'aws_vpc_security_group_ingress_rule')).toMatchObject({
      count: '${local.network_create_interface_endpoints ? 1 : 0}',
      ip_protocol: 'tcp',
      from_port: 443,
      to_port: 443,
      cidr_ipv4: '${var.vpc_cidr}',
    });
  });

  test('ECS stacks can add interface endpoints and a free S3 gateway endpoint', () => {
    const { json: ecs } = synthNetwork({
      interfaceEndpoints: [...DEFAULT_INTERFACE_ENDPOINTS, 'ecs', 'ecr.api', 'ecr.dkr'],
      gatewayEndpoints: ['s3'],
    });
    const endpoints = Object.values(resources(ecs, 'aws_vpc_endpoint'));
    expect(endpoints.map((e) => e.service_name)).toEqual(
      expect.arrayContaining([
        'com.amazonaws.${var.region}.ecs',
        'com.amazonaws.${var.region}.ecr.api',
        'com.amazonaws.${var.region}.ecr.dkr',
      ]),
    );
    expect(byId(ecs, 'aws_vpc_endpoint', 'gateway-s3')).toMatchObject({
      count: '${local.network_create_vpc ? 1 : 0}',
      vpc_endpoint_type: 'Gateway',
      route_table_ids: expect.stringMatching(
        /^\$\{aws_route_table\.network_private-routes_\w+\[\*\]\.id\}$/,
      ),
    });
  });
});

describe('Network: outputs pick the created or the existing values', () => {
  const { json } = synthNetwork();
  const consumer = (json.output?.consumer as { value: Record<string, unknown> }).value;

  test('vpcId', () => {
    expect(consumer.vpc).toMatch(
      /^\$\{var\.existing_vpc_id != "" \? var\.existing_vpc_id : one\(aws_vpc\.network_vpc_\w+\[\*\]\.id\)\}$/,
    );
  });

  test('privateSubnetIds and publicSubnetIds', () => {
    expect(consumer.private).toMatch(
      /^\$\{var\.existing_vpc_id != "" \? var\.existing_private_subnet_ids : aws_subnet\.network_private_\w+\[\*\]\.id\}$/,
    );
    expect(consumer.public).toMatch(
      /^\$\{var\.existing_vpc_id != "" \? var\.existing_public_subnet_ids : aws_subnet\.network_public_\w+\[\*\]\.id\}$/,
    );
  });

  test('vpcCidr is vpc_cidr in both modes', () => {
    expect(consumer.cidr).toBe('${var.vpc_cidr}');
  });

  test('a plan-time precondition keeps the existing-VPC variables consistent', () => {
    const output = json.output?.vpc_id as {
      precondition: Array<{ condition: string; error_message: string }>;
    };
    expect(output.precondition[0]?.condition).toBe(
      '${var.existing_vpc_id == "" ? length(var.existing_private_subnet_ids) + length(var.existing_public_subnet_ids) == 0 : length(var.existing_private_subnet_ids) >= 2}',
    );
  });

  test('with publicSubnets, the existing VPC must bring public subnets too', () => {
    const { json: withPublic } = synthNetwork({ publicSubnets: true });
    const output = withPublic.output?.vpc_id as { precondition: Array<{ condition: string }> };
    expect(output.precondition[0]?.condition).toContain(
      '&& length(var.existing_public_subnet_ids) >= 2',
    );
  });
});

describe('Network: props validation', () => {
  test.each([
    [{ interfaceEndpoints: ['EC2'] }, /interfaceEndpoints: "EC2" is not a service short name/],
    [{ interfaceEndpoints: ['com.amazonaws.us-east-1.ec2 '] }, /"com\.amazonaws\.us-east-1\.ec2 "/],
    [{ interfaceEndpoints: ['ec2', 'sts', 'ec2'] }, /interfaceEndpoints lists ec2 more than once/],
    [{ gatewayEndpoints: ['sqs'] }, /gatewayEndpoints: "sqs" has no gateway endpoint/],
    [{ gatewayEndpoints: ['s3', 's3'] }, /gatewayEndpoints lists s3 more than once/],
    [
      { interfaceEndpoints: ['s3'], gatewayEndpoints: ['s3'] },
      /s3 is both an interface and a gateway endpoint/,
    ],
  ])('rejects %j with a message showing the bad value', (props, message) => {
    const { stack } = testStack();
    expect(() => new Network(stack, 'network', props as NetworkProps)).toThrow(message);
  });

  test('rejects a second Network in the same stack', () => {
    const { stack } = testStack();
    new Network(stack, 'network');
    expect(() => new Network(stack, 'network-2')).toThrow(/stack test-stack already has a Network/);
  });
});

// The count expressions above are Terraform's to evaluate: a provider-less configuration of the block's
// variables, locals and counts is applied offline (no init, no provider, no AWS) for each mode.
const terraform = findTerraform();
if (!terraform && process.env.CI === 'true')
  throw new Error('terraform CLI is mandatory under CI for the network count tests');
const describeTerraform = terraform ? describe : describe.skip;

/** Resource count per `<type>.<construct id>` of the block, as Terraform evaluates them for `vars`. */
function evaluateCounts(
  json: Synthed['json'],
  vars: Record<string, unknown>,
): Record<string, number> {
  const output: Record<string, { value: unknown }> = {};
  for (const [type, byName] of Object.entries(json.resource)) {
    for (const [name, r] of Object.entries(byName)) {
      const id = /^network_(.+)_[0-9A-F]{8}$/.exec(name)?.[1];
      if (id && typeof r.count === 'string')
        output[`${type}.${id}`.replace(/\./g, '__')] = { value: r.count };
    }
  }
  // The block's plan-time precondition (on output vpc_id) only reads variables: checked here too.
  const vpcOutput = json.output?.vpc_id as { precondition?: unknown } | undefined;
  output.existing_vpc_check = { value: 0, precondition: vpcOutput?.precondition } as never;
  const dir = mkdtempSync(join(tmpdir(), 'network-counts-'));
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify({ variable: json.variable, locals: json.locals, output }),
  );
  writeFileSync(
    join(dir, 'test.tfvars.json'),
    JSON.stringify({ account_id: '123456789012', ...vars }),
  );
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: '/dev/null',
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
  };
  try {
    execFileSync(
      terraform!,
      [
        `-chdir=${dir}`,
        'apply',
        '-auto-approve',
        '-input=false',
        '-no-color',
        '-var-file=test.tfvars.json',
      ],
      { env, stdio: 'pipe' },
    );
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(
      `${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`.replace(/\s+/g, ' '),
    );
  }
  const outputs = JSON.parse(
    execFileSync(terraform!, [`-chdir=${dir}`, 'output', '-json'], { env }).toString(),
  ) as Record<string, { value: number }>;
  return Object.fromEntries(
    Object.entries(outputs)
      .map(([k, v]) => [k.replace(/__/g, '.'), v.value] as const)
      .filter(([, v]) => v > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

describeTerraform('Network: what each mode creates (counts evaluated by Terraform)', () => {
  const { json } = synthNetwork();
  const THREE_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

  test("endpoints (default): VPC, private subnets in the region's a and b zones, five interface endpoints", () => {
    expect(evaluateCounts(json, {})).toEqual({
      'aws_default_security_group.default-sg': 1,
      'aws_route_table.private-routes': 2,
      'aws_route_table_association.private-routes-assoc': 2,
      'aws_security_group.endpoints-sg': 1,
      'aws_subnet.private': 2,
      'aws_vpc.vpc': 1,
      'aws_vpc_endpoint.endpoint-ec2': 1,
      'aws_vpc_endpoint.endpoint-logs': 1,
      'aws_vpc_endpoint.endpoint-monitoring': 1,
      'aws_vpc_endpoint.endpoint-secretsmanager': 1,
      'aws_vpc_endpoint.endpoint-sts': 1,
      'aws_vpc_security_group_ingress_rule.endpoints-https': 1,
    });
  });

  test('nat: public subnets, an internet gateway and one NAT gateway per AZ; no endpoints', () => {
    expect(evaluateCounts(json, { egress_mode: 'nat', availability_zones: THREE_AZS })).toEqual({
      'aws_default_security_group.default-sg': 1,
      'aws_eip.nat-ip': 3,
      'aws_internet_gateway.igw': 1,
      'aws_nat_gateway.nat': 3,
      'aws_route.private-default-route': 3,
      'aws_route.public-default-route': 1,
      'aws_route_table.private-routes': 3,
      'aws_route_table.public-routes': 1,
      'aws_route_table_association.private-routes-assoc': 3,
      'aws_route_table_association.public-routes-assoc': 3,
      'aws_subnet.private': 3,
      'aws_subnet.public': 3,
      'aws_vpc.vpc': 1,
    });
  });

  test('nat with single_nat_gateway: one NAT gateway that every private route table uses', () => {
    const counts = evaluateCounts(json, {
      egress_mode: 'nat',
      single_nat_gateway: true,
      availability_zones: THREE_AZS,
    });
    expect(counts).toMatchObject({
      'aws_nat_gateway.nat': 1,
      'aws_eip.nat-ip': 1,
      'aws_route.private-default-route': 3,
    });
  });

  test('none: only the VPC and its private subnets', () => {
    expect(evaluateCounts(json, { egress_mode: 'none' })).toEqual({
      'aws_default_security_group.default-sg': 1,
      'aws_route_table.private-routes': 2,
      'aws_route_table_association.private-routes-assoc': 2,
      'aws_subnet.private': 2,
      'aws_vpc.vpc': 1,
    });
  });

  test('publicSubnets: public subnets and an internet gateway without NAT', () => {
    const { json: withPublic } = synthNetwork({ publicSubnets: true });
    expect(evaluateCounts(withPublic, {})).toMatchObject({
      'aws_subnet.public': 2,
      'aws_internet_gateway.igw': 1,
      'aws_route.public-default-route': 1,
    });
    expect(evaluateCounts(withPublic, {})['aws_nat_gateway.nat']).toBeUndefined();
  });

  test.each(['endpoints', 'nat', 'none'])(
    'existing VPC (egress_mode %s): nothing is created',
    (mode) => {
      expect(
        evaluateCounts(json, {
          egress_mode: mode,
          existing_vpc_id: 'vpc-0123456789abcdef0',
          existing_private_subnet_ids: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        }),
      ).toEqual({});
    },
  );

  test.each([
    [{ vpc_cidr: '10.0.0.1/16' }, /vpc_cidr must be an IPv4 network address/],
    [{ vpc_cidr: '10.0.0.0/24' }, /var\.vpc_cidr is "10\.0\.0\.0\/24"/],
    [{ availability_zones: ['us-east-1a'] }, /availability_zones must be empty or list 2 to 6/],
    [{ availability_zones: ['us-east-1a', 'us-east-1a'] }, /different zone names/],
    [
      { egress_mode: 'vpn' },
      /var\.egress_mode is "vpn".*egress_mode must be one of "nat", "endpoints", "none"/,
    ],
    [{ existing_vpc_id: 'vpc-123' }, /var\.existing_vpc_id is "vpc-123"/],
    [{ existing_private_subnet_ids: ['subnet-0123456789abcdef0'] }, /at least two subnet ids/],
    [
      { existing_private_subnet_ids: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] },
      /existing_private_subnet_ids and existing_public_subnet_ids need existing_vpc_id/,
    ],
    [
      { existing_vpc_id: 'vpc-0123456789abcdef0' },
      /with existing_vpc_id, give at least two private subnets/,
    ],
  ])('Terraform rejects %j, showing the bad value', (vars, message) => {
    expect(() => evaluateCounts(json, vars)).toThrow(message);
  });
});
