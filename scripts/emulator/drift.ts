/** One resource (or output) a re-plan wants to change, with the attribute paths that differ. */
export interface Drift {
  readonly address: string;
  readonly type: string;
  readonly actions: string[];
  /** Dotted attribute paths, list indices dropped (`mixed_instances_policy.launch_template.version`). */
  readonly paths: string[];
  /** Per path, the state's value and the planned one ('(known after apply)' when unknown), for reports. */
  readonly values?: Record<string, [string, string]>;
}

interface Change {
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
}

interface PlanJson {
  resource_changes?: Array<{ address: string; type: string; change: Change }>;
  output_changes?: Record<string, Change>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths where `before` and `after` differ, or `after` is unknown until apply. */
export function changedPaths(
  before: unknown,
  after: unknown,
  unknown: unknown,
  path = '',
): string[] {
  if (unknown === true) return [path];
  if (Array.isArray(before) || Array.isArray(after)) {
    const b = Array.isArray(before) ? before : [];
    const a = Array.isArray(after) ? after : [];
    const u = Array.isArray(unknown) ? unknown : [];
    if (b.length !== a.length) return [path];
    return b.flatMap((item, i) => changedPaths(item, a[i], u[i], path));
  }
  if (isObject(before) || isObject(after)) {
    const b = isObject(before) ? before : {};
    const a = isObject(after) ? after : {};
    const u = isObject(unknown) ? unknown : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a), ...Object.keys(u)])].sort();
    return keys.flatMap((k) => changedPaths(b[k], a[k], u[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(before ?? null) === JSON.stringify(after ?? null) ? [] : [path];
}

function at(value: unknown, path: string): unknown[] {
  if (path === '') return [value];
  const [head, ...rest] = path.split('.');
  const step = (v: unknown): unknown[] => {
    if (Array.isArray(v)) return v.flatMap(step);
    return isObject(v) ? at(v[head!], rest.join('.')) : [];
  };
  return step(value);
}

const short = (v: unknown) => JSON.stringify(v)?.slice(0, 200) ?? 'null';

/** What a re-plan (terraform show -json of the plan file) would change. */
export function drift(plan: PlanJson): Drift[] {
  const changes: Drift[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const { actions } = rc.change;
    if (actions.every((a) => a === 'no-op' || a === 'read')) continue;
    const paths = [
      ...new Set(changedPaths(rc.change.before, rc.change.after, rc.change.after_unknown)),
    ];
    const values = Object.fromEntries(
      paths.map((p): [string, [string, string]] => {
        const unknown = at(rc.change.after_unknown, p).some((u) => u === true);
        const after = unknown ? '(known after apply)' : short(at(rc.change.after, p));
        return [p, [short(at(rc.change.before, p)), after]];
      }),
    );
    changes.push({ address: rc.address, type: rc.type, actions, paths: paths.sort(), values });
  }
  for (const [name, change] of Object.entries(plan.output_changes ?? {})) {
    if (change.actions.every((a) => a === 'no-op')) continue;
    changes.push({
      address: `output.${name}`,
      type: 'output',
      actions: change.actions,
      paths: [''],
    });
  }
  return changes;
}
