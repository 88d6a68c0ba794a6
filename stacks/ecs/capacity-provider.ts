import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { type IResolvable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { OpsStack } from '../platform/ops-stack';
import type { EcsAutoScalingGroup } from './auto-scaling-group';

export interface EcsAsgCapacityProviderProps {
  /** Capacity provider name suffix (`<name_prefix>-<name>`); the full name may not start with aws, ecs or fargate. */
  readonly name: string;
  /** Its group must be `ecsManaged`, and `protectFromScaleIn` when termination protection is on. */
  readonly autoScalingGroup: EcsAutoScalingGroup;
  /** Managed scaling keeps the group's utilization at this percentage (100 = no spare instances). @default 100 */
  readonly targetCapacityPercent?: number;
  /**
   * ECS protects instances running tasks from scale-in (a boolean variable works). Needs the group's
   * protectFromScaleIn. @default true
   */
  readonly managedTerminationProtection?: boolean | IResolvable;
  /**
   * ECS drains instances through its own lifecycle hook. Off where the stack drains through its own hook.
   * @default true
   */
  readonly managedDraining?: boolean;
  /**
   * Terraform count (a number variable works), for a provider only some settings create; consumers then
   * name it by `providerName` and depend on `capacityProvider`, as its attributes need an index.
   * @default none (always one)
   */
  readonly count?: number;
}

function enabled(flag: boolean | IResolvable): string {
  return typeof flag !== 'boolean'
    ? Token.asString(`\${${Token.asString(flag)} ? "ENABLED" : "DISABLED"}`)
    : flag
      ? 'ENABLED'
      : 'DISABLED';
}

/**
 * An Auto Scaling group capacity provider with managed scaling, managed termination protection and managed
 * instance draining (ECS drains an instance through its own lifecycle hook before it terminates).
 */
export class EcsAsgCapacityProvider extends Construct {
  readonly capacityProvider: EcsCapacityProvider;
  /** Built from inputs, known at plan time. */
  readonly providerName: string;

  constructor(scope: Construct, id: string, props: EcsAsgCapacityProviderProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const target = props.targetCapacityPercent ?? 100;
    const protection = props.managedTerminationProtection ?? true;
    if (!Token.isUnresolved(target) && (!Number.isInteger(target) || target < 1 || target > 100))
      throw new Error(
        `EcsAsgCapacityProvider targetCapacityPercent must be a whole number from 1 to 100, got ${target}`,
      );
    this.providerName = stack.name(props.name);

    this.capacityProvider = new EcsCapacityProvider(this, 'provider', {
      ...(props.count !== undefined ? { count: props.count } : {}),
      name: this.providerName,
      autoScalingGroupProvider: {
        autoScalingGroupArn: props.autoScalingGroup.group.arn,
        managedTerminationProtection: enabled(protection),
        managedDraining: enabled(props.managedDraining ?? true),
        managedScaling: {
          status: 'ENABLED',
          targetCapacity: target,
          minimumScalingStepSize: 1,
          maximumScalingStepSize: 10,
          instanceWarmupPeriod: 120,
        },
      },
      // A replacement (a rename, a new group) creates the new provider first; the cluster's association
      // and the service's strategy then move to it, and only then is the old one deleted: ECS deletes only
      // a provider no cluster or service uses any more.
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeleteCapacityProvider.html
      lifecycle: {
        createBeforeDestroy: true,
        precondition: [
          {
            // The full name starts with name_prefix.
            condition: `\${!can(regex("^(?i)(aws|ecs|fargate)", ${stack.namePrefix}))}`,
            errorMessage: `Capacity provider name "${this.providerName}" may not start with aws, ecs or fargate: change name_prefix.`,
          },
        ],
      },
    });
  }
}
