import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformLocal, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { declareNetworkVariables, NETWORK_VARIABLES } from './network-variables';
import { OpsStack } from './ops-stack';

/** What a Lambda that calls EC2 and Secrets Manager and writes logs and metrics reaches without NAT. */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly string[] = [
  'ec2',
  'secretsmanager',
  'logs',
  'monitoring',
  'sts',
];

export const GATEWAY_ENDPOINT_SERVICES = ['s3', 'dynamodb'] as const;
export type GatewayEndpointService = (typeof GATEWAY_ENDPOINT_SERVICES)[number];

/** Each subnet is a /(prefix + 4) of vpc_cidr: private ones from index 0, public ones from index 8. */
const SUBNET_NEWBITS = 4;
const PUBLIC_SUBNET_OFFSET = 8;
const SERVICE_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

export interface NetworkProps {
  /**
   * Public subnets (with an internet gateway) whatever the egress mode, e.g. for a load balancer.
   * Egress mode "nat" creates them anyway, for the NAT gateways. In existing-VPC mode this requires
   * existing_public_subnet_ids.
   * @default false
   */
  readonly publicSubnets?: boolean;
  /**
   * Interface endpoints created in egress mode "endpoints", by service short name
   * (`com.amazonaws.<region>.<name>`), e.g. add "ecs", "ecs-agent", "ecs-telemetry", "ecr.api", "ecr.dkr", "ssm".
   * @default DEFAULT_INTERFACE_ENDPOINTS (ec2, secretsmanager, logs, monitoring, sts)
   */
  readonly interfaceEndpoints?: readonly string[];
  /**
   * Gateway endpoints (free of charge) on the private route tables of a created VPC, whatever the egress
   * mode, e.g. "s3" for ECR image layers.
   * @default [] (none)
   */
  readonly gatewayEndpoints?: readonly GatewayEndpointService[];
}

/**
 * The stack's network, chosen at plan time by variables: a VPC across `availability_zones` with one private
 * subnet per AZ (databases and functions) and public subnets only where needed, with egress through NAT
 * gateways, through interface endpoints, or none; or, when `existing_vpc_id` is set, an existing VPC and
 * its subnets, and nothing is created. Every resource has a `count`, so both modes plan from one synth.
 *
 * The outputs (`vpcId`, `privateSubnetIds`, `publicSubnetIds`, `vpcCidr`) are Terraform expressions that
 * pick the created or the existing values. One Network per stack: the variables are the stack's.
 */
export class Network extends Construct {
  /** Id of the created VPC, or existing_vpc_id. */
  readonly vpcId: string;
  /** One private subnet per AZ (created), or existing_private_subnet_ids. */
  readonly privateSubnetIds: string[];
  /** Public subnets (created when needed, else empty), or existing_public_subnet_ids. */
  readonly publicSubnetIds: string[];
  /** vpc_cidr: the created VPC's CIDR, or (existing mode) the existing VPC's, as the user states it. */
  readonly vpcCidr: string;
  /** The AZs the created subnets use (availability_zones, or the region's "a" and "b" zones). */
  readonly availabilityZones: string[];
  readonly interfaceEndpoints: readonly string[];
  readonly gatewayEndpoints: readonly GatewayEndpointService[];
  readonly publicSubnets: boolean;

  readonly vpc: Vpc;
  readonly privateSubnet: Subnet;
  readonly publicSubnet: Subnet;
  readonly natGateway: NatGateway;
  readonly endpointSecurityGroup: SecurityGroup;
  readonly endpoints: Readonly<Record<string, VpcEndpoint>>;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    const stack = OpsStack.of(this);
    this.publicSubnets = props.publicSubnets ?? false;
    this.interfaceEndpoints = props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS;
    this.gatewayEndpoints = props.gatewayEndpoints ?? [];
    validate(stack, this.interfaceEndpoints, this.gatewayEndpoints);

    declareNetworkVariables(stack);

    // Plan-time switches, as locals named after the block so the plan reads well.
    const local = (name: string, expression: string): string =>
      new TerraformLocal(stack, `network_${name}`, expression).toString();
    const createVpc = local('create_vpc', '${var.existing_vpc_id == ""}');
    const azs = local(
      'availability_zones',
      '${length(var.availability_zones) > 0 ? var.availability_zones : [format("%sa", var.region), format("%sb", var.region)]}',
    );
    const createPublic = local(
      'create_public_subnets',
      this.publicSubnets ? `\${${createVpc}}` : `\${${createVpc} && var.egress_mode == "nat"}`,
    );
    const createNat = local('create_nat', `\${${createVpc} && var.egress_mode == "nat"}`);
    const createEndpoints = local(
      'create_interface_endpoints',
      `\${${createVpc} && var.egress_mode == "endpoints"}`,
    );

