import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { conditional, Fn, type IResolvable, Op, Token } from 'cdktf';
import type { Construct } from 'constructs';
import type { EcsAutoScalingGroup } from '../ecs/auto-scaling-group';
import { EcsAsgCapacityProvider } from '../ecs/capacity-provider';
import type { EcsWebService } from '../ecs/service';
import { CLUSTER_SCALING_MODE } from './variables';

/** Terraform condition: the group is sized by the capacity provider (ecs_drain_cluster_scaling_mode). */
export const PROVIDER_MODE = `var.${CLUSTER_SCALING_MODE} == "capacity_provider"`;
/** The same, as a boolean attribute value. */
export const providerMode = (): IResolvable => Token.asAny(`\${${PROVIDER_MODE}}`) as IResolvable;
/** The step policies act only in "step" mode. */
export const stepMode = (): boolean => Token.asAny(`\${!(${PROVIDER_MODE})}`) as unknown as boolean;

/**
 * "capacity_provider" mode of the instance group: an ECS capacity provider with managed scaling and managed
 * termination protection on the stack's group, associated with the cluster. Managed draining is off: the
 * stack's own lifecycle hook drains every terminating instance in both modes. Both resources have count 0 in
 * "step" mode, so the default plan has neither.
 *
 * Managed termination protection needs scale-in protection on the group and its instances
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProvider.html): the group
 * gets `protect_from_scale_in` from `providerMode()`. Managed scaling needs the AmazonECSManaged tag on the
 * group, which ECS adds itself and Terraform would remove
 * (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ecs_capacity_provider).
 */
export function groupCapacityProvider(
  scope: Construct,
  props: {
    readonly asg: EcsAutoScalingGroup;
    readonly clusterName: string;
    readonly targetCapacityPercent: number;
    /** ecs_drain_cluster_scaling_mode's value. */
    readonly mode: string;
  },
) {
  const count = Token.asNumber(`\${${PROVIDER_MODE} ? 1 : 0}`);
  const provider = new EcsAsgCapacityProvider(scope, 'group-capacity', {
    name: 'ecs-asg',
    autoScalingGroup: props.asg,
    targetCapacityPercent: props.targetCapacityPercent,
    managedTerminationProtection: true,
    managedDraining: false,
    count,
  });
  const association = new EcsClusterCapacityProviders(scope, 'cluster-capacity', {
    count,
    clusterName: props.clusterName,
    capacityProviders: [provider.providerName],
    defaultCapacityProviderStrategy: [
      { capacityProvider: provider.providerName, base: 0, weight: 1 },
    ],
    dependsOn: [provider.capacityProvider],
  });
  managedGroup(props.asg, props.mode);
  return { provider, association };
}

/**
 * The group's settings that only "capacity_provider" mode needs; unchanged values in "step" mode. The tags
 * become one dynamic block (a block type is either static or dynamic in the HCL synth): the group's Name,
 * and AmazonECSManaged in this mode.
 */
function managedGroup(asg: EcsAutoScalingGroup, mode: string): void {
  const tag = (key: string, value: string) => ({ key, value, propagate_at_launch: true });
  asg.group.addOverride('tag', undefined);
  asg.group.addOverride('dynamic.tag', {
    for_each: Fn.concat([
      [tag('Name', asg.groupName)],
      conditional(Op.eq(mode, 'capacity_provider'), [tag('AmazonECSManaged', 'true')], []),
    ]),
    content: {
      key: '${tag.value.key}',
      value: '${tag.value.value}',
      propagate_at_launch: '${tag.value.propagate_at_launch}',
    },
  });
  // An instance refresh replaces protected instances too, as ECS asks with managed termination protection
  // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html).
  asg.group.addOverride(
    'instance_refresh.preferences.scale_in_protected_instances',
    `\${${PROVIDER_MODE} ? "Refresh" : "Ignore"}`,
  );
}

/**
 * The service places its tasks through the capacity provider in "capacity_provider" mode: ECS managed
 * scaling ignores tasks without a capacity provider strategy, and a service with a launch type cannot have
 * one (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html). A strategy
 * changes in place only with force_new_deployment (stacks/ecs/service.ts).
 */
export function serviceThroughProvider(service: EcsWebService, providerName: string): void {
  service.service.addOverride('launch_type', `\${${PROVIDER_MODE} ? null : "EC2"}`);
  service.service.addOverride('force_new_deployment', `\${${PROVIDER_MODE} ? true : null}`);
  service.service.addOverride('dynamic.capacity_provider_strategy', {
    for_each: `\${${PROVIDER_MODE} ? ["provider"] : []}`,
    content: { capacity_provider: providerName, base: 0, weight: 1 },
  });
}
