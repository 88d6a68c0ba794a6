import { OpsError } from '../shared/errors';

/** Thrown at the end of a snapshot run in which at least one volume failed (so the Errors alarm fires). */
export class SnapshotRunFailedError extends OpsError {}

/** DeleteSnapshot failed for any other reason; the stream record is reported as a batch item failure. */
export class SnapshotDeleteError extends OpsError {}

/**
 * A create call (CreateSnapshot takes no idempotency token) got no answer, or a server error: it may have
 * been applied; the caller checks by tag before creating again.
 */
export { OutcomeUnknownError } from '../shared/never-retry-blindly';