    const n = (expression: string): number => Token.asNumber(`\${${expression}}`);
    const perAz = (flag: string): number => n(`${flag} ? length(${azs}) : 0`);
    const one = (flag: string): number => n(`${flag} ? 1 : 0`);
    const base = stack.name(stack.stackName);
    const nameTag = (suffix: string) => ({ Name: `${base}-${suffix}` });

    this.vpc = new Vpc(this, 'vpc', {
      count: one(createVpc),
      cidrBlock: '${var.vpc_cidr}',
      enableDnsSupport: true,
      enableDnsHostnames: true, // private DNS of interface endpoints needs both
      tags: nameTag('vpc'),
    });
    const vpcId = `\${one(${this.vpc.fqn}[*].id)}`;

    // The default security group allows nothing: every rule is explicit.
    new DefaultSecurityGroup(this, 'default-sg', { count: one(createVpc), vpcId });

    this.privateSubnet = new Subnet(this, 'private', {
      count: perAz(createVpc),
      vpcId,
      availabilityZone: `\${${azs}[count.index]}`,
      cidrBlock: `\${cidrsubnet(var.vpc_cidr, ${SUBNET_NEWBITS}, count.index)}`,
      tags: { Name: `${base}-private-\${${azs}[count.index]}`, tier: 'private' },
    });
    const privateRoutes = new RouteTable(this, 'private-routes', {
      count: perAz(createVpc),
      vpcId,
      tags: { Name: `${base}-private-\${${azs}[count.index]}` },
    });
    new RouteTableAssociation(this, 'private-routes-assoc', {
      count: perAz(createVpc),
      subnetId: `\${${this.privateSubnet.fqn}[count.index].id}`,
      routeTableId: `\${${privateRoutes.fqn}[count.index].id}`,
    });

    this.publicSubnet = new Subnet(this, 'public', {
      count: perAz(createPublic),
      vpcId,
      availabilityZone: `\${${azs}[count.index]}`,
      cidrBlock: `\${cidrsubnet(var.vpc_cidr, ${SUBNET_NEWBITS}, ${PUBLIC_SUBNET_OFFSET} + count.index)}`,
      mapPublicIpOnLaunch: false,
      tags: { Name: `${base}-public-\${${azs}[count.index]}`, tier: 'public' },
    });
    const igw = new InternetGateway(this, 'igw', {
      count: one(createPublic),
      vpcId,
      tags: nameTag('igw'),
    });
    const publicRoutes = new RouteTable(this, 'public-routes', {
      count: one(createPublic),
      vpcId,
      tags: nameTag('public'),
    });
    new Route(this, 'public-default-route', {
      count: one(createPublic),
      routeTableId: `\${one(${publicRoutes.fqn}[*].id)}`,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: `\${one(${igw.fqn}[*].id)}`,
    });
    new RouteTableAssociation(this, 'public-routes-assoc', {
      count: perAz(createPublic),
      subnetId: `\${${this.publicSubnet.fqn}[count.index].id}`,
      routeTableId: `\${one(${publicRoutes.fqn}[*].id)}`,
    });

    const natCount = n(`${createNat} ? (var.single_nat_gateway ? 1 : length(${azs})) : 0`);
    const natIp = new Eip(this, 'nat-ip', {
      count: natCount,
      domain: 'vpc',
      tags: { Name: `${base}-nat-\${${azs}[count.index]}` },
    });
    this.natGateway = new NatGateway(this, 'nat', {
      count: natCount,
      allocationId: `\${${natIp.fqn}[count.index].allocation_id}`,
      subnetId: `\${${this.publicSubnet.fqn}[count.index].id}`,
      tags: { Name: `${base}-nat-\${${azs}[count.index]}` },
      dependsOn: [igw],
    });
    new Route(this, 'private-default-route', {
      count: perAz(createNat),
      routeTableId: `\${${privateRoutes.fqn}[count.index].id}`,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: `\${${this.natGateway.fqn}[var.single_nat_gateway ? 0 : count.index].id}`,
    });

    this.endpointSecurityGroup = new SecurityGroup(this, 'endpoints-sg', {
      count: one(createEndpoints),
      name: `${base}-endpoints`,
      description: 'Interface endpoints: HTTPS from inside the VPC',
      vpcId,
      tags: nameTag('endpoints'),
    });
    const endpointSg = `\${one(${this.endpointSecurityGroup.fqn}[*].id)}`;
    new VpcSecurityGroupIngressRule(this, 'endpoints-https', {
      count: one(createEndpoints),
      securityGroupId: endpointSg,
      description: 'HTTPS from the VPC',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '${var.vpc_cidr}',
    });

