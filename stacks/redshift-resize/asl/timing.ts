/**
 * The workflow's timing bounds, each written once as a formula over deploy-time numbers: a plain number
 * when every timeout is a number, otherwise a Terraform expression computing exactly the same value.
 */
import {
  NumericExpression,
  type DeployNumber,
  type DeployPhaseSeconds,
  type Phase,
  type ResizePhaseSeconds,
} from './input';

/**
 * Step Functions' limit for a STANDARD execution: one year.
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_EXECUTION_TIMEOUT_SECONDS = 365 * 24 * 3600;
/** Budget for the non-polling states (guard, select, snapshot/resize calls, notifications, retries). */
const FIXED_OVERHEAD_SECONDS = 900;
/**
 * Each poll iteration also spends time in its Task; allow 20 % (6/5, a ratio both JavaScript and Terraform
 * compute exactly for whole numbers) on top of the nominal phase bounds.
 */
const POLL_OVERHEAD = { times: 6, over: 5 } as const;

type Operator = '+' | '*' | '/';
/** A formula: a deploy-time number, an arithmetic operation, or a call of ceil/max (same name in Terraform). */
type Term =
  | DeployNumber
  | { readonly op: Operator; readonly left: Term; readonly right: Term }
  | { readonly fn: 'ceil' | 'max'; readonly args: readonly Term[] };

const sum = (...terms: Term[]): Term => terms.reduce((left, right) => ({ op: '+', left, right }));
const times = (left: Term, right: Term): Term => ({ op: '*', left, right });
const over = (left: Term, right: Term): Term => ({ op: '/', left, right });
const ceil = (term: Term): Term => ({ fn: 'ceil', args: [term] });
const max = (...args: Term[]): Term => ({ fn: 'max', args });

const OPERATIONS: Record<Operator, (left: number, right: number) => number> = {
  '+': (left, right) => left + right,
  '*': (left, right) => left * right,
  '/': (left, right) => left / right,
};
const PRECEDENCE: Record<Operator, number> = { '+': 1, '*': 2, '/': 2 };

/** The term's value, or undefined when it holds a Terraform expression. */
function evaluate(term: Term): number | undefined {
  if (typeof term === 'number') return term;
  if (term instanceof NumericExpression) return undefined;
  if ('op' in term) {
    const [left, right] = [evaluate(term.left), evaluate(term.right)];
    return left === undefined || right === undefined ? undefined : OPERATIONS[term.op](left, right);
  }
  const args = term.args.map(evaluate);
  if (!args.every((arg): arg is number => arg !== undefined)) return undefined;
  return term.fn === 'ceil' ? Math.ceil(args[0] as number) : Math.max(...args);
}

const precedenceOf = (term: Term) =>
  typeof term === 'object' && 'op' in term ? PRECEDENCE[term.op] : Infinity;

/** Terraform text of the term, with the parentheses its operators need (left-associative, as in JavaScript). */
function render(term: Term): string {
  if (typeof term === 'number') return String(term);
  if (term instanceof NumericExpression)
    return /^[A-Za-z_][\w.]*$/.test(term.terraform) ? term.terraform : `(${term.terraform})`;
  if ('fn' in term) return `${term.fn}(${term.args.map(render).join(', ')})`;
  const own = PRECEDENCE[term.op];
  const left = precedenceOf(term.left) < own ? `(${render(term.left)})` : render(term.left);
  const right = precedenceOf(term.right) <= own ? `(${render(term.right)})` : render(term.right);
  return `${left} ${term.op} ${right}`;
}

const valueOf = (term: Term): DeployNumber => evaluate(term) ?? new NumericExpression(render(term));

interface PhaseTiming<T> {
  readonly phaseTimeoutsSeconds: T;
  readonly pollIntervalsSeconds: ResizePhaseSeconds;
}

const pollAttempts = (input: PhaseTiming<DeployPhaseSeconds>, phase: Phase) =>
  max(1, ceil(over(input.phaseTimeoutsSeconds[phase], input.pollIntervalsSeconds[phase])));

function replicationPause({
  phaseTimeoutsSeconds: t,
}: {
  phaseTimeoutsSeconds: DeployPhaseSeconds;
}) {
  const polled = sum(t.stop, t.snapshot, t.resize, t.overdue, times(2, t.resume));
  return sum(
    ceil(over(times(polled, POLL_OVERHEAD.times), POLL_OVERHEAD.over)),
    FIXED_OVERHEAD_SECONDS,
  );
}

const minimumExecution = (input: { phaseTimeoutsSeconds: DeployPhaseSeconds }) =>
  sum(replicationPause(input), FIXED_OVERHEAD_SECONDS);

/** Checks of a phase before it counts as timed out: max(1, ceil(timeout / interval)). */
export function maxPollAttempts(input: PhaseTiming<ResizePhaseSeconds>, phase: Phase): number;
export function maxPollAttempts(input: PhaseTiming<DeployPhaseSeconds>, phase: Phase): DeployNumber;
export function maxPollAttempts(input: PhaseTiming<DeployPhaseSeconds>, phase: Phase) {
  return valueOf(pollAttempts(input, phase));
}

/**
 * Longest time replication can stay paused by an execution that is not killed: stop + snapshot + resize +
 * resume, plus the resume-on-failure loop. Aurora binlog retention must outlast it (see the README).
 */
export function maxReplicationPauseSeconds(input: {
  phaseTimeoutsSeconds: ResizePhaseSeconds;
}): number;
export function maxReplicationPauseSeconds(input: {
  phaseTimeoutsSeconds: DeployPhaseSeconds;
}): DeployNumber;
export function maxReplicationPauseSeconds(input: { phaseTimeoutsSeconds: DeployPhaseSeconds }) {
  return valueOf(replicationPause(input));
}

/** Smallest execution TimeoutSeconds that never cuts a bounded path (and so never strands stopped DMS tasks). */
export function minimumExecutionTimeoutSeconds(input: {
  phaseTimeoutsSeconds: ResizePhaseSeconds;
}): number;
export function minimumExecutionTimeoutSeconds(input: {
  phaseTimeoutsSeconds: DeployPhaseSeconds;
}): DeployNumber;
export function minimumExecutionTimeoutSeconds(input: {
  phaseTimeoutsSeconds: DeployPhaseSeconds;
}) {
  return valueOf(minimumExecution(input));
}

/** An execution TimeoutSeconds of at least `floorSeconds` that never cuts a bounded path. */
export function backstopTimeoutSeconds(
  floorSeconds: number,
  input: { phaseTimeoutsSeconds: DeployPhaseSeconds },
): DeployNumber {
  return valueOf(max(floorSeconds, minimumExecution(input)));
}
