import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { logger } from '../shared/logger';

/** The cluster's latest PercentageDiskSpaceUsed datapoint, or nulls when CloudWatch has none (or failed). */
export interface DiskUsage {
  /** Percent of disk space used, one decimal. */
  readonly diskUsedPercent: number | null;
  /** Timestamp of that datapoint: the metric lags, so an "after" reading says when it was measured. */
  readonly diskUsedAt: string | null;
}

/** How far back the latest datapoint is looked for (the alarm evaluates 5-minute periods). */
const LOOKBACK_MINUTES = 30;
const PERIOD_SECONDS = 300;

/**
 * Reads AWS/Redshift PercentageDiskSpaceUsed (dimension ClusterIdentifier,
 * https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html) with GetMetricData, newest first
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html). Informational
 * only: a failed read is logged and reported as unknown, never a reason to stop a resize or its notification.
 */
export async function readDiskUsage(
  cloudwatch: CloudWatchClient,
  clusterId: string,
  now: Date,
): Promise<DiskUsage> {
  try {
    const reply = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - LOOKBACK_MINUTES * 60_000),
        EndTime: now,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          {
            Id: 'disk',
            ReturnData: true,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Redshift',
                MetricName: 'PercentageDiskSpaceUsed',
                Dimensions: [{ Name: 'ClusterIdentifier', Value: clusterId }],
              },
              Period: PERIOD_SECONDS,
              Stat: 'Average',
            },
          },
        ],
      }),
    );
    const result = reply.MetricDataResults?.find((r) => r.Id === 'disk');
    const latest = newest(result?.Timestamps ?? [], result?.Values ?? []);
    return latest ?? { diskUsedPercent: null, diskUsedAt: null };
  } catch (error) {
    logger.warn('could not read the disk usage; reported as unknown', { clusterId, error });
    return { diskUsedPercent: null, diskUsedAt: null };
  }
}

/** The newest datapoint, whatever order CloudWatch returned (Timestamps and Values are parallel lists). */
function newest(timestamps: readonly Date[], values: readonly number[]): DiskUsage | undefined {
  let best: { at: Date; value: number } | undefined;
  timestamps.forEach((at, i) => {
    const value = values[i];
    if (value === undefined || !Number.isFinite(value)) return;
    if (best === undefined || at.getTime() > best.at.getTime()) best = { at, value };
  });
  return best === undefined
    ? undefined
    : {
        diskUsedPercent: Math.round(best.value * 10) / 10,
        diskUsedAt: new Date(best.at).toISOString(),
      };
}
