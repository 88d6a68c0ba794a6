import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { EcsWebService } from './service';
import { numText } from './expr';

export interface EcsServiceScalingTargetProps {
  readonly clusterName: string;
  readonly service: EcsWebService;
  readonly minTasks: number;
  readonly maxTasks: number;
}

/** The service's desired count as an Application Auto Scaling target, between min and max tasks. */
export class EcsServiceScalingTarget extends Construct {
  readonly target: AppautoscalingTarget;
  /** `service/<cluster>/<service>`, built from inputs. */
  readonly resourceId: string;

  constructor(scope: Construct, id: string, props: EcsServiceScalingTargetProps) {
    super(scope, id);
    const { minTasks: min, maxTasks: max } = props;
    for (const [label, v] of [
      ['minTasks', min],
      ['maxTasks', max],
    ] as const) {
      if (!Token.isUnresolved(v) && (!Number.isInteger(v) || v < 0))
        throw new Error(`EcsServiceScalingTarget ${label} must be a whole number >= 0, got ${v}`);
    }
    if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max)
      throw new Error(
        `EcsServiceScalingTarget minTasks (${min}) must not exceed maxTasks (${max})`,
      );
    this.resourceId = `service/${props.clusterName}/${props.service.serviceName}`;
    this.target = new AppautoscalingTarget(this, 'target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: this.resourceId,
      minCapacity: min,
      maxCapacity: max,
      lifecycle: {
        precondition: [
          {
            condition: `\${${numText(min)} <= ${numText(max)}}`,
            errorMessage: `The service's minimum task count (${numText(min)}) must not exceed its maximum (${numText(max)}).`,
          },
        ],
      },
      dependsOn: [props.service.service],
    });
  }
}

export interface ServiceTargetTrackingProps {
  readonly target: AppautoscalingTarget;
  /** The policy's name. */
  readonly name: string;
  /** Target value of the metric; with `optional`, 0 (a number variable works) creates no policy. */
  readonly targetValue: number;
  readonly metric: { readonly predefinedMetricType: string; readonly resourceLabel?: string };
  /** Created only when targetValue > 0. @default false */
  readonly optional?: boolean;
  /** The policy only adds tasks; another policy removes them. @default false */
  readonly disableScaleIn?: boolean;
}

/**
 * A target tracking policy of a service's task count: out after 60 s, in after 300 s. Added to `scope` under
 * `id` (not a Construct: the stacks' addresses stay as they were with the policies inline). With several
 * target tracking policies, Application Auto Scaling scales out when any asks and in only when all agree
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html).
 */
export function serviceTargetTracking(
  scope: Construct,
  id: string,
  props: ServiceTargetTrackingProps,
): AppautoscalingPolicy {
  const { target, targetValue } = props;
  return new AppautoscalingPolicy(scope, id, {
    ...(props.optional
      ? { count: Token.asNumber(`\${${Token.asString(targetValue)} > 0 ? 1 : 0}`) }
      : {}),
    name: props.name,
    policyType: 'TargetTrackingScaling',
    serviceNamespace: target.serviceNamespace,
    resourceId: target.resourceId,
    scalableDimension: target.scalableDimension,
    targetTrackingScalingPolicyConfiguration: {
      targetValue,
      predefinedMetricSpecification: { ...props.metric },
      scaleOutCooldown: 60,
      scaleInCooldown: 300,
      ...(props.disableScaleIn ? { disableScaleIn: true } : {}),
    },
  });
}
