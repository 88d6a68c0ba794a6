import { isThrottlingError } from '@smithy/core/retry';
import { type HasMiddleware, judgeErrors } from './aws';
import { errorText, OpsError } from './errors';

/**
 * A non-idempotent write got no answer, or a server error: it may have been applied, so it must not be sent
 * again blindly (neverRetryBlindly below). No `cause`: the SDK's retry classifier follows it and
 * would retry; the SDK's error is kept as `sdkError` instead.
 */
export class OutcomeUnknownError extends OpsError {
  constructor(
    message: string,
    readonly sdkError: unknown,
  ) {
    super(message);
  }

  /** `<Operation> may have been applied: <the SDK's error>`, as the error class it is called on. */
  static forCommand<T extends OutcomeUnknownError>(
    this: new (message: string, sdkError: unknown) => T,
    commandName: string,
    sdkError: unknown,
  ): T {
    const operation = commandName.replace(/Command$/, '');
    return new this(`${operation} may have been applied: ${errorText(sdkError)}`, sdkError);
  }
}

/** The writes a client must never send again blindly, and the error that reports one (one per handler). */
export interface NonIdempotentWrites {
  /** SDK command names, e.g. 'CreateSnapshotCommand'; each with the documentation that says it has no token. */
  readonly commands: readonly string[];
  /**
   * The error thrown instead of the SDK's: OutcomeUnknownError or a subclass (no `cause`, so the SDK's retry
   * does not retry it).
   */
  readonly outcomeUnknown: typeof OutcomeUnknownError;
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/**
 * Never retries a non-idempotent write blindly (kept out of aws.ts, which every bundle imports, so that only
 * the bundles that use it change with it): a listed command that got no answer or a server error (5xx)
 * may have been applied, so its error becomes `outcomeUnknown` (not retried) and the caller reads the state
 * back. Throttling is a refusal, so it stays retried with backoff, as does every other command.
 */
export function neverRetryBlindly<C extends HasMiddleware>(
  client: C,
  writes: NonIdempotentWrites,
): C {
  return judgeErrors(client, 'neverRetryNonIdempotentBlindly', (error, commandName) => {
    const status = statusOf(error);
    if (
      writes.commands.includes(commandName) &&
      (status === undefined || status >= 500) &&
      !isThrottlingError(error as Parameters<typeof isThrottlingError>[0])
    )
      throw writes.outcomeUnknown.forCommand(commandName, error);
  });
}
