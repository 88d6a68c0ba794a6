import type { MetricSpec } from '../shared/metric-spec';

/** Value of POWERTOOLS_SERVICE_NAME of the fallback function, and the `service` dimension of its metrics. */
export const SPOT_FALLBACK_SERVICE_NAME = 'ecs-spot-fallback';
export const DIRECTION_DIMENSION = 'Direction';
export const DIRECTIONS = { fallback: 'ToOnDemand', normal: 'ToConfiguredSplit' } as const;

export const SPOT_FALLBACK_METRICS = {
  /** 1 per shift of the service's strategy, per Direction. */
  shifts: 'SpotFallbackShifts',
  /** 1 per run that wanted a shift the minimum interval held back. */
  held: 'SpotFallbackHeld',
} as const;

export const SPOT_FALLBACK_METRIC_SPECS: readonly MetricSpec[] = [
  { name: SPOT_FALLBACK_METRICS.shifts, dimensions: [DIRECTION_DIMENSION] },
  { name: SPOT_FALLBACK_METRICS.held, dimensions: [] },
];
