import type { MetricSpec } from '../shared/metric-spec';

/**
 * EMF metrics of the snapshot functions (namespace METRICS_NAMESPACE, `service` = the function's asset name),
 * imported by the handlers and by the stack's dashboard.
 */

/** ebs-snapshot-create: one document per page of a run, dimension service only. */
export const CREATE_METRICS = {
  created: 'SnapshotsCreated',
  skipped: 'SnapshotsSkipped',
  failed: 'SnapshotsFailed',
  /** Snapshots of the run that no volume outcome named (a lost CreateSnapshot reply), found and recorded. */
  strays: 'SnapshotsStray',
  /** Managed snapshots beyond a volume's `count:N` whose record the page set to expire now. */
  expiredByCount: 'SnapshotsExpiredByCount',
} as const;

/** ebs-snapshot-delete: one document per stream batch, dimension service only. */
export const DELETE_METRICS = {
  deleted: 'SnapshotsDeleted',
  deleteFailed: 'SnapshotsDeleteFailed',
  /** Still used by an AMI (InvalidSnapshot.InUse): written back, tried again a day later. */
  inUse: 'SnapshotsInUse',
  /** Locked (DescribeLockedSnapshots): written back, tried again when the lock expires. */
  locked: 'SnapshotsLocked',
} as const;

/** ebs-snapshot-copy: one document per SQS batch, dimension service only. */
export const COPY_METRICS = {
  /** CopySnapshot calls that EC2 accepted. */
  started: 'CopiesStarted',
  /** A copy already there (found by its source-snapshot tag): a replay or a duplicate delivery. */
  found: 'CopiesFound',
  /** Left for a later delivery: copy limit, throttling, another delivery's claim, unknown outcome. */
  retried: 'CopiesRetried',
  /** Refused for another reason: retried too, and after the last receive the message goes to the failure queue. */
  failed: 'CopiesFailed',
  /** The source snapshot was deleted before it could be copied: nothing to retry. */
  sourceGone: 'CopySourceGone',
  /** Snapshots another tool made (no managed-by tag of this deployment): not copied. */
  ignored: 'CopiesIgnored',
} as const;

/** ebs-snapshot-start: one document per scheduled event. */
export const START_METRICS = {
  /** The previous run was still going, so this scheduled run was skipped. */
  skippedOverlap: 'RunsSkippedOverlap',
} as const;

/** ebs-snapshot-sweep: one document per sweep, dimension service only. */
export const SWEEP_METRICS = {
  expiredDeleted: 'SweepExpiredDeleted',
  errorDeleted: 'SweepErrorStateDeleted',
  deleteFailed: 'SweepDeleteFailed',
  inUse: 'SweepInUse',
  locked: 'SweepLocked',
  strays: 'SweepStraysRecorded',
  unfinished: 'SweepUnfinished',
  /** Recycle Bin retention rules that would keep our deleted snapshots. */
  recycleBinRules: 'RecycleBinRulesApplying',
  /** Tagged volumes whose newest snapshot is older than MAX_BACKUP_AGE_HOURS. */
  missingBackup: 'VolumesMissingBackup',
} as const;

export const CREATE_METRIC_SPECS: readonly MetricSpec[] = Object.values(CREATE_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
export const DELETE_METRIC_SPECS: readonly MetricSpec[] = Object.values(DELETE_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
export const SWEEP_METRIC_SPECS: readonly MetricSpec[] = Object.values(SWEEP_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
export const START_METRIC_SPECS: readonly MetricSpec[] = Object.values(START_METRICS).map(
  (name) => ({ name, dimensions: [] }),
);
export const COPY_METRIC_SPECS: readonly MetricSpec[] = Object.values(COPY_METRICS).map((name) => ({
  name,
  dimensions: [],
}));
