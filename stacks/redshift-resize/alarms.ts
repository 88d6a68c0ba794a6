import { METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import {
  GROWTH_BLOCKED_REASONS,
  GUARD_METRICS,
  REASON_DIMENSION,
} from '../../functions/redshift-resize/metric-names';
import { Token } from 'cdktf';
import type { Alerts } from '../platform/alerts';
import { insightsQuery, serviceOf, type SeriesOptions } from '../platform/dashboard-series';
import type { NodeFunction } from '../platform/node-function';

/** One hour: at least one re-check tick falls in every period, so a lasting block keeps its alarm in ALARM. */
const BLOCKED_PERIOD_SECONDS = 3600;

/**
 * "Growth blocked" alarms: one per blocking skip reason, on the guard's ResizeSkipped metric with that
 * Reason. A re-check run skips quietly, so these alarms are how a block is told: once when it starts, once
 * when it clears (CloudWatch performs alarm actions only on state transitions).
 */
export function growthBlockedAlarms(alerts: Alerts, guard: NodeFunction, stateMachineName: string) {
  for (const [reason, meaning] of Object.entries(GROWTH_BLOCKED_REASONS)) {
    alerts.alarm(`growth-blocked-${reason.toLowerCase().replace(/_/g, '-')}`, {
      alarmName: `${stateMachineName}-growth-blocked-${reason}`,
      alarmDescription: `${stateMachineName}: the disk stays full but the cluster cannot grow: ${meaning}. Raise the limit or resize by hand.`,
      namespace: METRICS_NAMESPACE,
      metricName: GUARD_METRICS.skipped,
      dimensions: { [SERVICE_DIMENSION]: serviceOf(guard), [REASON_DIMENSION]: reason },
      statistic: 'Sum',
      period: BLOCKED_PERIOD_SECONDS,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
  }
}

/** A Metrics Insights alarm evaluates only the last 3 hours: 36 periods of 5 minutes. */
const MAX_INSIGHTS_PERIODS = 36;

/**
 * The largest PercentageDiskSpaceUsed of any node, the per-node alarm's query and its dashboard graph.
 * PercentageDiskSpaceUsed has the dimensions NodeID and ClusterIdentifier, NodeID
 * "Compute-N" or "Shared" for a single node, reported for compute nodes only
 * (https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html). One Metrics Insights query
 * without GROUP BY returns a single series, the largest value of any node: the aggregate form CloudWatch
 * documents for "the maximum ... across all your instances"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html); it
 * sees new nodes after a resize without a change. Only the latest 3 hours count for its evaluation
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html).
 */
export const fullestNodeDisk = (clusterId: string, options: SeriesOptions = {}) =>
  insightsQuery(
    {
      namespace: 'AWS/Redshift',
      metricName: 'PercentageDiskSpaceUsed',
      aggregate: 'MAX',
      dimensionKeys: ['ClusterIdentifier', 'NodeID'],
      where: { ClusterIdentifier: clusterId },
    },
    options,
  );

/**
 * The per-node disk alarm on fullestNodeDisk. It notifies the topic and starts no run: the trigger's
 * subscription takes the disk alarm only, and a skewed node is first a table distribution question.
 */
export function nodeDiskAlarm(
  alerts: Alerts,
  props: {
    readonly alarmName: string;
    readonly clusterId: string;
    readonly thresholdVariable: string;
    readonly periodsVariable: string;
  },
) {
  return alerts.alarm('disk-space-node', {
    alarmName: props.alarmName,
    alarmDescription: `Redshift ${props.clusterId}: one node's PercentageDiskSpaceUsed at or above ${props.thresholdVariable}, whatever the cluster average. Check table skew (SVV_TABLE_INFO) or resize by hand.`,
    metricQuery: [
      {
        id: 'node',
        label: 'PercentageDiskSpaceUsed of the fullest node',
        expression: fullestNodeDisk(props.clusterId).expression,
        period: 300,
        returnData: true,
      },
    ],
    threshold: Token.asNumber(`\${var.${props.thresholdVariable}}`),
    evaluationPeriods: Token.asNumber(
      `\${min(var.${props.periodsVariable}, ${MAX_INSIGHTS_PERIODS})}`,
    ),
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    // As the cluster alarm: no datapoints while the cluster resizes keeps the state.
    treatMissingData: 'missing',
  });
}
