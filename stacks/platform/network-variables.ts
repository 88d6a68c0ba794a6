import { TerraformVariable } from 'cdktf';
import type { OpsStack } from './ops-stack';

const EGRESS_MODES = ['nat', 'endpoints', 'none'] as const;

/** The variables every stack using the block declares, with identical names, defaults and meaning. */
export const NETWORK_VARIABLES = [
  'vpc_cidr',
  'availability_zones',
  'egress_mode',
  'single_nat_gateway',
  'existing_vpc_id',
  'existing_private_subnet_ids',
  'existing_public_subnet_ids',
] as const;

const MAX_AZS = 6;

/** The Network block's variables: one set per stack that has a Network. */
export function declareNetworkVariables(stack: OpsStack): void {
  new TerraformVariable(stack, 'vpc_cidr', {
    type: 'string',
    default: '10.0.0.0/16',
    description:
      "IPv4 CIDR of the VPC the stack creates (a /16 to /22; each subnet gets a sixteenth). With existing_vpc_id: the existing VPC's CIDR.",
    validation: [
      {
        condition:
          '${can(regex("^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+/(1[6-9]|2[0-2])$", var.vpc_cidr)) && try(cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0], false)}',
        errorMessage:
          'vpc_cidr must be an IPv4 network address with a prefix from /16 to /22, like "10.0.0.0/16" (no host bits set).',
      },
    ],
  });
  new TerraformVariable(stack, 'availability_zones', {
    type: 'list(string)',
    default: [],
    description: `AZs of the created subnets, ${2} to ${MAX_AZS} (e.g. ["us-east-1a", "us-east-1b"]); empty for the region's "a" and "b" zones.`,
    validation: [
      {
        condition: `\${(length(var.availability_zones) == 0 || (length(var.availability_zones) >= 2 && length(var.availability_zones) <= ${MAX_AZS})) && length(distinct(var.availability_zones)) == length(var.availability_zones) && alltrue([for az in var.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$", az))])}`,
        errorMessage: `availability_zones must be empty or list ${2} to ${MAX_AZS} different zone names like "us-east-1a".`,
      },
    ],
  });
  new TerraformVariable(stack, 'egress_mode', {
    type: 'string',
    default: 'endpoints',
    description:
      'How the private subnets reach AWS APIs: "nat" (NAT gateways), "endpoints" (interface endpoints only) or "none".',
    validation: [
      {
        condition: `\${contains([${EGRESS_MODES.map((m) => `"${m}"`).join(', ')}], var.egress_mode)}`,
        errorMessage: `egress_mode must be one of ${EGRESS_MODES.map((m) => `"${m}"`).join(', ')}.`,
      },
    ],
  });
  new TerraformVariable(stack, 'single_nat_gateway', {
    type: 'bool',
    default: false,
    description:
      'With egress_mode "nat": one NAT gateway for all AZs (cheaper, but egress fails with its AZ) instead of one per AZ.',
  });
  new TerraformVariable(stack, 'existing_vpc_id', {
    type: 'string',
    default: '',
    description:
      'Run in this existing VPC (with existing_private_subnet_ids) and create no network; empty to create one.',
    validation: [
      {
        condition:
          '${var.existing_vpc_id == "" || can(regex("^vpc-[0-9a-f]{8,17}$", var.existing_vpc_id))}',
        errorMessage: 'existing_vpc_id must be empty or a VPC id like "vpc-0123456789abcdef0".',
      },
    ],
  });
  for (const tier of ['private', 'public'] as const) {
    const name = `existing_${tier}_subnet_ids`;
    new TerraformVariable(stack, name, {
      type: 'list(string)',
      default: [],
      description:
        tier === 'private'
          ? 'With existing_vpc_id: its private subnets (at least two, in different AZs) for databases and functions.'
          : 'With existing_vpc_id: its public subnets (at least two), for the stacks that need them (load balancers).',
      validation: [
        {
          condition: `\${length(var.${name}) != 1 && alltrue([for id in var.${name} : can(regex("^subnet-[0-9a-f]{8,17}$", id))])}`,
          errorMessage: `${name} must be empty or list at least two subnet ids like "subnet-0123456789abcdef0".`,
        },
      ],
    });
  }
}
