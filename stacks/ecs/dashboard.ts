import { graph, GREY, type HorizontalAnnotation, metric, type Widget } from '../platform/dashboard';

/** Memory lines, one colour on every ECS graph. */
const MEMORY = '#9467bd';

export interface EcsDashboardRefs {
  readonly clusterName: string;
  readonly serviceName: string;
  /** Lines on the service CPU graph (scale-out / scale-in thresholds, target). @default [] */
  readonly cpuAnnotations?: readonly HorizontalAnnotation[];
  /** Lines on the cluster CPU reservation graph. @default [] */
  readonly reservationAnnotations?: readonly HorizontalAnnotation[];
}

/**
 * Service CPU and memory, cluster CPU and memory reservation (the lines: the CPU thresholds), and tasks
 * running against desired (Container Insights).
 */
export function ecsWidgets(r: EcsDashboardRefs): Widget[] {
  const service = { ClusterName: r.clusterName, ServiceName: r.serviceName };
  const cluster = { ClusterName: r.clusterName };
  return [
    graph({
      title: 'Service CPU and memory utilization (%)',
      period: 60,
      series: [
        metric('AWS/ECS', 'CPUUtilization', service, { label: 'CPU, average' }),
        metric('AWS/ECS', 'MemoryUtilization', service, {
          label: 'memory, average',
          color: MEMORY,
        }),
      ],
      horizontalAnnotations: r.cpuAnnotations ?? [],
      yAxis: { left: { min: 0, max: 100 } },
      width: 8,
    }),
    graph({
      title: 'Cluster CPU reservation and memory reservation (%)',
      period: 60,
      series: [
        metric('AWS/ECS', 'CPUReservation', cluster, { label: 'CPU reserved' }),
        metric('AWS/ECS', 'MemoryReservation', cluster, {
          label: 'memory reserved',
          color: MEMORY,
        }),
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
