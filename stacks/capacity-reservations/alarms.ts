import { Token } from 'cdktf';
import {
  POOL_DIMENSION,
  POOL_METRICS,
  RUN_METRICS,
} from '../../functions/capacity-reservation/metric-names';
import { SERVICE_DIMENSION } from '../../functions/shared/metric-spec';
import type { Alerts } from '../platform/alerts';
import { METRICS_NAMESPACE, serviceOf } from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { declareCapacityVariables } from './variables';

type CapacityVariables = ReturnType<typeof declareCapacityVariables>;

/** A Metrics Insights query with one time series per pool, as a multi-time-series alarm needs it. */
const perPoolMax = (metric: string, service: string) =>
  `SELECT MAX(${metric}) FROM "${METRICS_NAMESPACE}" WHERE ${SERVICE_DIMENSION} = '${service}' GROUP BY ${POOL_DIMENSION} ORDER BY MAX() DESC`;

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

  // Idle capacity bills at the On-Demand rate. The reserver records how long each pool has stayed under
  // capacity_idle_alarm_percent (IdleHours, from the row's Idle_Since), so the alarm needs only the latest datapoints:
  // a Metrics Insights alarm evaluates only the latest 3 hours, too short to look back over 24 hours itself.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
  // GROUP BY + ORDER BY make each pool a contributor with its own state (a multi-time-series alarm):
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html
  // 1 datapoint of 3 periods: a run that comes late does not flip a pool back to OK.
  alerts.alarm('capacity-idle', {
    alarmName: `${reserver.functionName}-capacity-idle`,
    alarmDescription:
      'A capacity pool stayed under capacity_idle_alarm_percent utilization for capacity_idle_alarm_hours (one contributor per Pool)',
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    threshold: v.idleHours.numberValue,
    evaluationPeriods: 3,
    datapointsToAlarm: 1,
    metricQuery: [
      {
        id: 'idle',
        label: 'Hours each pool has been idle',
        expression: perPoolMax(POOL_METRICS.idleHours, service),
        period: 300,
        returnData: true,
      },
    ],
  });

  // EC2 documents no warning event before an On-Demand Capacity Reservation ends (its "Expiration Warning" is for
  // Capacity Blocks), and its events carry no tags: the reserver, which knows each pool's reservations and their
  // EndDate, publishes ExpiringInstances per pool; each pool is a contributor of this alarm.
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-blocks-monitor.html
  alerts.alarm('capacity-expiring', {
    alarmName: `${reserver.functionName}-capacity-expiring`,
    alarmDescription:
      'Reservations of a capacity pool end within capacity_expiry_warning_hours (End_Date; one contributor per Pool)',
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 0,
    evaluationPeriods: 3,
    datapointsToAlarm: 1,
    metricQuery: [
      {
        id: 'expiring',
        label: 'Instances of each pool that end soon',
        expression: perPoolMax(POOL_METRICS.expiringInstances, service),
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
