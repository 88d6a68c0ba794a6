import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FakeClock } from './environment';
import { FAULT_KINDS, FAULT_MODES, type FaultKind, type FaultMode } from './faults';
import { Platform, type FailureMetrics } from './platform';
import { Wire, type FaultPlan } from './wire';

/**
 * One automation as the harness drives it: a fresh world served on the wire, the trigger run to the end
 * through the platform's retries, and the final state to compare (AWS state, plus the telemetry the issue
 * holds to "counted once").
 */
export interface Scenario {
  readonly name: string;
  readonly failureMetrics?: FailureMetrics;
  /** When the world starts. */
  readonly start: Date;
  /** Each case starts an hour after the last, so what a warm container cached (a secret) has expired. */
  readonly startsEachCaseLater?: boolean;
  /** `<Client>.<Operation>` the fault-free run must make (so the cases cover them). */
  readonly operations: readonly string[];
  /** Serves a fresh world on the wire (and resets what else it keeps, e.g. database rows). */
  prepare(wire: Wire, clock: FakeClock): Promise<void>;
  /** Delivers the trigger's event(s) and lets the platform retry until it stops. */
  run(platform: Platform): Promise<void>;
  /** The final state, comparable across runs (no generated ids). */
  state(platform: Platform): Promise<unknown> | unknown;
}

export interface FaultCase {
  readonly plan: FaultPlan;
  /** `<site>#<occurrence> <kind> <mode>` */
  readonly name: string;
}

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  readonly reason?: string;
}

const READ = /^(Describe|List|Get)/;
/** Time the wire adds per HTTP attempt, so "a few seconds" of listing lag spans a whole run. */
const ATTEMPT_MS = 50;

export interface Outcome {
  readonly state: unknown;
  readonly platform: Platform;
  readonly wire: Wire;
}

let caseStart = 0;

/** Runs the scenario once, with the plan's fault (or none). */
export async function runOnce(
  scenario: Scenario,
  plan?: FaultPlan,
  configure: (wire: Wire) => void = () => undefined,
): Promise<Outcome> {
  const wire = new Wire();
  const clock = new FakeClock();
  if (scenario.startsEachCaseLater)
    caseStart = Math.max(caseStart + 3_600_000, scenario.start.getTime());
  clock.start(scenario.startsEachCaseLater ? new Date(caseStart) : scenario.start);
  wire.onAttempt = () => clock.advance(ATTEMPT_MS);
  wire.plan = plan;
  configure(wire);
  wire.install();
  try {
    await scenario.prepare(wire, clock);
    const platform = new Platform(wire, clock, scenario.failureMetrics);
    await scenario.run(platform);
    return { state: await scenario.state(platform), platform, wire };
  } finally {
    wire.uninstall();
    clock.stop();
  }
}

/** Every call site of the fault-free run, on its first and last call, by every kind and mode. */
export function faultCases(
  baseline: Wire,
  kinds: readonly FaultKind[] = FAULT_KINDS,
  modes: readonly FaultMode[] = FAULT_MODES,
): FaultCase[] {
  const counts = new Map<string, { operation: string; count: number }>();
  for (const call of baseline.calls)
    counts.set(call.site, { operation: call.operation, count: call.siteIndex });
  const cases: FaultCase[] = [];
  for (const [site, { operation, count }] of counts)
    for (const occurrence of [...new Set([1, count])])
      for (const kind of kinds) {
        // A lost reply to a read is a timeout: nothing was applied.
        if (kind === 'lost-reply' && READ.test(operation)) continue;
        for (const mode of modes)
          cases.push({
            plan: { site, occurrence, kind, mode },
            name: `${site}#${occurrence} ${kind} ${mode}`,
          });
      }
  return cases;
}

/**
 * Whether a faulted run ended where the fault-free run did, with no failure left unreported. With `exact`
 * (a lost reply on the first attempt only, the world consistent): the SDK's retry reached a service that had
 * applied the request, so the handler can recognise its own write and must not report a failure either.
 */
