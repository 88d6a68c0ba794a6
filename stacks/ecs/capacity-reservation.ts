import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import type { EcsAutoScalingGroup } from './auto-scaling-group';

/** ARN of a Resource Groups group: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsresourcegroups.html */
const GROUP_ARN =
  '^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:[0-9]{12}:group/[A-Za-z0-9_.-]{1,300}$';

/**
 * `capacity_reservation_group_arn`: the capacity reservation group whose reservations the stack's On-Demand
 * instances launch into (the capacity-reservations stack's output of the same name). Passed in as a variable:
 * stacks never reference each other, so each plans offline on its own.
 */
export function declareCapacityReservationGroupVariable(stack: OpsStack): string {
  return new TerraformVariable(stack, 'capacity_reservation_group_arn', {
    type: 'string',
    default: '',
    description:
      'Capacity reservation group (the capacity-reservations stack\'s output capacity_reservation_group_arn) whose targeted reservations On-Demand instances launch into first, falling back to On-Demand capacity when the group has none free; "" launches as before (open reservations only).',
    validation: [
      {
        condition: `\${var.capacity_reservation_group_arn == "" || can(regex("${GROUP_ARN}", var.capacity_reservation_group_arn))}`,
        errorMessage:
          'capacity_reservation_group_arn must be "" or a Resource Groups group ARN (arn:aws:resource-groups:<region>:<account>:group/<name>).',
      },
    ],
  }).stringValue;
}

/**
 * Launches the group's On-Demand instances into the capacity reservation group first and into On-Demand capacity
 * when it has no free matching reservation (`capacity-reservations-first`), when `groupArn` is not "". Set on the
 * Auto Scaling group, not the launch template: the template is shared with Spot launches, which cannot use
 * reservations, and the group's preference is the documented "reservations first, then On-Demand" setting.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CapacityReservationSpecification.html
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/target-capacity-reservations.html
 */
export function launchIntoCapacityReservationGroup(
  asg: EcsAutoScalingGroup,
  groupArn: string,
): void {
  asg.group.addOverride('dynamic.capacity_reservation_specification', {
    for_each: `\${${groupArn} == "" ? [] : [${groupArn}]}`,
    content: {
      capacity_reservation_preference: 'capacity-reservations-first',
      // A nested block as a nested dynamic block: as an object it would render in the HCL synth as an
      // argument (`capacity_reservation_target = {`), which Terraform refuses.
      dynamic: {
        capacity_reservation_target: {
          for_each: ['${capacity_reservation_specification.value}'],
          content: {
            capacity_reservation_resource_group_arns: ['${capacity_reservation_target.value}'],
          },
        },
      },
    },
  });
}
