import { type EcsDashboardRefs, ecsWidgets } from '../ecs/dashboard';
import {
  INSTANCE_TYPE_DIMENSION,
  SIGNAL_DIMENSION,
  SPOT_SIGNAL_METRICS,
  ZONE_DIMENSION,
} from '../../functions/ecs-drain/spot-metric-names';
import {
  emfMetric,
  emfSearch,
  graph,
  heading,
  metric,
  OpsDashboard,
  ORANGE,
  RED,
} from '../platform/dashboard';
import type { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';

export interface EcsSpotDashboardRefs extends EcsDashboardRefs {
  /** Auto Scaling group names and capacity provider names, per purchase option. */
  readonly onDemand: { readonly groupName: string; readonly capacityProviderName: string };
  readonly spot: { readonly groupName: string; readonly capacityProviderName: string };
  /** The Spot signal function and the interruption alarm's threshold (variable). */
  readonly signals: { readonly fn: NodeFunction; readonly interruptionThreshold: number };
}

/** The ECS widgets, and Spot against On-Demand: instances in service and capacity provider reservation. */
export function ecsSpotDashboard(stack: OpsStack, r: EcsSpotDashboardRefs): OpsDashboard {
  const inService = (groupName: string, label: string, color: string) =>
    metric(
      'AWS/AutoScaling',
      'GroupInServiceInstances',
      { AutoScalingGroupName: groupName },
      { label, color },
    );
  const reservation = (providerName: string, label: string, color: string) =>
    metric(
      'AWS/ECS/ManagedScaling',
      'CapacityProviderReservation',
      { ClusterName: r.clusterName, CapacityProviderName: providerName },
      { label, color },
    );
  return new OpsDashboard(stack, 'dashboard', {
    widgets: [
      heading('ECS API on Spot and On-Demand', [
        'Service auto scaling keeps the tasks near the CPU target; the capacity provider strategy splits them between the On-Demand and the Spot group, and ECS managed scaling sizes each group.',
      ]),
      ...ecsWidgets(r),
      graph({
        title: 'Instances in service: Spot against On-Demand',
        period: 60,
        stacked: true,
        series: [
          inService(r.onDemand.groupName, 'On-Demand', '#1f77b4'),
          inService(r.spot.groupName, 'Spot', ORANGE),
        ],
      }),
      graph({
        title: 'Capacity provider reservation (%): needed against running instances',
        period: 60,
        series: [
          reservation(r.onDemand.capacityProviderName, 'On-Demand', '#1f77b4'),
          reservation(r.spot.capacityProviderName, 'Spot', ORANGE),
        ],
      }),
      ...signalWidgets(r.signals),
    ],
  });
}

/** Spot signals per hour against the alarm's threshold, and interruptions by instance type and zone. */
function signalWidgets({ fn, interruptionThreshold }: EcsSpotDashboardRefs['signals']) {
  const signal = (value: string, label: string, color: string) =>
    emfMetric(fn, SPOT_SIGNAL_METRICS.signals, { [SIGNAL_DIMENSION]: value }, { label, color });
  return [
    graph({
      title: 'Spot signals per hour: interruption warnings and rebalance recommendations',
      period: 3600,
      stat: 'Sum',
      series: [
        signal('InterruptionWarning', 'Interruption warnings', RED),
        signal('RebalanceRecommendation', 'Rebalance recommendations', ORANGE),
      ],
      horizontalAnnotations: [
        { label: 'ecs_spot_interruption_alarm_threshold', value: interruptionThreshold },
      ],
    }),
    graph({
      title: 'Spot signals per hour by signal, instance type and Availability Zone',
      period: 3600,
      stat: 'Sum',
      series: [
        emfSearch(
          fn,
          SPOT_SIGNAL_METRICS.signals,
          [SIGNAL_DIMENSION, INSTANCE_TYPE_DIMENSION, ZONE_DIMENSION],
          'Sum',
          3600,
        ),
      ],
    }),
  ];
}
