import { deployedSubjects, type ProofSubject } from './engine';

/** The deployed IAM subjects by name: the conditions tests ask requests the handlers never make of them. */
const subjects = new Map(deployedSubjects().map((s) => [s.name, s]));

export function subject(name: string): ProofSubject {
  const s = subjects.get(name);
  if (!s) throw new Error(`no IAM subject ${name}`);
  return s;
}
