import { logger } from '../shared/logger';
import { metrics, MetricUnit } from '../shared/metrics';
import type { SnapshotRunResult } from './create';
import { CREATE_METRICS } from './metric-names';

/** One structured log line and the EMF metrics for a finished run. */
export function reportRun(result: SnapshotRunResult): void {
  const failures = result.outcomes.filter((o) => o.outcome === 'failed');
  logger.info('snapshot run finished', {
    runKey: result.runKey,
    volumes: result.volumes,
    created: result.created,
    skipped: result.skipped,
    failed: result.failed,
    strays: result.strays,
    expiredByCount: result.expiredByCount,
    ...(failures.length > 0 ? { failures } : {}),
  });
  metrics.addMetric(CREATE_METRICS.created, MetricUnit.Count, result.created);
  metrics.addMetric(CREATE_METRICS.skipped, MetricUnit.Count, result.skipped);
  metrics.addMetric(CREATE_METRICS.failed, MetricUnit.Count, result.failed);
  metrics.addMetric(CREATE_METRICS.strays, MetricUnit.Count, result.strays);
  metrics.addMetric(CREATE_METRICS.expiredByCount, MetricUnit.Count, result.expiredByCount);
  metrics.publishStoredMetrics();
}
