import { codeActions, decide, deployedSubjects, recordedCalls, type IamRequest } from './engine';
import { translate } from './translate';

// Phase 2 of `npm test`: phase 1's handler tests recorded every SDK call under the function's name.
const subjects = deployedSubjects();

describe.each(subjects.map((s) => [s.name, s] as const))('IAM proof of %s', (_name, subject) => {
  const calls = recordedCalls(subject.name);
  const requests: Array<IamRequest & { call: string }> = calls.flatMap((call) =>
    translate(call).map((r) => ({ ...r, call: `${call.client}.${call.command}` })),
  );

  test('its handler tests recorded the calls it makes', () => {
    // Prepare / Act: recorded in phase 1. Assess:
    expect(calls.length).toBeGreaterThan(0);
  });

  test('every recorded call is allowed by its synthesized policy', async () => {
    const denied: string[] = [];
    for (const request of requests) {
      const decision = await decide(subject.policy, request);
      if (decision !== 'Allowed')
        denied.push(
          `${request.call}: ${request.action} on ${request.resource} ${JSON.stringify(request.context ?? {})} -> ${decision}`,
        );
    }
    expect(denied).toEqual([]);
  });

  test('every action granted to its code is exercised by a test', () => {
    const exercised = new Set(requests.map((r) => r.action));
    expect(codeActions(subject).filter((a) => !exercised.has(a))).toEqual([]);
  });
});
