import type { PolicyStatement } from '../../stacks/platform/iam';
import { conditionViolations, ownershipViolations, resourceVariants } from './violations';
import { decide, type IamRequest, type ProofSubject } from './engine';
import { expectedKey, grantKey } from './platform';

/** One IAM request of a recorded SDK call, labelled with the call. */
export type LabeledRequest = IamRequest & { readonly call: string };

interface RawStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const show = (r: IamRequest) => `${r.action} on ${r.resource} ${JSON.stringify(r.context ?? {})}`;

/** The deployed statements paired with the structured ones they were rendered from (same order). */
function paired(
  subject: ProofSubject,
): Array<{ raw: RawStatement; made: PolicyStatement | undefined }> {
  return (subject.policy.Statement as RawStatement[]).map((raw, i) => ({
    raw,
    made: subject.statements[i],
  }));
}

/** Problems with the platform statements: each must be exactly one the role's users need, and none missing. */
export function platformProblems(subject: ProofSubject): string[] {
  const actual = paired(subject)
    .filter((p) => p.made?.platform !== undefined)
    .map((p) => ({ key: grantKey(p.made?.platform as string, p.raw), sid: p.raw.Sid ?? '?' }));
  const expected = subject.platformNeeds.map((s) => ({ key: expectedKey(s), kind: s.platform }));
  const problems: string[] = [];
  const left = [...expected];
  for (const a of actual) {
    const i = left.findIndex((e) => e.key === a.key);
    if (i >= 0) left.splice(i, 1);
    else problems.push(`platform statement ${a.sid} is no grant its role's users need: ${a.key}`);
  }
  for (const e of left) problems.push(`the role's users need the platform grant ${e.key}`);
  return problems;
}

const decisions = new Map<string, Promise<string>>();
const policyKeys = new WeakMap<object, string>();
/** decide() memoized per policy and request: the proof asks the same question many times. */
function judged(policy: ProofSubject['policy'], request: IamRequest): Promise<string> {
  let policyKey = policyKeys.get(policy);
  if (policyKey === undefined) {
    policyKey = JSON.stringify(policy);
    policyKeys.set(policy, policyKey);
  }
  const key = `${policyKey}\n${JSON.stringify(request)}`;
  let found = decisions.get(key);
  if (!found) {
    found = decide(policy, request);
    decisions.set(key, found);
  }
  return found;
}

function unique(requests: readonly LabeledRequest[]): LabeledRequest[] {
  const byKey = new Map<string, LabeledRequest>();
  for (const r of requests) byKey.set(JSON.stringify([r.action, r.resource, r.context ?? {}]), r);
  return [...byKey.values()];
}

/**
 * Phase 2 of the proof for one role: every recorded request is allowed; every action granted to code is
 * exercised; every condition and every scoped resource of a code statement is load-bearing (the request it
 * allows, with the condition key changed or absent, or the resource moved outside the pattern, is denied);
 * the platform statements are exactly what the role's users need.
 */
export async function proofProblems(
  subject: ProofSubject,
  requests: readonly LabeledRequest[],
): Promise<string[]> {
  const problems = new Set<string>();
  for await (const problem of problemsOf(subject, requests)) problems.add(problem);
  return [...problems];
}

/** Whether the proof finds any problem: stops at the first (the mutation run asks this many times). */
export async function anyProblem(
  subject: ProofSubject,
  requests: readonly LabeledRequest[],
): Promise<boolean> {
  for await (const _ of problemsOf(subject, requests)) return true;
  return false;
}

async function* problemsOf(
  subject: ProofSubject,
  requests: readonly LabeledRequest[],
): AsyncGenerator<string> {
  yield* platformProblems(subject);
  const code = paired(subject).filter(
    (p) => p.made?.platform === undefined && (p.raw.Effect ?? 'Allow') === 'Allow',
  );
  if (code.length > 0 && requests.length === 0)
    yield 'no handler test recorded a call of this role';
  const distinct = unique(requests);
  const exercised = new Set(distinct.map((r) => r.action.toLowerCase()));
  const unused = code
    .flatMap((p) => asList(p.raw.Action))
    .filter((a) => !exercised.has(a.toLowerCase()));
  for (const action of new Set(unused)) yield `${action} is granted but no test exercises it`;
  for (const request of distinct) {
    const decision = await judged(subject.policy, request);
    if (decision !== 'Allowed') yield `${request.call}: ${show(request)} -> ${decision}`;
  }
  for (const { raw } of code) yield* await statementProblems(subject, raw, distinct);
  yield* ownershipProblems(subject, distinct);
}

/** Every recorded request's ownership violations (violations.ts) are denied. */
async function* ownershipProblems(
  subject: ProofSubject,
  requests: readonly LabeledRequest[],
): AsyncGenerator<string> {
  const seen = new Set<string>();
  for (const request of requests) {
    // Requests of one call that differ in ids only show the same guards.
    const type = request.resource.split(':').slice(2, 6).join(':').split('/')[0];
    const shape = JSON.stringify([request.action, type, Object.keys(request.context ?? {}).sort()]);
    if (seen.has(shape)) continue;
    seen.add(shape);
    for (const v of ownershipViolations(request))
      if ((await judged(subject.policy, v.request)) === 'Allowed')
        yield `${request.call}: ${v.why} is allowed (${show(v.request)})`;
  }
}

/** The requests one statement allows on its own. */
async function allowedBy(raw: RawStatement, requests: readonly LabeledRequest[]) {
  const alone = { Version: '2012-10-17', Statement: [raw] };
  const actions = new Set(asList(raw.Action).map((a) => a.toLowerCase()));
  const out: LabeledRequest[] = [];
  for (const r of requests)
    if (actions.has(r.action.toLowerCase()) && (await judged(alone, r)) === 'Allowed') out.push(r);
  return out;
}

async function statementProblems(
  subject: ProofSubject,
  raw: RawStatement,
  requests: readonly LabeledRequest[],
): Promise<string[]> {
  const scoped = asList(raw.Resource).some((r) => r !== '*');
  if (!raw.Condition && !scoped) return [];
  const name = raw.Sid ?? asList(raw.Action).join(',');
  const unused: string[] = [];
  for (const resource of asList(raw.Resource).filter((r) => r !== '*'))
    if ((await allowedBy({ ...raw, Resource: resource }, requests)).length === 0)
      unused.push(resource);
  if (unused.length > 0 && unused.length < asList(raw.Resource).length)
    return [`${name}: no recorded request needs ${unused.join(', ')}`];
  const allowed = await allowedBy(raw, requests);
  if (allowed.length === 0)
    return raw.Condition ? [`no recorded request exercises the conditioned statement ${name}`] : [];
  const problems: string[] = [];
  // Requests a statement allows differ in ids only; a few of them show every guard.
  for (const request of allowed.slice(0, 3)) {
    const violations = [
      ...conditionViolations(raw.Condition ?? {}, request),
      ...resourceVariants(asList(raw.Resource), request),
    ];
    for (const v of violations) {
      const decision = await judged(subject.policy, v.request);
      if (decision === 'Allowed')
        problems.push(`${name}: ${v.why} is allowed (${show(v.request)})`);
    }
  }
  return [...new Set(problems)];
}
