/**
 * Fault cases known to end away from the fault-free state on main: real defects not fixed yet. The harness
 * asserts that exactly these cases fail (a listed case that passes fails too, so the list cannot go stale).
 * `group` is the describe group (scenario name and variant), `kind` the fault kind, `cases` matches the
 * case name (`<client>.<operation>@<file>:<line>#<occurrence> <kind> <mode>`).
 */
export interface OpenDefect {
  readonly group: string;
  readonly kind: 'throttle' | 'server-error' | 'timeout' | 'lost-reply';
  readonly cases: RegExp;
  readonly defect: string;
  readonly issue: string;
}

export const OPEN_DEFECTS: readonly OpenDefect[] = [];
