/**
 * What each Redshift cluster status means for a resize. The list is Redshift's own: ClusterStatus in
 * https://docs.aws.amazon.com/redshift/latest/APIReference/API_Cluster.html and the status table in
 * https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-mgmt-cluster-status
 * Every status the guard and the resize step compare against is classified here, and nowhere else.
 */

/** The cluster can take a resize now. */
type Actionable = 'ready';
/** A resize is running (or being set up, cleaned up or cancelled): wait for it, never start another. */
type Resizing = 'resizing';
/** Another operation holds the cluster for minutes: try again later. */
type Busy = 'busy';
/** Only a person can bring the cluster back (deleted, broken, misconfigured, paused by someone). */
type Blocked = 'blocked';
export type StatusClass = Actionable | Resizing | Busy | Blocked;

export const CLUSTER_STATUSES: Readonly<Record<string, StatusClass>> = {
  available: 'ready',
  // "The cluster has reached its storage capacity. Resize the cluster to add nodes or to choose a
  // different node size": the state this automation exists for.
  'storage-full': 'ready',
  // Elastic resize phases; the cluster serves reads and writes, but cluster operations are unavailable.
  'available, prep-for-resize': 'resizing',
  'available, resize-cleanup': 'resizing',
  'prep-for-resize': 'resizing',
  'resize-cleanup': 'resizing',
  resizing: 'resizing',
  'cancelling-resize': 'resizing',
  creating: 'busy',
  modifying: 'busy',
  rebooting: 'busy',
  renaming: 'busy',
  'rotating-keys': 'busy',
  'updating-hsm': 'busy',
  paused: 'blocked',
  deleting: 'blocked',
  'final-snapshot': 'blocked',
  'hardware-failure': 'blocked',
  'incompatible-hsm': 'blocked',
  'incompatible-network': 'blocked',
  'incompatible-parameters': 'blocked',
  'incompatible-restore': 'blocked',
};

/** The class of a status; one Redshift adds later is blocked until it is classified here. */
export function classifyStatus(status: string | undefined): StatusClass {
  if (status === undefined) return 'blocked';
  return Object.prototype.hasOwnProperty.call(CLUSTER_STATUSES, status)
    ? (CLUSTER_STATUSES[status] as StatusClass)
    : 'blocked';
}

/** Whether ResizeCluster may be called in this status (available, or storage-full). */
export const canResize = (status: string | undefined) => classifyStatus(status) === 'ready';

/**
 * Whether the cluster takes writes: "available" and its elastic-resize variants (status table above). Not
 * storage-full: DMS resumed into a full cluster would only fail.
 */
export const isWritableStatus = (status: string | undefined) =>
  status !== undefined && status.startsWith('available');
