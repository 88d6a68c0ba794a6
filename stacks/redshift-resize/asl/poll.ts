/**
 * Bounded polls: each phase repeats a check until its outcome is known or its attempt bound is reached,
 * waiting its poll interval between checks; a timed-out phase raises an error into Recover.
 */
import { raise, S } from './blocks';
import type { DeployNumber, Phase, ResizeDefinitionTemplateInput } from './input';
import { maxPollAttempts } from './timing';
import type {
  AslChoiceRule,
  AslChoiceState,
  AslPassState,
  AslState,
  AslTaskState,
  AslWaitState,
} from './types';

export type States = Record<string, AslState<DeployNumber>>;
type ChoiceRule = AslChoiceRule<DeployNumber> & { Next: string };

/** What every phase reads: the input, and the bounds derived from it. */
export interface PhaseContext {
  readonly input: ResizeDefinitionTemplateInput;
  /** Checks of the phase before it counts as timed out. */
  readonly attempts: (phase: Phase) => DeployNumber;
  /** The phase timeout as message text: the number, or an interpolation of the expression. */
  readonly within: (phase: Phase) => string;
}

/** The context of the phases of one definition. */
export function phaseContext(input: ResizeDefinitionTemplateInput): PhaseContext {
  return {
    input,
    attempts: (phase) => maxPollAttempts(input, phase),
    within: (phase) => {
      const t = input.phaseTimeoutsSeconds[phase];
      return typeof t === 'number' ? String(t) : `\${${t.terraform}}`;
    },
  };
}

/** The counter states of one poll loop: init -> check ... Choice (again) -> count -> wait -> check. */
export interface PollLoopNames {
  readonly init: string;
  readonly check: string;
  readonly count: string;
  readonly wait: string;
}

/** The loop's counter states: init (attempts 0), count (attempts + 1) and wait. */
export function pollLoop(
  names: PollLoopNames,
  intervalSeconds: number,
): { init: AslPassState; count: AslPassState; wait: AslWaitState } {
  return {
    init: { Type: 'Pass', Result: { attempts: 0 }, ResultPath: '$.poll', Next: names.check },
    count: {
      Type: 'Pass',
      Parameters: { 'attempts.$': 'States.MathAdd($.poll.attempts, 1)' },
      ResultPath: '$.poll',
      Next: names.wait,
    },
    wait: { Type: 'Wait', Seconds: intervalSeconds, Next: names.check },
  };
}

/** After a check: the outcome rules first, then give up after `attempts` checks, else poll again. */
export function pollChoice(
  outcomes: ChoiceRule[],
  attempts: DeployNumber,
  givenUp: string,
  again: string,
): AslChoiceState<DeployNumber> {
  return {
    Type: 'Choice',
    Choices: [
      ...outcomes,
      { Variable: '$.poll.attempts', NumericGreaterThanEquals: attempts, Next: givenUp },
    ],
    Default: again,
  };
}

/** The names of a loop's states, in the order the loop first enters them. */
export const loop = (init: string, check: string, count: string, wait: string): PollLoopNames => ({
  init,
  check,
  count,
  wait,
});
/** The poll loop of each phase (the recovery's loop reuses the resume phase's bound and interval). */
const POLL_LOOPS: Record<Phase, PollLoopNames> = {
  stop: loop(S.initStopPoll, S.stopTasks, S.countStopPoll, S.waitForStop),
  snapshot: loop(S.initSnapshotPoll, S.checkSnapshot, S.countSnapshotPoll, S.waitForSnapshot),
  resize: loop(S.initResizePoll, S.checkResize, S.countResizePoll, S.waitForResize),
  overdue: loop(S.initOverduePoll, S.checkOverdue, S.countOverduePoll, S.waitForOverdue),
  resume: loop(S.initResumePoll, S.resumeTasks, S.countResumePoll, S.waitForResume),
};

interface PolledPhase {
  /** The task the loop repeats; its Next is `choice`. */
  readonly check: AslTaskState;
  readonly choice: string;
  /** Rules tested before the attempt bound (done, or failed for good). */
  readonly outcomes: ChoiceRule[];
  /** States of the outcomes that fail for good, placed before the timeout. */
  readonly failures?: States;
  readonly timedOut: string;
  /** Where the Choice goes once the attempts are spent. @default timedOut */
  readonly givenUp?: string;
  /** Where the timeout error goes. @default Recover */
  readonly timedOutNext?: string;
  readonly timeoutError: string;
  /** The timeout's Cause (an intrinsic function), given the phase timeout as text. */
  readonly timeoutCause: (within: string) => string;
}

/** A bounded poll: loop counter, check, Choice on the result, and the timeout error into Recover. */
export function polled(ctx: PhaseContext, phase: Phase, p: PolledPhase): States {
  const names = POLL_LOOPS[phase];
  const counter = pollLoop(names, ctx.input.pollIntervalsSeconds[phase]);
  return {
    [names.init]: counter.init,
    [names.count]: counter.count,
    [names.wait]: counter.wait,
    [names.check]: p.check,
    [p.choice]: pollChoice(p.outcomes, ctx.attempts(phase), p.givenUp ?? p.timedOut, names.count),
    ...p.failures,
    [p.timedOut]: raise(
      p.timeoutError,
      p.timeoutCause(ctx.within(phase)),
      p.timedOutNext ?? S.recover,
    ),
  };
}
