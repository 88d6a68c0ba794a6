import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { InvalidEventError } from './errors';

/** A zod schema, or a Powertools envelope bound to one (its ParseError carries the ZodError as `cause`). */
export interface Parser<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: Error };
}

const pathOf = (issue: z.core.$ZodIssue): string => issue.path.join('.') || '(root)';

function issuesOf(error: Error): readonly z.core.$ZodIssue[] | undefined {
  if (error instanceof z.ZodError) return error.issues;
  return error.cause instanceof z.ZodError ? error.cause.issues : undefined;
}

/** `path: problem; ...` for every issue, so one message names everything that is missing or wrong. */
function formatIssues(error: Error): string {
  return (
    issuesOf(error)
      ?.map((i) => `${pathOf(i)}: ${i.message}`)
      .join('; ') ?? error.message
  );
}

/** Only the paths of the issues: for input whose values must not reach a message (a secret). */
export function issuePaths(error: Error): string {
  return issuesOf(error)?.map(pathOf).join(', ') ?? '(unknown)';
}

/**
 * Parses untrusted input; on failure throws what `fail` makes of the readable issue list (every
 * issue, each with its path) and the parse error.
 */
export function parseOrThrow<T>(
  parser: Parser<T>,
  input: unknown,
  fail: (issues: string, error: Error) => Error,
): T {
  const parsed = parser.safeParse(input);
  if (!parsed.success) throw fail(formatIssues(parsed.error), parsed.error);
  return parsed.data;
}

/**
 * Parses an invoking event (or a message inside one) before any AWS call. A bad one is an
 * InvalidEventError `expected <what>: <every issue>`, with the parse error as its cause.
 */
export function parseEvent<T>(parser: Parser<T>, event: unknown, expected: string): T {
  return parseOrThrow(
    parser,
    event,
    (issues, cause) => new InvalidEventError(`expected ${expected}: ${issues}`, { cause }),
  );
}

/** The EventBridge "Scheduled Event" a schedule rule sends (source aws.events, detail `{}`). */
export const ScheduledEventSchema = EventBridgeSchema.extend({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
});

/** A scheduled event from a rule that is not the function's own: the handler makes no AWS call. */
export class ForeignScheduleError extends InvalidEventError {}

/**
 * Parses a scheduled event and checks it comes from the function's own rule (its ARN is in `resources`,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html). A rule of another
 * automation wired to this function by mistake fails here, before any AWS call, so the error alarm fires.
 */
export function parseOwnSchedule(
  event: unknown,
  ownRuleArn: string,
): z.infer<typeof ScheduledEventSchema> {
  const scheduled = parseEvent(ScheduledEventSchema, event, 'an EventBridge Scheduled Event');
  if (!scheduled.resources.includes(ownRuleArn))
    throw new ForeignScheduleError(
      `scheduled event from ${JSON.stringify(scheduled.resources)}, not from this function's rule ${ownRuleArn}`,
    );
  return scheduled;
}
