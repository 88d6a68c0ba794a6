/** Policy documents: statements in one comparable form, and what changed between two versions. */

import type { PolicyDiff, PolicyStatement } from './types';
import { asList, canonical, isObject, strings } from './values';

function principalList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (!isObject(v)) return strings(v);
  return Object.keys(v)
    .sort()
    .flatMap((kind) => strings(v[kind]).map((p) => `${kind}:${p}`));
}

function conditionList(v: unknown): string[] | undefined {
  if (!isObject(v)) return undefined;
  const out: string[] = [];
  for (const op of Object.keys(v).sort()) {
    const clauses = v[op];
    if (!isObject(clauses)) continue;
    for (const key of Object.keys(clauses).sort()) {
      out.push(`${op} ${key}=${strings(clauses[key]).join('|')}`);
    }
  }
  return out.length > 0 ? out : undefined;
}

function sortedStrings(v: unknown): string[] | undefined {
  return v === undefined ? undefined : [...strings(v)].sort();
}

function normalizeStatement(raw: unknown): PolicyStatement {
  const s = isObject(raw) ? raw : {};
  const out: PolicyStatement = { effect: typeof s.Effect === 'string' ? s.Effect : 'Allow' };
  if (typeof s.Sid === 'string' && s.Sid) out.sid = s.Sid;
  const fields: Array<[keyof PolicyStatement, string, (v: unknown) => string[] | undefined]> = [
    ['principals', 'Principal', principalList],
    ['notPrincipals', 'NotPrincipal', principalList],
    ['actions', 'Action', sortedStrings],
    ['notActions', 'NotAction', sortedStrings],
    ['resources', 'Resource', sortedStrings],
    ['notResources', 'NotResource', sortedStrings],
    ['conditions', 'Condition', conditionList],
  ];
  for (const [key, source, convert] of fields) {
    const value = convert(s[source]);
    if (value) (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Statements of a policy document given as JSON text (as the AWS provider stores it) or as an object. */
export function parsePolicy(doc: unknown): PolicyStatement[] | undefined {
  let parsed: unknown = doc;
  if (typeof doc === 'string') {
    if (doc.trim() === '') return [];
    try {
      parsed = JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
  if (!isObject(parsed)) return undefined;
  return asList(parsed.Statement).map(normalizeStatement);
}

function diffStatements(
  before: PolicyStatement[],
  after: PolicyStatement[],
): Pick<PolicyDiff, 'added' | 'removed' | 'unchanged'> {
  const beforeKeys = new Set(before.map(canonical));
  const afterKeys = new Set(after.map(canonical));
  return {
    added: after.filter((s) => !beforeKeys.has(canonical(s))),
    removed: before.filter((s) => !afterKeys.has(canonical(s))),
    unchanged: after.filter((s) => beforeKeys.has(canonical(s))).length,
  };
}

export interface Side {
  value: unknown;
  unknown: boolean;
  sensitive: boolean;
}

export function policyDiff(
  attribute: string,
  before: Side | undefined,
  after: Side | undefined,
  references?: string[],
): PolicyDiff {
  const none = { added: [], removed: [], unchanged: 0 };
  if (before?.sensitive || after?.sensitive) return { attribute, state: 'sensitive', ...none };
  if (after?.unknown) {
    const removed = before ? (parsePolicy(before.value) ?? []) : [];
    return {
      attribute,
      state: 'unknown',
      ...none,
      removed,
      ...(references ? { references } : {}),
    };
  }
  const b = before ? parsePolicy(before.value) : [];
  const a = after ? parsePolicy(after.value) : [];
  if (!b || !a) return { attribute, state: 'invalid', ...none };
  return { attribute, state: 'known', ...diffStatements(b, a) };
}
