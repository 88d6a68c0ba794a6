import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployedSubjects, recordedCalls, type ProofSubject } from './engine';
import { countsText, runMutations } from './mutations';
import { translate } from './translate';

// Phase 2 also proves the proof: every one-change mutation of every deployed policy (remove, add, narrow or
// widen an action or resource, drop or loosen a condition, add a platform statement) must make it fail.
const requestsOf = (subject: ProofSubject) =>
  recordedCalls(subject.name).flatMap((call) =>
    translate(call).map((r) => ({ ...r, call: `${call.client}.${call.command}` })),
  );

test('the proof fails on every one-change mutation of every policy', async () => {
  // Act
  const run = await runMutations(deployedSubjects(), requestsOf);

  // Assess
  const out = join(__dirname, '..', '..', '.cache');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'iam-mutations.json'), JSON.stringify(run, null, 2));
  console.log(`[iam mutations]\n${countsText(run.counts)}`);
  expect(Object.keys(run.counts).length).toBe(13);
  expect(run.survivors).toEqual([]);
}, 300_000);
