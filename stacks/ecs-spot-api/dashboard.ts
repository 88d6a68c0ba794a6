import { type EcsDashboardRefs, ecsWidgets } from '../ecs/dashboard';
import { graph, heading, metric, OpsDashboard, ORANGE } from '../platform/dashboard';
import type { OpsStack } from '../platform/ops-stack';

export interface EcsSpotDashboardRefs extends EcsDashboardRefs {
  /** Auto Scaling group names and capacity provider names, per purchase option. */
  readonly onDemand: { readonly groupName: string; readonly capacityProviderName: string };
  readonly spot: { readonly groupName: string; readonly capacityProviderName: string };
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
    ],
  });
}
