import { z } from 'zod';

/**
 * Payloads the state machine (stacks/redshift-resize/asl/states.ts) sends to the step handlers. The
 * definition builds them with Parameters; these schemas are the other half of that contract.
 */

export const GuardEventSchema = z.object({
  /** $$.Execution.Name: the snapshot identifier is derived from it. */
  executionName: z.string().min(1).max(80),
});

const TaskArnList = z.array(z.string().min(1)).max(100);
const IsoTime = z.iso.datetime({ offset: true });

/**
 * The guard function's second job, once the tasks run again: the disk usage after the resize and how long
 * replication was paused (from the guard's decision to now, or to `resumedAt` when DMS was resumed while an
 * RA3 classic resize went on). Reads only.
 */
export const ReportEventSchema = z.object({
  action: z.literal('report'),
  /** $.guard.evaluatedAt. */
  pausedAt: IsoTime,
  /** The tasks this run paused; none paused means no pause. */
  taskArns: TaskArnList,
  /** $.earlyResume.resumedAt: set when DMS was resumed during the resize. */
  resumedAt: z.object({ reportedAt: IsoTime }).nullish(),
});

export const ReplicationEventSchema = z.discriminatedUnion('action', [
  /** Find the tasks to pause: those replicating into the cluster that are running now. Reads only. */
  z.object({ action: z.literal('select') }),
  /** Stop the given tasks (idempotent; call again until `settled`). */
  z.object({ action: z.literal('stop'), taskArns: TaskArnList }),
  /** Resume exactly the given tasks (idempotent, tolerant of running tasks; call again until `settled`). */
  z.object({ action: z.literal('resume'), taskArns: TaskArnList }),
]);

export const ResizeEventSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('start'),
    targetNodeCount: z.number().int().min(1).max(128),
    classic: z.boolean(),
    nodeType: z.string().min(1),
  }),
  z.object({
    action: z.literal('status'),
    targetNodeCount: z.number().int().min(1).max(128),
    nodeType: z.string().min(1).optional(),
    /** StartResize's baseline: the DescribeResize record from before this run's resize. */
    baseline: z
      .object({
        status: z.string().nullable(),
        targetNumberOfNodes: z.number().nullable(),
        targetNodeType: z.string().nullable(),
        resizeType: z.string().nullable(),
        elapsedTimeInSeconds: z.number().nullable(),
      })
      .nullish(),
  }),
]);
