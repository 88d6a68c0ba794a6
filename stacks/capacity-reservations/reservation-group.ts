import { ResourcegroupsGroup } from '@cdktf/provider-aws/lib/resourcegroups-group';
import { TerraformOutput } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';

/**
 * The capacity reservation group that targeted reservations join and that launch templates target (the ECS
 * stacks' `capacity_reservation_group_arn`). `AWS::EC2::CapacityReservationPool` makes it a launch target,
 * `allowed-resource-types` admits Capacity Reservations only, and `deletion-protection UNLESS_EMPTY` refuses to
 * delete it while reservations are members.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-group.html
 * https://docs.aws.amazon.com/ARG/latest/userguide/about-slg-types.html
 */
export function reservationGroup(stack: OpsStack): { group: ResourcegroupsGroup; arn: string } {
  const name = stack.name('capacity-reservations');
  const group = new ResourcegroupsGroup(stack, 'reservation-group', {
    name,
    description: 'Targeted On-Demand Capacity Reservations of the capacity reservation reserver',
    configuration: [
      { type: 'AWS::EC2::CapacityReservationPool' },
      {
        type: 'AWS::ResourceGroups::Generic',
        parameters: [
          { name: 'allowed-resource-types', values: ['AWS::EC2::CapacityReservation'] },
          { name: 'deletion-protection', values: ['UNLESS_EMPTY'] },
        ],
      },
    ],
  });
  new TerraformOutput(stack, 'capacity_reservation_group_arn', {
    value: group.arn,
    description:
      'Capacity reservation group of the targeted reservations: the ECS stacks launch into it through their capacity_reservation_group_arn variable.',
  });
  // Built from variables, as the plan must read every policy (the group's own `arn` is known after apply).
  return { group, arn: stack.arn('resource-groups', `group/${name}`) };
}
