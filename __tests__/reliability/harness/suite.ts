import { OPEN_DEFECTS } from '../open-defects';
import { FAULT_KINDS } from './faults';
import { baselineOf, faultCases, report, runCases, type Outcome, type Scenario } from './matrix';
import type { Wire } from './wire';

/**
 * The fault cases of one scenario as Jest tests: the fault-free run first, then one test per fault kind over
 * every call site of that run (first and last call, both modes). A test fails listing each case that did not
 * end in the fault-free state, and why.
 */
export function describeFaultCases(
  scenario: () => Scenario,
  options: {
    readonly variant?: string;
    readonly configure?: (wire: Wire) => void;
    /** Whether listings show every write at once (lost replies then must not raise a failure). @default true */
    readonly consistent?: boolean;
  } = {},
): void {
  const group = options.variant ? `${scenario().name} (${options.variant})` : scenario().name;
  describe(`${group}: faults on the wire`, () => {
    let baseline: Outcome;
    beforeAll(async () => {
      baseline = await baselineOf(scenario(), options.configure);
    });

    test.each(FAULT_KINDS)('every %s case ends in the fault-free state', async (kind) => {
      // Prepare
      const cases = faultCases(baseline.wire, [kind]);

      // Act
      const results = await runCases(scenario(), baseline, cases, options);

      // Assess
      report(`${group} ${kind}`.replace(/[^A-Za-z0-9-]+/g, '-'), results);
      expect(results.length).toBeGreaterThan(0);
      const open = OPEN_DEFECTS.filter((d) => d.group === group && d.kind === kind);
      const listed = (name: string) => open.some((d) => d.cases.test(name));
      // Exactly the listed cases fail: an unlisted failure is a new defect, a listed pass a stale entry.
      expect(results.filter((r) => !r.ok && !listed(r.name))).toEqual([]);
      expect(results.filter((r) => r.ok && listed(r.name)).map((r) => r.name)).toEqual([]);
      expect(open.filter((d) => !results.some((r) => d.cases.test(r.name)))).toEqual([]);
    });
  });
}
