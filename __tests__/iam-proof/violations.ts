import { readTfvarsExample } from '../support/tfvars';
import type { IamRequest } from './engine';

/** A request derived from an allowed one that the statement's guard must refuse. */
export interface Violation {
  readonly why: string;
  readonly request: IamRequest;
}

type ConditionBlock = Record<string, Record<string, string | string[]>>;

const OTHER_ACCOUNT = '210987654321';
const OTHER_REGION = 'eu-west-3';

/** Another value of the same shape: an ARN of another account, or a plain value no policy names. */
function otherValue(value: string | string[] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value;
  if (first?.startsWith('arn:')) {
    const parts = first.split(':');
    return [...parts.slice(0, 4), OTHER_ACCOUNT, 'violating-resource'].join(':');
  }
  return 'violating-value';
}

function withContext(
  request: IamRequest,
  key: string,
  value: string | string[] | undefined,
): IamRequest {
  const context = { ...(request.context ?? {}) };
  if (value === undefined) delete context[key];
  else context[key] = value;
  return { ...request, context };
}

/**
 * For every key of every condition: the request with the key set to another value, and without the key.
 * Without the key is a violation unless the operator accepts absence (`...IfExists`, `ForAllValues:`).
 */
export function conditionViolations(block: ConditionBlock, request: IamRequest): Violation[] {
  const out: Violation[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    const base = operator.replace(/^(ForAnyValue|ForAllValues):/, '').replace(/IfExists$/, '');
    const absenceAllowed = operator.endsWith('IfExists') || operator.startsWith('ForAllValues:');
    for (const [key, expected] of Object.entries(keys)) {
      const multi = operator.startsWith('For');
      if (base === 'Null') {
        const mustExist = String(expected) === 'false';
        out.push({
          why: `${key} ${mustExist ? 'absent' : 'present'} (${operator})`,
          request: withContext(request, key, mustExist ? undefined : 'present'),
        });
        continue;
      }
      if (!/^(String|Arn|Bool)/.test(base))
        throw new Error(`no violation derivation for condition operator ${operator} yet`);
      const other = base.startsWith('Bool')
        ? String(String(expected) !== 'true')
        : otherValue(expected);
      out.push({
        why: `${key} = ${other} (${operator})`,
        request: withContext(request, key, multi ? [other] : other),
      });
      if (!absenceAllowed)
        out.push({
          why: `${key} absent (${operator})`,
          request: withContext(request, key, undefined),
        });
    }
  }
  return out;
}

/** Where each literal segment of a glob (`*`, `?`) starts in a string it matches, or undefined. */
function literalPositions(pattern: string, value: string): Array<[number, string]> | undefined {
  const segments = pattern.split(/[*?]/);
  const out: Array<[number, string]> = [];
  let at = 0;
  for (const [i, segment] of segments.entries()) {
    if (segment === '') continue;
    const last = i === segments.length - 1;
    const found =
      i === 0
        ? value.startsWith(segment)
          ? 0
          : -1
        : last
          ? value.lastIndexOf(segment)
          : value.indexOf(segment, at);
    if (found < at) return undefined;
    out.push([found, segment]);
    at = found + segment.length;
  }
  return out;
}

function bump(c: string): string {
  return c === 'a' ? 'b' : /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : 'a';
}

/**
 * For a request a scoped resource pattern allows: the same request in another account, another region, and
 * with each literal part of the resource id changed (its last letter or digit), each outside the pattern.
 * Widening the pattern (`table/x` to `table/*`, or to `*`) lets one of them through.
 */
export function resourceVariants(patterns: readonly string[], request: IamRequest): Violation[] {
  const arn = request.resource.split(':');
  if (arn.length < 6) return [];
  const out: Violation[] = [];
  for (const pattern of patterns) {
    const p = pattern.split(':');
    if (pattern === '*' || p.length < 6) continue;
    const region = p[3] as string;
    const account = p[4] as string;
    if (region !== '' && !/[*?]/.test(region) && arn[3] === region)
      out.push({
        why: `${pattern} in another region`,
        request: {
          ...request,
          resource: [...arn.slice(0, 3), OTHER_REGION, ...arn.slice(4)].join(':'),
        },
      });
    if (account !== '' && !/[*?]/.test(account) && arn[4] === account)
      out.push({
        why: `${pattern} in another account`,
        request: {
          ...request,
          resource: [...arn.slice(0, 4), OTHER_ACCOUNT, ...arn.slice(5)].join(':'),
        },
      });
    const resource = arn.slice(5).join(':');
    const patternResource = p.slice(5).join(':');
    // Only the id after the resource type (`table/`, `cluster:`) varies; a queue or topic ARN is all id.
    const typeEnd = patternResource.search(/[/:]/) + 1;
    const positions = literalPositions(patternResource, resource);
    for (const [start, segment] of positions ?? []) {
      const from = Math.max(start, typeEnd);
      const within = resource.slice(from, start + segment.length);
      const index = within.search(/[A-Za-z0-9](?=[^A-Za-z0-9]*$)/);
      if (index < 0) continue;
      const at = from + index;
      const changed = `${resource.slice(0, at)}${bump(resource.charAt(at))}${resource.slice(at + 1)}`;
      out.push({
        why: `${pattern} with "${segment}" changed`,
        request: { ...request, resource: `${arn.slice(0, 5).join(':')}:${changed}` },
      });
    }
  }
  return out;
}

