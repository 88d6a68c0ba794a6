import { METRICS_NAMESPACE, SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import {
  GROWTH_BLOCKED_REASONS,
  GUARD_METRICS,
  REASON_DIMENSION,
} from '../../functions/redshift-resize/metric-names';
import type { Alerts } from '../platform/alerts';
import { serviceOf } from '../platform/dashboard-series';
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
