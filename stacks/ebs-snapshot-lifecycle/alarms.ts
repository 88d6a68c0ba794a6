import { DELETE_METRICS, SWEEP_METRICS } from '../../functions/ebs-snapshot/metric-names';
import { METRICS_NAMESPACE } from '../../functions/shared/metric-spec';
import type { Alerts } from '../platform/alerts';
import type { NodeFunction } from '../platform/node-function';

/** The stream may hold records 24 hours; an hour behind already means deletes are stuck. */
const ITERATOR_AGE_LIMIT_MS = 3_600_000;

/** Any positive value of one of the function's EMF metrics in a period notifies the topic. */
function metricAbove0(
  alerts: Alerts,
  id: string,
  fn: NodeFunction,
  asset: string,
  metricName: string,
  what: string,
  period: number,
): void {
  alerts.alarm(id, {
    alarmName: `${fn.functionName}-${id}`,
    alarmDescription: `${fn.functionName}: ${what}`,
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensions: { service: asset },
    statistic: 'Sum',
    period,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
  });
}

/**
 * Alarms the delete path needs besides function errors: the delete handler reports a failed delete as a
 * metric (its record is written back, so the invocation does not fail), the stream can fall behind, and a
 * tagged volume can miss its backup without any function failing.
 * IteratorAge: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 */
export function lifecycleAlarms(alerts: Alerts, remove: NodeFunction, sweep: NodeFunction): void {
  metricAbove0(
    alerts,
    'delete-failed',
    remove,
    'ebs-snapshot-delete',
    DELETE_METRICS.deleteFailed,
    'expired snapshots could not be deleted (kept for a later try)',
    3600,
  );
  metricAbove0(
    alerts,
    'in-use',
    remove,
    'ebs-snapshot-delete',
    DELETE_METRICS.inUse,
    'expired snapshots still used by an AMI',
    3600,
  );
  metricAbove0(
    alerts,
    'missed-backup',
    sweep,
    'ebs-snapshot-sweep',
    SWEEP_METRICS.missingBackup,
    'tagged volumes without a recent snapshot',
    3600,
  );
  alerts.alarm('stream-behind', {
    alarmName: `${remove.functionName}-iterator-age`,
    alarmDescription: `${remove.functionName} is more than an hour behind the table's stream`,
    namespace: 'AWS/Lambda',
    metricName: 'IteratorAge',
    dimensions: { FunctionName: remove.functionName },
    statistic: 'Maximum',
    period: 300,
    evaluationPeriods: 1,
    threshold: ITERATOR_AGE_LIMIT_MS,
    comparisonOperator: 'GreaterThanThreshold',
  });
}
