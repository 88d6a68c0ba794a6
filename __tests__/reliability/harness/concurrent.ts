import { isDeepStrictEqual } from 'node:util';
import { baselineOf, diff, runOnce, type Outcome, type Scenario } from './matrix';

/**
 * Two runs of the scenario's trigger at once on one fresh world: what a duplicate delivery (EventBridge, SNS
 * and stream mappings deliver at least once) racing the first one does. Both go through the platform's retries.
 */
export async function twoConcurrentRuns(
  scenario: Scenario,
): Promise<{ readonly baseline: Outcome; readonly twice: Outcome }> {
  const baseline = await baselineOf(scenario);
  const twice = await runOnce({
    ...scenario,
    async run(platform) {
      await Promise.all([scenario.run(platform), scenario.run(platform)]);
    },
  });
  return { baseline, twice };
}

/** How two concurrent runs ended differently from one run (undefined: the same final state). */
export function differenceFromOneRun(outcome: {
  readonly baseline: Outcome;
  readonly twice: Outcome;
}): string | undefined {
  if (outcome.twice.wire.worldBugs.length > 0)
    return `world bug: ${outcome.twice.wire.worldBugs.join('; ')}`;
  return isDeepStrictEqual(outcome.twice.state, outcome.baseline.state)
    ? undefined
    : diff(outcome.baseline.state, outcome.twice.state);
}
