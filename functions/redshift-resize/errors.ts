import { OpsError } from '../shared/errors';

/** The configured cluster does not exist (or is not visible to this function). */
export class ClusterNotFoundError extends OpsError {}

/** The cluster is not in a state that allows the requested step (e.g. ResizeCluster while modifying). */
export class ClusterNotReadyError extends OpsError {}

/** Redshift reports the resize this execution started as FAILED or ABORTED. */
export class ResizeFailedError extends OpsError {}

/** A DMS task named in REPLICATION_TASK_ARNS does not exist. */
export class ReplicationTaskNotFoundError extends OpsError {}

/**
 * A request whose every reply was lost (the connection reset after the SDK's last attempt): it may have been
 * applied. Named so the workflow's Retry runs the step again; each step re-reads the cluster or the tasks
 * before it writes, so the re-run finds a write that was applied. Lambda reports a thrown error's `name` as
 * its errorType, which Step Functions matches in Retry:
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html ,
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export class ReplyLostError extends OpsError {}

/** Node's network error codes the JS SDK retries as transient; the service never answered. */
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** The error a handler throws: ReplyLostError when no reply came, else the error itself. */
export function namedWhenReplyLost(error: unknown): unknown {
  const e = error as { code?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  const answered = e?.$metadata?.httpStatusCode !== undefined;
  if (!(error instanceof Error) || answered || !NETWORK_ERROR_CODES.has(String(e?.code)))
    return error;
  return new ReplyLostError(`no reply from AWS (${error.message}); the request may have applied`, {
    cause: error,
  });
}