export function judge(baseline: Outcome, faulted: Outcome, exact = false): string | undefined {
  if (!faulted.wire.fired) return 'the fault was never injected (the call did not happen)';
  if (faulted.wire.worldBugs.length > 0) return `world bug: ${faulted.wire.worldBugs.join('; ')}`;
  if (isDeepStrictEqual(faulted.state, baseline.state)) {
    const alarms = faulted.platform.invocations.flatMap((i) => i.signals);
    return exact && alarms.length > 0
      ? `false failure: the request was applied, yet ${alarms.join('; ')}`
      : undefined;
  }
  const signalled = faulted.platform.invocations.some((i) => i.signals.length > 0);
  const given = faulted.platform.deadLetters.length > 0 ? ', dead-lettered' : '';
  return `${signalled ? 'not recovered' : 'silent'}${given}: ${diff(baseline.state, faulted.state)}`;
}

/** What differs, per top-level key: the entries one side has and the other lacks. */
export function diff(expected: unknown, actual: unknown): string {
  if (!isRecord(expected) || !isRecord(actual))
    return `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  const parts: string[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const [e, a] = [expected[key], actual[key]];
    if (isDeepStrictEqual(e, a)) continue;
    if (Array.isArray(e) && Array.isArray(a)) {
      const text = (v: unknown) => JSON.stringify(v);
      const missing = e.map(text).filter((x) => !a.map(text).includes(x));
      const extra = a.map(text).filter((x) => !e.map(text).includes(x));
      parts.push(
        `${key}: ${missing.length ? `missing ${missing.join(' ')}` : ''}${extra.length ? ` extra ${extra.join(' ')}` : ''}` +
          (missing.length + extra.length === 0 ? ` ${e.length} expected, ${a.length} found` : ''),
      );
    } else parts.push(`${key}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
  }
  return parts.join('; ').slice(0, 500);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fault-free run, which must itself succeed without any signal. */
export async function baselineOf(
  scenario: Scenario,
  configure?: (wire: Wire) => void,
): Promise<Outcome> {
  const outcome = await runOnce(scenario, undefined, configure);
  const signals = outcome.platform.invocations.flatMap((i) => i.signals);
  const made = new Set(outcome.wire.calls.map((c) => `${c.client}.${c.operation}`));
  const missing = scenario.operations.filter((o) => !made.has(o));
  if (missing.length > 0)
    throw new Error(`the fault-free run of ${scenario.name} makes no ${missing.join(', ')}`);
  if (signals.length > 0 || outcome.wire.worldBugs.length > 0)
    throw new Error(
      `the fault-free run of ${scenario.name} failed: ${[...signals, ...outcome.wire.worldBugs].join('; ')}`,
    );
  return outcome;
}

export async function runCases(
  scenario: Scenario,
  baseline: Outcome,
  cases: readonly FaultCase[],
  options: { readonly configure?: (wire: Wire) => void; readonly consistent?: boolean } = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const outcome = await runOnce(scenario, c.plan, options.configure);
    const exact =
      (options.consistent ?? true) &&
      c.plan.kind === 'lost-reply' &&
      c.plan.mode === 'first-attempt';
    const reason = judge(baseline, outcome, exact);
    results.push({ name: c.name, ok: reason === undefined, ...(reason ? { reason } : {}) });
  }
  return results;
}

export const REPORT_DIR = join(__dirname, '..', '..', '..', '.cache', 'reliability');

/** Prints "N of M" for a group of cases and keeps the results for `npm run bench`. */
export function report(group: string, results: readonly CaseResult[]): void {
  const passed = results.filter((r) => r.ok).length;
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(
    join(REPORT_DIR, `${group}.json`),
    JSON.stringify({ group, passed, total: results.length, results }, null, 2),
  );
  const failing = results.filter((r) => !r.ok).map((r) => `  ${r.name}: ${r.reason ?? ''}`);
  console.log(
    `[fault cases] ${group}: ${passed} of ${results.length} cases end in the fault-free state` +
      (failing.length > 0 ? `\n${failing.join('\n')}` : ''),
  );
}
