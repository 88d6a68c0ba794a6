import type { MetricSpec } from '../shared/metric-spec';

/**
 * EMF metrics of the snapshot functions (namespace METRICS_NAMESPACE, `service` = the function's asset name),
 * imported by the handlers and by the stack's dashboard.
 */

/** ebs-snapshot-create: one document per scheduled run, dimension service only. */
export const CREATE_METRICS = {
  created: 'SnapshotsCreated',
  skipped: 'SnapshotsSkipped',
  failed: 'SnapshotsFailed',
  /** Snapshots of the run that no volume outcome named (a lost CreateSnapshot reply), found and recorded. */
  strays: 'SnapshotsStray',
} as const;

/** ebs-snapshot-delete: one document per stream batch, dimension service only. */
export const DELETE_METRICS = {
  deleted: 'SnapshotsDeleted',
  deleteFailed: 'SnapshotsDeleteFailed',
  /** Still used by an AMI (InvalidSnapshot.InUse): retried, then the failure queue. */
  inUse: 'SnapshotsInUse',
} as const;

export const CREATE_METRIC_SPECS: readonly MetricSpec[] = Object.values(CREATE_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
export const DELETE_METRIC_SPECS: readonly MetricSpec[] = Object.values(DELETE_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
