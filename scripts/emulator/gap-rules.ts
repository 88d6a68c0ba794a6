import type { Drift } from './drift';
import { GAPS } from './gaps';

/** Resources no stack applies to the emulator (none today: every gap has a stand-in, fix-up or drift entry). */
export function leftOut(stack: string): string[] {
  return GAPS.flatMap((g) => g.handling).flatMap((h) =>
    h.kind === 'left-out' && h.stack === stack ? [h.address] : [],
  );
}

/** True when a state value (drift.values' JSON) holds nothing: null, 0, false, "", [] or objects of those. */
export function isEmptyValue(json: string): boolean {
  const empty = (v: unknown): boolean => {
    if (v === null || v === 0 || v === false || v === '') return true;
    if (Array.isArray(v)) return v.every(empty);
    if (typeof v === 'object') return Object.values(v as object).every(empty);
    return false;
  };
  try {
    return empty(JSON.parse(json));
  } catch {
    return false;
  }
}

/**
 * The paths of a re-plan change that no allowed-drift entry explains: every path of a replacement or an
 * output; otherwise each path not listed for the type, or listed but where the state holds a value (an
 * allowed drift is moto reading back nothing, never something else).
 */
export function unexplainedDrift(change: Drift): string[] {
  if (change.actions.includes('delete') || change.type === 'output')
    return change.paths.length > 0 ? change.paths : [''];
  const allowed = GAPS.flatMap((g) => g.handling).flatMap((h) =>
    h.kind === 'allowed-drift' && h.resourceType === change.type ? h.paths : [],
  );
  return change.paths.filter(
    (p) => !allowed.includes(p) || !isEmptyValue(change.values?.[p]?.[0] ?? 'x'),
  );
}
