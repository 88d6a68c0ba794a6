import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One group's report as `report()` (matrix.ts) writes it. */
export interface GroupReport {
  readonly group: string;
  readonly passed: number;
  readonly total: number;
}

export interface FaultSummary {
  readonly passed: number;
  readonly total: number;
  /** `<group>: N of M` for each group with a case that did not end in the fault-free state. */
  readonly short: readonly string[];
}

/** "N of M cases" over every group of the last run. */
export function summarize(reports: readonly GroupReport[]): FaultSummary {
  return {
    passed: reports.reduce((n, r) => n + r.passed, 0),
    total: reports.reduce((n, r) => n + r.total, 0),
    short: reports
      .filter((r) => r.passed < r.total)
      .map((r) => `${r.group}: ${r.passed} of ${r.total}`)
      .sort(),
  };
}

/** The group reports the last fault-harness run left in `dir`, and when the oldest was written. */
export function readReports(dir: string): { reports: GroupReport[]; oldest?: Date } {
  if (!existsSync(dir)) return { reports: [] };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f));
  const times = files.map((f) => statSync(f).mtimeMs);
  return {
    reports: files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as GroupReport),
    ...(times.length > 0 ? { oldest: new Date(Math.min(...times)) } : {}),
  };
}
