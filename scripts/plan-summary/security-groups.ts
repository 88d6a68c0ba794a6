/** Security-group changes: rules of groups and standalone rule resources, before and after. */

import type {
  Action,
  SecurityGroupChange,
  SecurityGroupRule,
  TfConfigResource,
  TfResourceChange,
} from './types';
import {
  asList,
  attributeDetails,
  beforeAndAfter,
  canonical,
  describe,
  field,
  flagged,
  isConfigured,
  isObject,
  strings,
  type Json,
} from './values';

const SG_TYPES = new Set([
  'aws_security_group',
  'aws_default_security_group',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_vpc_security_group_egress_rule',
]);

function portRange(protocol: unknown, from: unknown, to: unknown): string {
  const p = String(protocol ?? '?').toLowerCase();
  if (p === '-1' || p === 'all') return 'all traffic';
  const name = p === '6' ? 'tcp' : p === '17' ? 'udp' : p === '1' ? 'icmp' : p;
  if (name === 'icmp' || name === 'icmpv6' || name === '58') {
    return from === undefined || from === null || from === -1 ? name : `${name} type ${from}`;
  }
  if (from === undefined || from === null) return `${name}/?`;
  if ((from === 0 && to === 65535) || (from === -1 && to === -1)) return `${name}/all ports`;
  return from === to || to === undefined || to === null
    ? `${name}/${from}`
    : `${name}/${from}-${to}`;
}

const OPEN = new Set(['0.0.0.0/0', '::/0']);

function rule(
  direction: 'ingress' | 'egress',
  ports: string,
  peers: string[],
  description: string | undefined,
): SecurityGroupRule {
  return {
    direction,
    ports,
    peers,
    ...(description ? { description } : {}),
    open: direction === 'ingress' && peers.some((p) => OPEN.has(p)),
  };
}

/** A rule of an inline `ingress`/`egress` block or of aws_security_group_rule. */
function legacyRule(
  direction: 'ingress' | 'egress',
  r: Json,
  peersOverride?: string[],
): SecurityGroupRule {
  const peers = peersOverride ?? [
    ...strings(r.cidr_blocks),
    ...strings(r.ipv6_cidr_blocks),
    ...strings(r.security_groups).map((g) => `sg ${g}`),
    ...(typeof r.source_security_group_id === 'string' ? [`sg ${r.source_security_group_id}`] : []),
    ...strings(r.prefix_list_ids).map((p) => `pl ${p}`),
    ...(r.self === true ? ['self'] : []),
  ];
  const description =
    typeof r.description === 'string' && r.description ? r.description : undefined;
  return rule(direction, portRange(r.protocol, r.from_port, r.to_port), peers, description);
}

function ruleKey(r: SecurityGroupRule): string {
  return canonical({ ...r, peers: [...r.peers].sort() });
}

function diffRules(
  before: SecurityGroupRule[],
  after: SecurityGroupRule[],
): { added: SecurityGroupRule[]; removed: SecurityGroupRule[] } {
  const b = new Set(before.map(ruleKey));
  const a = new Set(after.map(ruleKey));
  return {
    added: after.filter((r) => !b.has(ruleKey(r))),
    removed: before.filter((r) => !a.has(ruleKey(r))),
  };
}

/** One side of a standalone rule resource (aws_vpc_security_group_*_rule or aws_security_group_rule). */
function standaloneRule(
  type: string,
  values: Json,
  d: (key: string) => string | undefined,
): SecurityGroupRule {
  if (type === 'aws_security_group_rule') {
    const direction = values.type === 'egress' ? 'egress' : 'ingress';
    const peers = [
      ...['cidr_blocks', 'ipv6_cidr_blocks'].flatMap((k) => {
        const v = d(k);
        return v ? v.split(', ') : [];
      }),
      ...(d('source_security_group_id') ? [`sg ${d('source_security_group_id')}`] : []),
      ...(d('prefix_list_ids') ? [`pl ${d('prefix_list_ids')}`] : []),
      ...(values.self === true ? ['self'] : []),
    ];
    return legacyRule(direction, values, peers);
  }
  const direction = type.endsWith('_egress_rule') ? 'egress' : 'ingress';
  const peers = [
    ...(d('cidr_ipv4') ? [d('cidr_ipv4') as string] : []),
    ...(d('cidr_ipv6') ? [d('cidr_ipv6') as string] : []),
    ...(d('referenced_security_group_id') ? [`sg ${d('referenced_security_group_id')}`] : []),
    ...(d('prefix_list_id') ? [`pl ${d('prefix_list_id')}`] : []),
  ];
  const ports = portRange(values.ip_protocol, values.from_port, values.to_port);
  return rule(direction, ports, peers, d('description'));
}

function inlineRules(values: unknown, direction: 'ingress' | 'egress'): SecurityGroupRule[] {
  return asList(field(values, direction))
    .filter(isObject)
    .map((r) => legacyRule(direction, r));
}

export function securityGroupChange(
  rc: TfResourceChange,
  action: Action,
  config?: TfConfigResource,
): SecurityGroupChange | undefined {
  if (!SG_TYPES.has(rc.type)) return undefined;
  const c = rc.change;
  const base = { address: rc.address, type: rc.type, action };
  if (rc.type === 'aws_security_group' || rc.type === 'aws_default_security_group') {
    const details = attributeDetails(rc, ['name', 'description', 'vpc_id'], config).filter(
      (d) => action !== 'update' || d.includes(' -> '),
    );
    const added: SecurityGroupRule[] = [];
    const removed: SecurityGroupRule[] = [];
    for (const direction of ['ingress', 'egress'] as const) {
      if (flagged(c.after_unknown, direction) && action !== 'delete') {
        // Computed when rules are managed by separate rule resources; only a configured block is news.
        if (isConfigured(config, direction)) details.push(`${direction} rules known after apply`);
        continue;
      }
      const diff = diffRules(
        action === 'create' ? [] : inlineRules(c.before, direction),
        action === 'delete' ? [] : inlineRules(c.after, direction),
      );
      added.push(...diff.added);
      removed.push(...diff.removed);
    }
    if (action === 'update' && added.length + removed.length + details.length === 0)
      return undefined;
    return { ...base, added, removed, details };
  }
  const { before, after } = beforeAndAfter(rc, action, config, (d, values) =>
    standaloneRule(rc.type, values, d),
  );
  const diff = diffRules(before ? [before] : [], after ? [after] : []);
  const group =
    describe(c.after, c.after_unknown, c.after_sensitive, 'security_group_id', config) ??
    describe(c.before, undefined, c.before_sensitive, 'security_group_id');
  return { ...base, ...(group ? { group } : {}), ...diff, details: [] };
}