/**
 * Context keys that tie a request to this deployment's own resources, and how: by value (the tag or cluster
 * must be ours) or by presence (the volume or instance must carry the snapshot tag key). A policy that no longer checks
 * one (a condition dropped or loosened in the stack's source) lets the violating request through.
 */
function guardKeys(
  request: IamRequest,
): Record<string, 'value' | 'presence' | 'values if present'> {
  const tagKey = String(readTfvarsExample().snapshot_tag_key ?? 'Snapshot');
  const instanceTagKey = String(
    readTfvarsExample().snapshot_instance_tag_key ?? 'SnapshotInstance',
  );
  return {
    // Tagging at creation is tied to its create by ec2:CreateAction; the create itself checks the tag.
    ...(request.action !== 'ec2:CreateTags' ? { 'aws:RequestTag/managed-by': 'value' } : {}),
    // A volume is not ours: its managed-by tag (if any) is someone else's business.
    ...(!request.resource.includes(':volume/') ? { 'aws:ResourceTag/managed-by': 'value' } : {}),
    'aws:ResourceTag/aws:rds:primaryDBClusterArn': 'value',
    'ecs:cluster': 'value',
    // UpdateService: the strategy's capacity providers must be ours (ForAllValues: a request naming none passes).
    'ecs:capacity-provider': 'values if present',
    'ec2:CreateAction': 'value',
    // A key is used only by EC2 on the role's behalf (a snapshot copy), never called directly.
    'kms:ViaService': 'value',
    // Capacity reservations only with the eligibility the stack's rows may ask for (open or targeted).
    'ec2:InstanceMatchCriteria': 'value',
    [`aws:ResourceTag/${tagKey}`]: 'presence',
    // A crash-consistent set: the instance must carry the instance tag key.
    [`aws:ResourceTag/${instanceTagKey}`]: 'presence',
  };
}

/** The part of a resource ARN that names a resource the stack itself creates (table, queue, cluster...). */
const OWN_NAMES: ReadonlyArray<[service: string, pattern: RegExp, actions?: readonly string[]]> = [
  ['dynamodb', /^table\/([^/]+)/],
  ['sqs', /^([^:/]+)$/],
  ['sns', /^([^:/]+)$/],
  ['states', /^stateMachine:([^:]+)/],
  ['lambda', /^function:([^:]+)/],
  ['redshift', /^(?:cluster:|snapshot:)([^/:]+)/],
  ['logs', /^log-group:([^:]+)/],
  ['autoscaling', /autoScalingGroupName\/(.+)$/],
  ['ecs', /^(?:cluster|container-instance|task|service)\/([^/]+)/],
  // The master secret RDS manages for the cluster is named rds!cluster-<id>.
  ['secretsmanager', /^secret:(rds!cluster)-/],
  ['cloudwatch', /^alarm:([^:]+)/],
  // The capacity reservation group the capacity stack creates.
  ['resource-groups', /^group\/([^/]+)/],
  // The pull-through cache prefix is the stack's own; task images may come from any repository of the account.
  ['ecr', /^repository\/([^/]+)\//, ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository']],
];

function ownName(arn: string, action: string): string | undefined {
  const parts = arn.split(':');
  const found = OWN_NAMES.find(
    ([service, , actions]) => service === parts[2] && (!actions || actions.includes(action)),
  );
  return found ? found[1].exec(parts.slice(5).join(':'))?.[1] : undefined;
}

const bumpLast = (name: string) => {
  const at = name.search(/[A-Za-z0-9](?=[^A-Za-z0-9]*$)/);
  return at < 0 ? `${name}x` : `${name.slice(0, at)}${bump(name.charAt(at))}${name.slice(at + 1)}`;
};

/**
 * Violations derived from the request alone, whatever the policy says: the same call on the same resource in
 * another account or region, on a sibling of a resource the stack names, and with each guard key (above)
 * changed or absent. Every one must be denied.
 */
export function ownershipViolations(request: IamRequest): Violation[] {
  const out: Violation[] = [];
  const arn = request.resource.split(':');
  if (arn.length >= 6) {
    if (arn[3] !== '')
      out.push({
        why: 'the same call in another region',
        request: {
          ...request,
          resource: [...arn.slice(0, 3), OTHER_REGION, ...arn.slice(4)].join(':'),
        },
      });
    if (arn[4] !== '')
      out.push({
        why: 'the same call in another account',
        request: {
          ...request,
          resource: [...arn.slice(0, 4), OTHER_ACCOUNT, ...arn.slice(5)].join(':'),
        },
      });
    const name = ownName(request.resource, request.action);
    if (name)
      out.push({
        why: `a sibling of ${name}`,
        request: { ...request, resource: request.resource.replace(name, bumpLast(name)) },
      });
  }
  for (const [key, kind] of Object.entries(guardKeys(request))) {
    if (request.context?.[key] === undefined) continue;
    if (kind !== 'values if present')
      out.push({ why: `${key} absent`, request: withContext(request, key, undefined) });
    if (kind !== 'presence') {
      const value = request.context[key];
      const other = otherValue(value);
      out.push({
        why: `${key} = ${other}`,
        request: withContext(request, key, Array.isArray(value) ? [other] : other),
      });
    }
  }
  return out;
}
