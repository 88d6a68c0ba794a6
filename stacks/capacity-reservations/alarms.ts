import { Token } from 'cdktf';
import { POOL_METRICS, RUN_METRICS } from '../../functions/capacity-reservation/metric-names';
import { SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import type { Alerts } from '../platform/alerts';
import { METRICS_NAMESPACE, serviceOf } from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { declareCapacityVariables } from './variables';

type CapacityVariables = ReturnType<typeof declareCapacityVariables>;

/** The reserver's own alarms, all to the alerts topic. */
export function capacityAlarms(alerts: Alerts, reserver: NodeFunction, v: CapacityVariables): void {
  const service = serviceOf(reserver);
  alerts.alarm('capacity-gap', {
    alarmName: `${reserver.functionName}-capacity-gap`,
    alarmDescription:
      'A capacity pool stayed below its target capacity (CapacityGap > 0) for capacity_gap_alarm_periods runs',
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 0,
    evaluationPeriods: v.gapPeriods.numberValue,
    datapointsToAlarm: v.gapPeriods.numberValue,
    // The handler publishes CapacityGap per pool (dimensions service + Pool); a Metrics Insights query
    // takes the largest gap of every pool of this function, whatever its dimension set.
    metricQuery: [
      {
        id: 'gap',
        label: 'Largest capacity gap of any pool',
        expression: `SELECT MAX(${POOL_METRICS.gap}) FROM "${METRICS_NAMESPACE}" WHERE ${SERVICE_DIMENSION} = '${service}'`,
        period: 300,
        returnData: true,
      },
    ],
  });

  // No completed run for the window, whatever the reason (errors, a lock left by a killed run, no
  // invocation at all): missing data is exactly what this alarm is about, so it breaches.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
  // Period x EvaluationPeriods may not pass one day under a one-hour period: 1440 minutes is the variable's cap.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
  const periods = Token.asNumber('${floor(var.capacity_stale_alarm_minutes / 5)}');
  alerts.alarm('reconcile-stale', {
    alarmName: `${reserver.functionName}-stale`,
    alarmDescription:
      'No reconciliation completed for capacity_stale_alarm_minutes (failing runs, a stale database lock, or no invocation)',
    namespace: METRICS_NAMESPACE,
    metricName: RUN_METRICS.runsCompleted,
    dimensions: { [SERVICE_DIMENSION]: service },
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    comparisonOperator: 'LessThanThreshold',
    threshold: 1,
    treatMissingData: 'breaching',
  });
}
