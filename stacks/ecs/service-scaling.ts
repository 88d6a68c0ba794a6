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