    const endpoints: Record<string, VpcEndpoint> = {};
    for (const service of this.interfaceEndpoints) {
      endpoints[service] = new VpcEndpoint(this, `endpoint-${service}`, {
        count: one(createEndpoints),
        vpcId,
        serviceName: `com.amazonaws.${stack.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: Token.asList(`\${${this.privateSubnet.fqn}[*].id}`),
        securityGroupIds: [endpointSg],
        tags: nameTag(service),
      });
    }
    for (const service of this.gatewayEndpoints) {
      endpoints[service] = new VpcEndpoint(this, `gateway-${service}`, {
        count: one(createVpc),
        vpcId,
        serviceName: `com.amazonaws.${stack.region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: Token.asList(`\${${privateRoutes.fqn}[*].id}`),
        tags: nameTag(service),
      });
    }
    this.endpoints = endpoints;

    const existing = 'var.existing_vpc_id != ""';
    this.vpcId = Token.asString(
      `\${${existing} ? var.existing_vpc_id : one(${this.vpc.fqn}[*].id)}`,
    );
    this.privateSubnetIds = Token.asList(
      `\${${existing} ? var.existing_private_subnet_ids : ${this.privateSubnet.fqn}[*].id}`,
    );
    this.publicSubnetIds = Token.asList(
      `\${${existing} ? var.existing_public_subnet_ids : ${this.publicSubnet.fqn}[*].id}`,
    );
    this.vpcCidr = '${var.vpc_cidr}';
    this.availabilityZones = Token.asList(azs);

    const publicNeeded = this.publicSubnets
      ? ' && length(var.existing_public_subnet_ids) >= 2'
      : '';
    const vpcOutput = new TerraformOutput(stack, 'vpc_id', {
      value: this.vpcId,
      description: 'The VPC the stack runs in (created, or existing_vpc_id).',
    });
    // cdktf 0.21 drops TerraformOutput's `precondition` when rendering, so it is set as an override.
    // Terraform checks it at plan time: the existing-VPC variables must agree with each other.
    vpcOutput.addOverride('precondition', [
      {
        condition: `\${var.existing_vpc_id == "" ? length(var.existing_private_subnet_ids) + length(var.existing_public_subnet_ids) == 0 : length(var.existing_private_subnet_ids) >= 2${publicNeeded}}`,
        error_message: this.publicSubnets
          ? 'existing_private_subnet_ids and existing_public_subnet_ids need existing_vpc_id; with existing_vpc_id, give at least two private and two public subnets (in different AZs).'
          : 'existing_private_subnet_ids and existing_public_subnet_ids need existing_vpc_id; with existing_vpc_id, give at least two private subnets (in different AZs).',
      },
    ]);
    new TerraformOutput(stack, 'private_subnet_ids', {
      value: this.privateSubnetIds,
      description: 'Private subnets of the stack (created, or existing_private_subnet_ids).',
    });
  }
}

function validate(
  stack: OpsStack,
  interfaceEndpoints: readonly string[],
  gatewayEndpoints: readonly string[],
): void {
  if (stack.node.tryFindChild('vpc_cidr')) {
    throw new Error(
      `Network: stack ${stack.stackName} already has a Network (its variables ${NETWORK_VARIABLES.join(', ')} are per stack)`,
    );
  }
  for (const service of interfaceEndpoints) {
    if (!SERVICE_NAME.test(service))
      throw new Error(
        `Network interfaceEndpoints: "${service}" is not a service short name like "ecr.api" (com.amazonaws.<region>.<name>)`,
      );
  }
  const duplicates = (list: readonly string[]) => list.filter((s, i) => list.indexOf(s) !== i);
  if (duplicates(interfaceEndpoints).length > 0)
    throw new Error(
      `Network interfaceEndpoints lists ${duplicates(interfaceEndpoints).join(', ')} more than once`,
    );
  for (const service of gatewayEndpoints) {
    if (!(GATEWAY_ENDPOINT_SERVICES as readonly string[]).includes(service))
      throw new Error(
        `Network gatewayEndpoints: "${service}" has no gateway endpoint (only ${GATEWAY_ENDPOINT_SERVICES.join(', ')})`,
      );
  }
  if (duplicates(gatewayEndpoints).length > 0)
    throw new Error(
      `Network gatewayEndpoints lists ${duplicates(gatewayEndpoints).join(', ')} more than once`,
    );
  const both = interfaceEndpoints.filter((s) => gatewayEndpoints.includes(s));
  if (both.length > 0)
    throw new Error(
      `Network: ${both.join(', ')} is both an interface and a gateway endpoint; pick one`,
    );
}
