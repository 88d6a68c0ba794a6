import { OpsError } from '../shared/errors';

/** Thrown at the end of a snapshot run in which at least one volume failed (so the Errors alarm fires). */
export class SnapshotRunFailedError extends OpsError {}

/** DeleteSnapshot failed for any other reason; the stream record is reported as a batch item failure. */
export class SnapshotDeleteError extends OpsError {}

/**
 * A create call (CreateSnapshot takes no idempotency token) got no answer, or a server error: it may have
 * been applied. The SDK must not retry it blindly, so this error carries no `cause` (the SDK's retry
 * classifier follows `cause`) and keeps the SDK's error as `sdkError` instead.
 */
export class OutcomeUnknownError extends OpsError {
  constructor(
    message: string,
    readonly sdkError: unknown,
  ) {
    super(message);
  }
}
