import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { z } from 'zod';
import { readDiskUsage, type DiskUsage } from './disk-usage';
import type { ReportEventSchema } from './events';

/** What the success notification adds to the guard's numbers: the disk usage after, and the pause. */
export interface RunReport extends DiskUsage {
  readonly reportedAt: string;
  /** Seconds from the guard's decision to DMS running again; 0 when no task was paused. */
  readonly replicationPausedSeconds: number;
}

export async function reportRun(
  clients: { readonly cloudwatch: CloudWatchClient },
  clusterId: string,
  request: z.infer<typeof ReportEventSchema>,
  now: Date,
): Promise<RunReport> {
  const disk = await readDiskUsage(clients.cloudwatch, clusterId, now);
  const end = request.resumedAt ? new Date(request.resumedAt.reportedAt) : now;
  const paused =
    request.taskArns.length === 0
      ? 0
      : Math.max(0, Math.round((end.getTime() - new Date(request.pausedAt).getTime()) / 1000));
  return { ...disk, reportedAt: now.toISOString(), replicationPausedSeconds: paused };
}
