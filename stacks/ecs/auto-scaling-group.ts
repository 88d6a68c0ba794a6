import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { type IResolvable, type ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { OpsStack } from '../platform/ops-stack';
import type { EcsLaunchTemplate } from './launch-template';
import { DEFAULT_INSTANCE_TYPES, SPOT_ALLOCATION_STRATEGIES } from './variables';
import { numText } from './expr';

export interface EcsAutoScalingGroupProps {
  /** Group name suffix (`<name_prefix>-<name>`). */
  readonly name: string;
  readonly launchTemplate: EcsLaunchTemplate;
  /** Private subnets in at least two AZs. */
  readonly subnetIds: string[];
  readonly minSize: number;
  readonly maxSize: number;
  /**
   * Instances at creation; later changes come from scaling (Terraform ignores drift of it).
   * @default minSize
   */
  readonly desiredCapacity?: number;
  /** Instance types (mixed instances overrides), a list or a list variable. @default DEFAULT_INSTANCE_TYPES */
  readonly instanceTypes?: string[];
  /** On-Demand instances before any Spot. @default 0 */
  readonly onDemandBaseCapacity?: number;
  /** On-Demand share above the base, in percent (100 = no Spot, 0 = all Spot). @default 100 */
  readonly onDemandPercentageAboveBaseCapacity?: number;
  /** @default 'price-capacity-optimized' */
  readonly spotAllocationStrategy?: string;
  /**
   * The group is an ECS capacity provider's: tag AmazonECSManaged, which ECS managed scaling requires.
   * @default false
   */
  readonly ecsManaged?: boolean;
  /**
   * New instances start protected from scale-in; ECS managed termination protection needs it (it then
   * removes the protection from instances without tasks). A boolean variable works. @default false
   */
  readonly protectFromScaleIn?: boolean | IResolvable;
  /**
   * Instance refresh: what to do with instances protected from scale-in ('Refresh' replaces them
   * anyway; managed draining empties them first). @default 'Ignore'
   */
  readonly refreshProtectedInstances?: 'Refresh' | 'Ignore' | 'Wait';
  /**
   * A replacement (e.g. a rename) launches the new group before the old one is deleted, so its instances
   * can take the tasks first (a capacity provider's group must, as the provider replaces that way).
   * @default false
   */
  readonly createBeforeDestroy?: boolean;
  /**
   * Instances older than this are replaced (with the drain or managed draining), so a new AMI behind
   * `resolve:ssm:` reaches running instances; 0 turns it off. A number variable works. @default 0
   */
  readonly maxInstanceLifetimeSeconds?: number;
  /**
   * Destroyed before these (e.g. the ECS cluster, which cannot be deleted while instances are registered).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Auto Scaling group of ECS container instances: mixed instances policy (On-Demand base and share,
 * Spot allocation strategy, instance type overrides), capacity rebalancing, rolling instance refresh on
 * launch template changes, and `force_delete` so a destroy never waits on instances that are protected
 * from scale-in (terraform-provider-aws#18849).
 */
export class EcsAutoScalingGroup extends Construct {
  readonly group: AutoscalingGroup;
  /** Group name built from inputs, known at plan time. */
  readonly groupName: string;
  /** `arn:...:autoScalingGroup:*:autoScalingGroupName/<name>`: matches the group whatever its UUID. */
  readonly arnPattern: string;

  constructor(scope: Construct, id: string, props: EcsAutoScalingGroupProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const instanceTypes = props.instanceTypes ?? DEFAULT_INSTANCE_TYPES;
    const base = props.onDemandBaseCapacity ?? 0;
    const percentage = props.onDemandPercentageAboveBaseCapacity ?? 100;
    const strategy = props.spotAllocationStrategy ?? 'price-capacity-optimized';
    const ecsManaged = props.ecsManaged ?? false;
    const protect = props.protectFromScaleIn ?? false;
    validate(props, instanceTypes, base, percentage, strategy);

    this.groupName = stack.name(props.name);
    this.arnPattern = stack.arn(
      'autoscaling',
      `autoScalingGroup:*:autoScalingGroupName/${this.groupName}`,
    );
    const lt = props.launchTemplate.launchTemplate;

    // A list variable becomes a dynamic block over the list itself (not a set), so the order, which
    // On-Demand "prioritized" allocation follows, is kept.
    const dynamicTypes = Token.isUnresolved(instanceTypes);
    const overrides = dynamicTypes
      ? undefined
      : instanceTypes.map((instanceType) => ({ instanceType }));

    this.group = new AutoscalingGroup(this, 'group', {
      name: this.groupName,
      vpcZoneIdentifier: props.subnetIds,
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredCapacity: props.desiredCapacity ?? props.minSize,
      capacityRebalance: true,
      protectFromScaleIn: protect,
      healthCheckType: 'EC2',
      healthCheckGracePeriod: 120,
      defaultInstanceWarmup: 120,
      forceDelete: true,
      maxInstanceLifetime: props.maxInstanceLifetimeSeconds ?? 0,
      enabledMetrics: [
        'GroupDesiredCapacity',
        'GroupInServiceInstances',
        'GroupTerminatingInstances',
        'GroupTotalInstances',
      ],
      mixedInstancesPolicy: {
        instancesDistribution: {
          onDemandBaseCapacity: base,
          onDemandPercentageAboveBaseCapacity: percentage,
          onDemandAllocationStrategy: 'prioritized',
          spotAllocationStrategy: strategy,
        },
        launchTemplate: {
          launchTemplateSpecification: {
            launchTemplateId: lt.id,
            version: Token.asString(lt.latestVersion),
          },
          ...(overrides ? { override: overrides } : {}),
        },
      },
      instanceRefresh: {
        strategy: 'Rolling',
        preferences: {
          minHealthyPercentage: 90,
          maxHealthyPercentage: 120,
          instanceWarmup: '120',
          scaleInProtectedInstances: props.refreshProtectedInstances ?? 'Ignore',
          standbyInstances: 'Terminate',
        },
      },
      tag: [
        { key: 'Name', value: this.groupName, propagateAtLaunch: true },
        ...(ecsManaged
          ? [{ key: 'AmazonECSManaged', value: 'true', propagateAtLaunch: true }]
          : []),
      ],
      lifecycle: {
        createBeforeDestroy: props.createBeforeDestroy ?? false,
        ignoreChanges: ['desired_capacity'],
        precondition: [
          {
            condition: `\${${numText(props.minSize)} <= ${numText(props.maxSize)}}`,
            errorMessage: `The group's minimum size (${numText(props.minSize)}) must not exceed its maximum size (${numText(props.maxSize)}).`,
          },
        ],
      },
      dependsOn: props.dependsOn,
    });
    if (dynamicTypes) {
      this.group.addOverride('mixed_instances_policy.launch_template.dynamic.override', {
        for_each: Token.asString(instanceTypes),
        content: { instance_type: '${override.value}' },
      });
    }
  }
}

function validate(
  props: EcsAutoScalingGroupProps,
  instanceTypes: string[],
  base: number,
  percentage: number,
  strategy: string,
): void {
  const whole = (label: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Token.isUnresolved(v) && (!Number.isInteger(v) || v < min || v > max))
      throw new Error(
        `EcsAutoScalingGroup ${label} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${v}`,
      );
  };
  whole('minSize', props.minSize, 0);
  whole('maxSize', props.maxSize, 1);
  whole('onDemandBaseCapacity', base, 0);
  whole('onDemandPercentageAboveBaseCapacity', percentage, 0, 100);
  // 0 (off) or 1 to 365 days: https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-max-instance-lifetime.html
  const lifetime = props.maxInstanceLifetimeSeconds ?? 0;
  if (!Token.isUnresolved(lifetime) && lifetime !== 0)
    whole('maxInstanceLifetimeSeconds (0 = off)', lifetime, 86_400, 31_536_000);
  if (
    !Token.isUnresolved(props.minSize) &&
    !Token.isUnresolved(props.maxSize) &&
    props.minSize > props.maxSize
  )
    throw new Error(
      `EcsAutoScalingGroup minSize (${props.minSize}) must not exceed maxSize (${props.maxSize})`,
    );
  if (!Token.isUnresolved(props.subnetIds) && props.subnetIds.length < 2)
    throw new Error(
      `EcsAutoScalingGroup needs private subnets in at least two AZs, got ${JSON.stringify(props.subnetIds)}`,
    );
  if (!Token.isUnresolved(instanceTypes)) {
    if (instanceTypes.length === 0 || instanceTypes.length > 40)
      throw new Error(
        `EcsAutoScalingGroup instanceTypes must list 1 to 40 types, got ${instanceTypes.length}`,
      );
    const bad = instanceTypes.filter((t) => !/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(t));
    if (bad.length > 0)
      throw new Error(`EcsAutoScalingGroup instanceTypes has invalid types: ${bad.join(', ')}`);
  }
  if (
    !Token.isUnresolved(strategy) &&
    !(SPOT_ALLOCATION_STRATEGIES as readonly string[]).includes(strategy)
  )
    throw new Error(
      `EcsAutoScalingGroup spotAllocationStrategy must be one of ${SPOT_ALLOCATION_STRATEGIES.join(', ')}, got "${strategy}"`,
    );
}
