/** The summary of a `terraform show -json` plan: counts, changes by type and address, IAM and SG changes. */

import { iamChange } from './iam';
import { securityGroupChange } from './security-groups';
import type {
  Action,
  Counts,
  IamChange,
  ResourceSummary,
  SecurityGroupChange,
  StackSummary,
  TfChange,
  TfPlan,
  TfResourceChange,
  TypeCounts,
} from './types';
import { canonical, configFor, field, flagged, isObject } from './values';

export function classifyActions(actions: readonly string[]): Action {
  const set = new Set(actions);
  if (set.has('delete') && set.has('create')) return 'replace';
  for (const a of ['create', 'update', 'delete', 'read', 'forget'] as const)
    if (set.has(a)) return a;
  return 'no-op';
}

export function emptyCounts(): Counts {
  return { add: 0, change: 0, destroy: 0, replace: 0, read: 0, forget: 0, import: 0 };
}

function count(counts: Counts, action: Action): void {
  if (action === 'create') counts.add++;
  else if (action === 'update') counts.change++;
  else if (action === 'delete') counts.destroy++;
  else if (action === 'replace') counts.replace++;
  else if (action === 'read') counts.read++;
  else if (action === 'forget') counts.forget++;
}

function changedAttributes(c: TfChange): string[] {
  const before = isObject(c.before) ? c.before : {};
  const after = isObject(c.after) ? c.after : {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  if (isObject(c.after_unknown)) for (const k of Object.keys(c.after_unknown)) keys.add(k);
  return [...keys]
    .filter((k) => {
      if (flagged(c.after_unknown, k) && !isObject(field(c.after_unknown, k))) return true;
      return canonical(before[k]) !== canonical(after[k]);
    })
    .sort();
}

function pathText(path: unknown[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function resourceSummary(rc: TfResourceChange, action: Action): ResourceSummary {
  const out: ResourceSummary = { address: rc.address, type: rc.type, action };
  if (rc.action_reason) out.reason = rc.action_reason;
  if (rc.change.replace_paths?.length) out.replacePaths = rc.change.replace_paths.map(pathText);
  if (action === 'update') out.changedAttributes = changedAttributes(rc.change);
  if (rc.change.importing) out.imported = true;
  return out;
}

/** Summarizes one stack's plan (`terraform show -json`). No-op and data-source reads are left out. */
export function summarizePlan(stack: string, plan: TfPlan): StackSummary {
  const counts = emptyCounts();
  const types = new Map<string, TypeCounts>();
  const changes: ResourceSummary[] = [];
  const iam: IamChange[] = [];
  const securityGroups: SecurityGroupChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const action = classifyActions(rc.change.actions);
    if (rc.change.importing) counts.import++;
    if (action === 'no-op' && !rc.change.importing) continue;
    count(counts, action);
    changes.push(resourceSummary(rc, action));
    if (rc.mode === 'data' || action === 'read') continue;
    const t = types.get(rc.type) ?? { type: rc.type, add: 0, change: 0, destroy: 0, replace: 0 };
    if (action === 'create') t.add++;
    else if (action === 'update') t.change++;
    else if (action === 'delete') t.destroy++;
    else if (action === 'replace') t.replace++;
    types.set(rc.type, t);
    if (action === 'no-op' || action === 'forget') continue;
    const config = configFor(plan, rc);
    const i = iamChange(rc, action, config);
    if (i) iam.push(i);
    const s = securityGroupChange(rc, action, config);
    if (s) securityGroups.push(s);
  }
  const byAddress = (a: { address: string }, b: { address: string }) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
  return {
    stack,
    source: 'plan-json',
    counts,
    byType: [...types.values()]
      .filter((t) => t.add + t.change + t.destroy + t.replace > 0)
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)),
    changes: changes.sort(byAddress),
    iam: iam.sort(byAddress),
    securityGroups: securityGroups.sort(byAddress),
    ...(plan.errored ? { error: 'the plan errored' } : {}),
  };
}
