import type { MetricSpec } from '../shared/metric-spec';

/**
 * EMF metrics of the Spot signal function (namespace METRICS_NAMESPACE, `service` = ecs-spot-signals, the
 * ecs-spot-api stack's POWERTOOLS_SERVICE_NAME), imported by the function and by the stack's alarm and dashboard.
 */

/** Value of POWERTOOLS_SERVICE_NAME, and the `service` dimension of the signal metrics. */
export const SPOT_SIGNAL_SERVICE_NAME = 'ecs-spot-signals';

/** The two EC2 events the function receives, by their EventBridge detail-type, and the name each is counted under. */
export const SPOT_SIGNALS = {
  'EC2 Spot Instance Interruption Warning': 'InterruptionWarning',
  'EC2 Instance Rebalance Recommendation': 'RebalanceRecommendation',
} as const;
export type SpotSignalDetailType = keyof typeof SPOT_SIGNALS;
export type SpotSignal = (typeof SPOT_SIGNALS)[SpotSignalDetailType];

export const SIGNAL_DIMENSION = 'Signal';
export const INSTANCE_TYPE_DIMENSION = 'InstanceType';
export const ZONE_DIMENSION = 'AvailabilityZone';

export const SPOT_SIGNAL_METRICS = {
  /**
   * 1 per signal that hit an instance of this stack, written twice: dimensions service + Signal (the alarm, the
   * totals) and service + Signal + InstanceType + AvailabilityZone (the dashboard's breakdown).
   */
  signals: 'SpotSignals',
} as const;

export const SPOT_SIGNAL_METRIC_SPECS: readonly MetricSpec[] = [
  { name: SPOT_SIGNAL_METRICS.signals, dimensions: [SIGNAL_DIMENSION] },
  {
    name: SPOT_SIGNAL_METRICS.signals,
    dimensions: [SIGNAL_DIMENSION, INSTANCE_TYPE_DIMENSION, ZONE_DIMENSION],
  },
];
