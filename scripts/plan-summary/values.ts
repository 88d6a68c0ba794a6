/** Reading the plan JSON: values, unknown and sensitive marks, and the configuration behind them. */

import type { Action, TfConfigResource, TfExpression, TfPlan, TfResourceChange } from './types';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function field(v: unknown, key: string): unknown {
  return isObject(v) ? v[key] : undefined;
}

export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function strings(v: unknown): string[] {
  return asList(v).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/** Deterministic JSON: object keys sorted, so equal values compare equal as text. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Terraform marks unknown and sensitive values with `true` at the attribute's path (or the whole value). */
export function flagged(marks: unknown, key: string): boolean {
  return marks === true || field(marks, key) === true;
}

/** The configuration block of a resource instance (`x.y[0]` -> `x.y`); root module only. */
export function configFor(plan: TfPlan, rc: TfResourceChange): TfConfigResource | undefined {
  if (rc.module_address) return undefined;
  const address = rc.address.replace(/\[[^\]]*\]$/, '');
  return plan.configuration?.root_module?.resources?.find((r) => r.address === address);
}

/** The most specific references of an attribute's expression (drops `a.b` when `a.b.id` is listed). */
export function referencesOf(
  config: TfConfigResource | undefined,
  key: string,
): string[] | undefined {
  const expression = field(config?.expressions, key) as TfExpression | undefined;
  const refs = expression?.references ?? [];
  const specific = refs.filter((r) => !refs.some((o) => o !== r && o.startsWith(`${r}.`)));
  return specific.length > 0 ? [...new Set(specific)] : undefined;
}

export function isConfigured(config: TfConfigResource | undefined, key: string): boolean {
  return field(config?.expressions, key) !== undefined;
}

/**
 * `value`, `refs (known after apply)` or `(sensitive)`, for one attribute of one side of a change.
 * An unknown attribute the configuration does not set (a computed default) gives undefined.
 */
export function describe(
  values: unknown,
  unknownMarks: unknown,
  sensitiveMarks: unknown,
  key: string,
  config?: TfConfigResource,
): string | undefined {
  if (flagged(sensitiveMarks, key)) return '(sensitive)';
  if (flagged(unknownMarks, key)) {
    if (config && !isConfigured(config, key)) return undefined;
    const refs = referencesOf(config, key);
    return refs ? `${refs.join(', ')} (known after apply)` : '(known after apply)';
  }
  const v = field(values, key);
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : strings(v).join(', ');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function attributeDetails(
  rc: TfResourceChange,
  keys: readonly string[],
  config: TfConfigResource | undefined,
): string[] {
  const c = rc.change;
  const out: string[] = [];
  for (const key of keys) {
    const before = describe(c.before, undefined, c.before_sensitive, key);
    const after = describe(c.after, c.after_unknown, c.after_sensitive, key, config);
    if (before === after) {
      if (after !== undefined) out.push(`${key}: ${after}`);
    } else if (before !== undefined && after !== undefined) {
      out.push(`${key}: ${before} -> ${after}`);
    } else if (after !== undefined) {
      out.push(`${key}: ${after}`);
    } else if (before !== undefined) {
      out.push(`${key}: ${before} -> (none)`);
    }
  }
  return out;
}

/**
 * Reads both sides of a change with `describe` bound to each: the old side unless the resource is created,
 * the new one unless it is destroyed.
 */
export function beforeAndAfter<T>(
  rc: TfResourceChange,
  action: Action,
  config: TfConfigResource | undefined,
  read: (d: (key: string) => string | undefined, values: Json) => T | undefined,
): { before?: T; after?: T } {
  const c = rc.change;
  const side = (values: unknown, unknownMarks: unknown, sensitiveMarks: unknown) =>
    isObject(values)
      ? read((key) => describe(values, unknownMarks, sensitiveMarks, key, config), values)
      : undefined;
  return {
    before: action === 'create' ? undefined : side(c.before, undefined, c.before_sensitive),
    after: action === 'delete' ? undefined : side(c.after, c.after_unknown, c.after_sensitive),
  };
}
