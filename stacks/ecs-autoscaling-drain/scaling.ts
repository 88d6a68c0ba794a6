import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import type { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Token } from 'cdktf';
import type { Construct } from 'constructs';
import type { EcsAutoScalingGroup } from '../ecs/auto-scaling-group';

type Direction = 'out' | 'in';

/** One step: add one above the alarm's threshold, remove one below it. */
const step = (direction: Direction) =>
  direction === 'out'
    ? { metricIntervalLowerBound: '0', scalingAdjustment: 1 }
    : { metricIntervalUpperBound: '0', scalingAdjustment: -1 };

export interface StepPolicies {
  readonly out: { readonly arn: string };
  readonly in: { readonly arn: string };
}

/** Step scaling of a service's task count: one task per alarm, out after 60 s, in after 300 s. */
export function taskStepPolicies(
  scope: Construct,
  serviceName: string,
  target: AppautoscalingTarget,
): StepPolicies {
  const policy = (direction: Direction) =>
    new AppautoscalingPolicy(scope, `task-scale-${direction}`, {
      name: `${serviceName}-scale-${direction}`,
      policyType: 'StepScaling',
      serviceNamespace: target.serviceNamespace,
      resourceId: target.resourceId,
      scalableDimension: target.scalableDimension,
      stepScalingPolicyConfiguration: {
        adjustmentType: 'ChangeInCapacity',
        cooldown: direction === 'out' ? 60 : 300,
        metricAggregationType: 'Average',
        stepAdjustment: [step(direction)],
      },
    });
  return { out: policy('out'), in: policy('in') };
}

/** Step scaling of an Auto Scaling group: one instance per alarm, new ones warm for 120 s. */
export function instanceStepPolicies(scope: Construct, asg: EcsAutoScalingGroup): StepPolicies {
  const policy = (direction: Direction) =>
    new AutoscalingPolicy(scope, `instance-scale-${direction}`, {
      name: `${asg.groupName}-scale-${direction}`,
      autoscalingGroupName: asg.group.name,
      policyType: 'StepScaling',
      adjustmentType: 'ChangeInCapacity',
      metricAggregationType: 'Average',
      ...(direction === 'out' ? { estimatedInstanceWarmup: 120 } : {}),
      stepAdjustment: [step(direction)],
    });
  return { out: policy('out'), in: policy('in') };
}

export interface ThresholdSide {
  /** The threshold (a number variable). */
  readonly threshold: number;
  /** Consecutive one-minute periods beyond it before the alarm acts (a number variable). */
  readonly minutes: number;
  /** The variable that sets the threshold, named in the plan-time check. */
  readonly variable: string;
  readonly alarmDescription: string;
}

export interface ScalingAlarmsProps {
  /** Construct ids of the high and the low alarm. */
  readonly ids: { readonly high: string; readonly low: string };
  /** The alarms are `<alarmNamePrefix>-high` and `<alarmNamePrefix>-low`. */
  readonly alarmNamePrefix: string;
  readonly metric: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
  };
  readonly out: ThresholdSide;
  readonly in: ThresholdSide;
  readonly policies: StepPolicies;
  /**
   * Scale in only while this other metric (same namespace and dimensions) is below half of `target` too;
   * a target of 0 (a number variable works) turns the gate off. @default none
   */
  readonly scaleInGate?: { readonly metricName: string; readonly target: number };
}

/**
 * The two alarms of step scaling on one metric (one-minute averages): above `out` it scales out, below `in`
 * it scales in. A plan-time check keeps `in` below `out`, so the two never fight. Not a Construct: the
 * alarms are added to `scope` under `ids`, the addresses the stack had with the blocks inline.
 */
export class ScalingAlarms {
  constructor(scope: Construct, props: ScalingAlarmsProps) {
    const metric = { ...props.metric, statistic: 'Average', period: 60 };
    const outAt = Token.asString(props.out.threshold);
    const inAt = Token.asString(props.in.threshold);
    const precondition = {
      condition: `\${${inAt} < ${outAt}}`,
      errorMessage: `${props.in.variable} (${inAt}) must be below ${props.out.variable} (${outAt}).`,
    };
    for (const side of ['out', 'in'] as const) {
      const out = side === 'out';
      const gated = !out && props.scaleInGate !== undefined;
      new CloudwatchMetricAlarm(scope, out ? props.ids.high : props.ids.low, {
        ...(gated ? gatedMetric(props, props.scaleInGate!) : metric),
        alarmName: `${props.alarmNamePrefix}-${out ? 'high' : 'low'}`,
        alarmDescription: props[side].alarmDescription,
        comparisonOperator: out ? 'GreaterThanThreshold' : 'LessThanThreshold',
        threshold: gated ? 0 : props[side].threshold,
        evaluationPeriods: props[side].minutes,
        treatMissingData: 'notBreaching',
        alarmActions: [props.policies[side].arn],
        ...(out ? {} : { lifecycle: { precondition: [precondition] } }),
      });
    }
  }
}

