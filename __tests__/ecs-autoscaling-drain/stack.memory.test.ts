import { metricRefs, parseSynthBody } from '../support/dashboard-body';
import { only, refById, resourceById, synthStack } from '../support/synth';

const { json } = synthStack('ecs-autoscaling-drain');
type Resource = Record<string, unknown>;

const byId = (type: string, part: string): Resource => resourceById(json, type, part);
const ref = (type: string, part: string, attr: string) => refById(json, type, part, attr);

describe('task scaling on memory (ecs_drain_task_memory_target_percent)', () => {
  test('a scale-out-only target tracking policy on average memory, created only when the target is set', () => {
    // Assess
    expect(byId('aws_appautoscaling_policy', 'task-memory-tracking')).toMatchObject({
      count: '${var.ecs_drain_task_memory_target_percent > 0 ? 1 : 0}',
      name: '${var.name_prefix}-ecs-drain-api-memory',
      policy_type: 'TargetTrackingScaling',
      resource_id: ref('aws_appautoscaling_target', 'service-scaling', 'resource_id'),
      target_tracking_scaling_policy_configuration: {
        target_value: '${var.ecs_drain_task_memory_target_percent}',
        predefined_metric_specification: {
          predefined_metric_type: 'ECSServiceAverageMemoryUtilization',
        },
        disable_scale_in: true,
      },
    });
  });

  test('the CPU step policy removes a task only while memory is below half its target too', () => {
    // Assess
    const alarm = byId('aws_cloudwatch_metric_alarm', 'task-cpu-low');
    expect(alarm).toMatchObject({
      alarm_name: '${var.name_prefix}-ecs-drain-api-cpu-low',
      comparison_operator: 'LessThanThreshold',
      threshold: 0,
      evaluation_periods: '${var.ecs_drain_task_scale_in_minutes}',
      alarm_actions: [ref('aws_appautoscaling_policy', 'task-scale-in', 'arn')],
    });
    expect(alarm.metric_name).toBeUndefined();
    const [headroom, cpu, memory] = alarm.metric_query as Resource[];
    expect(headroom).toMatchObject({
      id: 'headroom',
      return_data: true,
      expression:
        '${format("MAX([metric - %v, %s])", var.ecs_drain_task_scale_in_cpu_percent, var.ecs_drain_task_memory_target_percent > 0 ? format("2 * gate - %d", var.ecs_drain_task_memory_target_percent) : "0 * gate - 1")}',
    });
    const dimensions = {
      ClusterName: '${var.name_prefix}-ecs',
      ServiceName: '${var.name_prefix}-ecs-drain-api',
    };
    expect([cpu, memory]).toEqual([
      expect.objectContaining({
        id: 'metric',
        return_data: false,
        metric: expect.objectContaining({ metric_name: 'CPUUtilization', dimensions }),
      }),
      expect.objectContaining({
        id: 'gate',
        return_data: false,
        metric: expect.objectContaining({ metric_name: 'MemoryUtilization', dimensions }),
      }),
    ]);
  });

  test('the scale-in step policy removes one task', () => {
    // Assess
    expect(byId('aws_appautoscaling_policy', 'task-scale-in')).toMatchObject({
      policy_type: 'StepScaling',
      step_scaling_policy_configuration: {
        step_adjustment: [{ metric_interval_upper_bound: '0', scaling_adjustment: -1 }],
      },
    });
  });
});

describe('the dashboard graphs memory next to CPU', () => {
  test("the service's memory utilization and the cluster's memory reservation", () => {
    // Prepare
    const body = parseSynthBody(String(only(json, 'aws_cloudwatch_dashboard').dashboard_body));

    // Act
    const memory = metricRefs(body)
      .filter((r) => r.namespace === 'AWS/ECS' && r.name.startsWith('Memory'))
      .map((r) => [r.widget, r.name, Object.keys(r.dimensions).sort().join(',')]);

    // Assess
    expect(memory).toEqual([
      ['Service CPU and memory utilization (%)', 'MemoryUtilization', 'ClusterName,ServiceName'],
      ['Cluster CPU reservation and memory reservation (%)', 'MemoryReservation', 'ClusterName'],
    ]);
  });
});
