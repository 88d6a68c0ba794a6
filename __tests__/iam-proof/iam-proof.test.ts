import { deployedSubjects, recordedCalls } from './engine';
import { proofProblems, type LabeledRequest } from './proof';
import { translate } from './translate';

// Phase 2 of `npm test`: phase 1's handler tests recorded every SDK call under the function's name.
const subjects = deployedSubjects();

describe.each(subjects.map((s) => [s.name, s] as const))('IAM proof of %s', (_name, subject) => {
  test('grants exactly what its code calls and what AWS calls for it, each guard load-bearing', async () => {
    // Prepare: the calls phase 1 recorded, as IAM requests
    const requests: LabeledRequest[] = recordedCalls(subject.name).flatMap((call) =>
      translate(call).map((r) => ({ ...r, call: `${call.client}.${call.command}` })),
    );

    // Act
    const problems = await proofProblems(subject, requests);

    // Assess
    expect(problems).toEqual([]);
  });
});