/**
 * The scale-in alarm's metric math when a second metric gates it: MAX(metric - in, 2 x gate - target) is
 * below 0 only when the metric is below its scale-in threshold AND the gate metric below half its target.
 * Half, because removing one of N >= 2 tasks raises a per-task average by at most N/(N-1) <= 2: a removal
 * never pushes the gate metric above its target, so a target tracking policy on it does not add the task
 * back (the two would fight otherwise, as AWS warns for step and target tracking policies together:
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html). Gate off
 * (target 0): the term is a constant -1, so the expression is the metric's alone.
 */
function gatedMetric(props: ScalingAlarmsProps, gate: { metricName: string; target: number }) {
  const query = (id: string, metricName: string) => ({
    id,
    returnData: false,
    metric: { ...props.metric, metricName, period: 60, stat: 'Average' },
  });
  const [target, threshold] = [Token.asString(gate.target), Token.asString(props.in.threshold)];
  // A variable target: the whole expression is one Terraform expression, not a conditional inside a string
  // template (which the HCL synth would write as an %{if} directive).
  const expression = Token.isUnresolved(gate.target)
    ? `\${format("MAX([metric - %v, %s])", ${threshold}, ${target} > 0 ? format("2 * gate - %d", ${target}) : "0 * gate - 1")}`
    : `MAX([metric - ${threshold}, ${gate.target > 0 ? `2 * gate - ${gate.target}` : '0 * gate - 1'}])`;
  return {
    metricQuery: [
      {
        id: 'headroom',
        expression,
        label: `${props.metric.metricName} below scale-in threshold and ${gate.metricName} below half its target`,
        returnData: true,
      },
      query('metric', props.metric.metricName),
      query('gate', gate.metricName),
    ],
  };
}

export interface ReservationThresholds {
  /** Scale out above it (a number variable), and the variable's name for the plan-time check. */
  readonly out: number;
  readonly outVariable: string;
  /** Scale in below it (a number variable), and the variable's name. */
  readonly in: number;
  readonly inVariable: string;
}

export interface ReservationAlarmsProps {
  readonly ids: { readonly high: string; readonly low: string };
  readonly alarmNamePrefix: string;
  readonly clusterName: string;
  readonly cpu: ReservationThresholds;
  readonly memory: ReservationThresholds;
  /** Consecutive one-minute periods before scaling out / in (number variables). */
  readonly outMinutes: number;
  readonly inMinutes: number;
  readonly policies: StepPolicies;
  /** Whether the alarms run their policies (a boolean expression works). @default true */
  readonly actionsEnabled?: boolean;
}

/**
 * Step scaling of the cluster's instances on CPU and memory reservation, as two metric-math alarms with
 * threshold 0: the high one on MAX(cpu - cpuOut, mem - memOut), above 0 when EITHER reservation is above
 * its scale-out threshold; the low one on MAX(cpu - cpuIn, mem - memIn), below 0 only when BOTH are below
 * their scale-in thresholds. With each scale-in threshold below its scale-out one (plan-time checks), both
 * alarms can never be in ALARM together. Step bounds are relative to the threshold, so the step policies
 * stay as they are. MAX of an array of time series is a time series:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */
export class ReservationAlarms {
  constructor(scope: Construct, props: ReservationAlarmsProps) {
    const metric = (id: string, metricName: string) => ({
      id,
      returnData: false,
      metric: {
        namespace: 'AWS/ECS',
        metricName,
        dimensions: { ClusterName: props.clusterName },
        period: 60,
        stat: 'Average',
      },
    });
    const n = (v: number) => Token.asString(v);
    const check = (t: ReservationThresholds) => ({
      condition: `\${${n(t.in)} < ${n(t.out)}}`,
      errorMessage: `${t.inVariable} (${n(t.in)}) must be below ${t.outVariable} (${n(t.out)}).`,
    });
    for (const side of ['out', 'in'] as const) {
      const out = side === 'out';
      new CloudwatchMetricAlarm(scope, out ? props.ids.high : props.ids.low, {
        alarmName: `${props.alarmNamePrefix}-${out ? 'high' : 'low'}`,
        alarmDescription: out
          ? 'Adds an instance: cluster CPU or memory reservation above its scale-out threshold'
          : 'Removes an instance (drained first): cluster CPU and memory reservation both below their scale-in thresholds',
        comparisonOperator: out ? 'GreaterThanThreshold' : 'LessThanThreshold',
        threshold: 0,
        evaluationPeriods: out ? props.outMinutes : props.inMinutes,
        treatMissingData: 'notBreaching',
        metricQuery: [
          {
            id: 'headroom',
            expression: `MAX([cpu - ${n(props.cpu[side])}, memory - ${n(props.memory[side])}])`,
            label: out
              ? 'Reservation above scale-out threshold (max of CPU, memory)'
              : 'Reservation above scale-in threshold (max of CPU, memory)',
            returnData: true,
          },
          metric('cpu', 'CPUReservation'),
          metric('memory', 'MemoryReservation'),
        ],
        alarmActions: [props.policies[side].arn],
        ...(props.actionsEnabled !== undefined ? { actionsEnabled: props.actionsEnabled } : {}),
        ...(out ? {} : { lifecycle: { precondition: [check(props.cpu), check(props.memory)] } }),
      });
    }
  }
}
