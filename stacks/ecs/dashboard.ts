import { graph, GREY, type HorizontalAnnotation, metric, type Widget } from '../platform/dashboard';

export interface EcsDashboardRefs {
  readonly clusterName: string;
  readonly serviceName: string;
  /** Lines on the service CPU graph (scale-out / scale-in thresholds, target). @default [] */
  readonly cpuAnnotations?: readonly HorizontalAnnotation[];
  /** Lines on the cluster CPU reservation graph. @default [] */
  readonly reservationAnnotations?: readonly HorizontalAnnotation[];
}

/** Service CPU, cluster CPU reservation, and tasks running against desired (Container Insights). */
export function ecsWidgets(r: EcsDashboardRefs): Widget[] {
  const service = { ClusterName: r.clusterName, ServiceName: r.serviceName };
  return [
    graph({
      title: 'Service CPU utilization (%)',
      period: 60,
      series: [metric('AWS/ECS', 'CPUUtilization', service, { label: 'average' })],
      horizontalAnnotations: r.cpuAnnotations ?? [],
      yAxis: { left: { min: 0, max: 100 } },
      width: 8,
    }),
    graph({
      title: 'Cluster CPU reservation (%)',
      period: 60,
      series: [
        metric('AWS/ECS', 'CPUReservation', { ClusterName: r.clusterName }, { label: 'reserved' }),
      ],
      horizontalAnnotations: r.reservationAnnotations ?? [],
      yAxis: { left: { min: 0, max: 100 } },
      width: 8,
    }),
    graph({
      title: 'Tasks: running and desired',
      period: 60,
      series: [
        metric('ECS/ContainerInsights', 'RunningTaskCount', service, { label: 'running' }),
        metric('ECS/ContainerInsights', 'DesiredTaskCount', service, {
          label: 'desired',
          color: GREY,
        }),
      ],
      width: 8,
    }),
  ];
}
