import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackName } from '../../stacks/app';
import { deployedSubjects, recordedCalls, type ProofSubject } from './engine';
import { countsText, runMutations, type MutationRun } from './mutations';
import { translate } from './translate';

const requestsOf = (subject: ProofSubject) =>
  recordedCalls(subject.name).flatMap((call) =>
    translate(call).map((r) => ({ ...r, call: `${call.client}.${call.command}` })),
  );

/**
 * Every one-change mutation of the deployed policies of `stacks`, run against the proof; the counts are
 * printed and kept in .cache/iam-mutations-<part>.json. Two test files share the stacks, so the two halves
 * run on both cores.
 */
export async function mutationRun(
  part: string,
  stacks: readonly StackName[],
): Promise<MutationRun> {
  const run = await runMutations(deployedSubjects(stacks), requestsOf);
  const out = join(__dirname, '..', '..', '.cache');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `iam-mutations-${part}.json`), JSON.stringify(run, null, 2));
  console.log(`[iam mutations: ${stacks.join(', ')}]\n${countsText(run.counts)}`);
  return run;
}
