import { OpsError } from '../shared/errors';

/** Thrown at the end of a snapshot run in which at least one volume failed (so the Errors alarm fires). */
export class SnapshotRunFailedError extends OpsError {}

/** DeleteSnapshot refused because an AMI (or other resource) still uses the snapshot. */
export class SnapshotInUseError extends OpsError {}

/** DeleteSnapshot failed for any other reason; the stream record is reported as a batch item failure. */
export class SnapshotDeleteError extends OpsError {}
