import { OpsError } from '../shared/errors';

/** The configured cluster does not exist (or is not visible to this function). */
export class ClusterNotFoundError extends OpsError {}

/** The cluster is not in a state that allows the requested step (e.g. ResizeCluster while modifying). */
export class ClusterNotReadyError extends OpsError {}

/** Redshift reports the resize this execution started as FAILED or ABORTED. */
export class ResizeFailedError extends OpsError {}

/** A DMS task named in REPLICATION_TASK_ARNS does not exist. */
export class ReplicationTaskNotFoundError extends OpsError {}
