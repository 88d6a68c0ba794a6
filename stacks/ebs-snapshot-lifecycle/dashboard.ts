import {
  COPY_METRICS,
  CREATE_METRICS,
  DELETE_METRICS,
  START_METRICS,
  SWEEP_METRICS,
} from '../../functions/ebs-snapshot/metric-names';
import * as dash from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';

export interface EbsSnapshotDashboardRefs {
  readonly create: NodeFunction;
  readonly start: NodeFunction;
  readonly remove: NodeFunction;
  readonly sweep: NodeFunction;
  readonly failureQueueName: string;
  /** The copy function and its queue, which exist only when `when` (a Terraform condition) holds. */
  readonly copies: { readonly fn: NodeFunction; readonly queueName: string; readonly when: string };
}

const perDay = (title: string, series: dash.Series[]) =>
  dash.graph({ title, stat: 'Sum', period: 86400, series });

/** Copies per day by outcome, the copy queue and the copy function's errors: shown only with copy Regions. */
function copyWidgets(copies: EbsSnapshotDashboardRefs['copies']): dash.Widget[] {
  const { fn } = copies;
  return [
    perDay(
      'Cross-Region copies per day: started, already there, retried, failed, source gone, ignored',
      [
        dash.emfLine(fn, COPY_METRICS.started, 'started', dash.GREEN),
        dash.emfLine(fn, COPY_METRICS.found, 'already there', dash.GREY),
        dash.emfLine(fn, COPY_METRICS.retried, 'retried later', dash.ORANGE),
        dash.emfLine(fn, COPY_METRICS.failed, 'failed', dash.RED),
        dash.emfLine(fn, COPY_METRICS.sourceGone, 'source gone', dash.GREY),
        dash.emfLine(fn, COPY_METRICS.ignored, 'not ours, ignored', dash.GREY),
      ],
    ),
    dash.graph({
      title: 'Copy queue depth and copy function errors',
      stat: 'Sum',
      period: 300,
      series: [
        dash.queueDepth(copies.queueName, 'snapshot events waiting'),
        ...dash.lambdaErrors([fn]),
      ],
    }),
  ];
}

/** Snapshots created, skipped and failed per run; deleted, failed and in use per day; the failure queue. */
export function ebsSnapshotDashboard(
  stack: OpsStack,
  r: EbsSnapshotDashboardRefs,
): dash.OpsDashboard {
  const { create, start, remove, sweep } = r;
  return new dash.OpsDashboard(stack, 'dashboard', {
    start: '-P14D',
    optional: { when: r.copies.when, widgets: copyWidgets(r.copies) },
    widgets: [
      dash.heading('EBS snapshot lifecycle', [
        'Scheduled snapshot runs of tagged volumes (Step Functions, one invocation per page), each snapshot deleted when its DynamoDB record expires. A run with failed volumes after its retry pass fails (alarm) and sends its state to the failure queue; failed deletions are kept for a later try (alarm).',
        dash.emfNote([start, create, remove, sweep]),
      ]),
      perDay(
        'Snapshots per day: created, skipped, failed, strays, expired by count; runs skipped (overlap)',
        [
          dash.emfLine(create, CREATE_METRICS.created, 'created', dash.GREEN),
          dash.emfLine(create, CREATE_METRICS.skipped, 'skipped', dash.GREY),
          dash.emfLine(create, CREATE_METRICS.failed, 'failed', dash.RED),
          dash.emfLine(create, CREATE_METRICS.strays, 'strays recorded', dash.ORANGE),
          dash.emfLine(create, CREATE_METRICS.expiredByCount, 'expired by count', dash.GREY),
          dash.emfLine(start, START_METRICS.skippedOverlap, 'runs skipped (overlap)', dash.ORANGE),
        ],
      ),
      perDay('Expired snapshots per day: deleted, failed, still in use', [
        dash.emfLine(remove, DELETE_METRICS.deleted, 'deleted', dash.GREEN),
        dash.emfLine(remove, DELETE_METRICS.deleteFailed, 'failed', dash.RED),
        dash.emfLine(remove, DELETE_METRICS.inUse, 'in use by an AMI', dash.ORANGE),
        dash.emfLine(remove, DELETE_METRICS.locked, 'locked', dash.GREY),
      ]),
      perDay(
        'Sweep per day: expired and broken deleted, failed, strays recorded, missed backups, Recycle Bin rules',
        [
          dash.emfLine(sweep, SWEEP_METRICS.expiredDeleted, 'expired deleted', dash.GREEN),
          dash.emfLine(sweep, SWEEP_METRICS.errorDeleted, 'error state deleted', dash.GREY),
          dash.emfLine(sweep, SWEEP_METRICS.strays, 'strays recorded', dash.ORANGE),
          dash.emfLine(sweep, SWEEP_METRICS.deleteFailed, 'delete failed', dash.RED),
          dash.emfLine(sweep, SWEEP_METRICS.inUse, 'in use by an AMI', dash.ORANGE),
          dash.emfLine(sweep, SWEEP_METRICS.locked, 'locked', dash.GREY),
          dash.emfLine(sweep, SWEEP_METRICS.unfinished, 'left for the next sweep', dash.GREY),
          dash.emfLine(sweep, SWEEP_METRICS.missingBackup, 'volumes missing a backup', dash.RED),
          dash.emfLine(
            sweep,
            SWEEP_METRICS.recycleBinRules,
            'Recycle Bin rules applying',
            dash.ORANGE,
          ),
        ],
      ),
      dash.graph({
        title: 'Failure queue depth',
        period: 300,
        series: [dash.queueDepth(r.failureQueueName, 'failed records / invocations')],
      }),
      dash.graph({
        title: 'Function errors',
        stat: 'Sum',
        period: 300,
        series: dash.lambdaErrors([start, create, remove, sweep]),
      }),
    ],
  });
}
