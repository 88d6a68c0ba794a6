import { resources, synthStack } from '../support/synth';

/*
 * capacity_reservation_group_arn in both ECS stacks: the On-Demand Auto Scaling groups launch into the capacity
 * reservation group first (capacity-reservations-first), only when the variable is set.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CapacityReservationSpecification.html
 */
const WHEN_SET =
  '${var.capacity_reservation_group_arn == "" ? [] : [var.capacity_reservation_group_arn]}';
const BLOCK = {
  for_each: WHEN_SET,
  content: {
    capacity_reservation_preference: 'capacity-reservations-first',
    dynamic: {
      capacity_reservation_target: {
        for_each: ['${capacity_reservation_specification.value}'],
        content: {
          capacity_reservation_resource_group_arns: ['${capacity_reservation_target.value}'],
        },
      },
    },
  },
};

const groups = (stack: 'ecs-spot-api' | 'ecs-autoscaling-drain') =>
  Object.values(resources(synthStack(stack).json, 'aws_autoscaling_group')).map((g) => ({
    name: String(g.name),
    spec: (g.dynamic as Record<string, unknown> | undefined)?.capacity_reservation_specification,
    launchTemplateSpec: g.capacity_reservation_specification,
  }));

describe.each(['ecs-spot-api', 'ecs-autoscaling-drain'] as const)(
  '%s: capacity_reservation_group_arn',
  (stack) => {
    const { json } = synthStack(stack);
    const variable = json.variable.capacity_reservation_group_arn as {
      default?: unknown;
      validation?: { condition: string }[];
    };

    test('is a variable, empty by default, validated as a Resource Groups group ARN when set', () => {
      expect(variable.default).toBe('');
      expect(variable.validation?.[0]?.condition).toBe(
        '${var.capacity_reservation_group_arn == "" || can(regex("^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:[0-9]{12}:group/[A-Za-z0-9_.-]{1,300}$", var.capacity_reservation_group_arn))}',
      );
    });

    test('leaves every launch template alone (they also serve Spot launches)', () => {
      for (const lt of Object.values(resources(json, 'aws_launch_template')))
        expect(lt.capacity_reservation_specification).toBeUndefined();
    });
  },
);

describe('ecs-spot-api: the group is targeted from the On-Demand group only', () => {
  test('On-Demand: reservations in the group first, then On-Demand capacity, when the variable is set', () => {
    const onDemand = groups('ecs-spot-api').find((g) => g.name.endsWith('-ecs-spot-api-on-demand'));
    expect(onDemand?.spec).toEqual(BLOCK);
  });

  test('Spot: no reservation preference (Spot cannot use reservations)', () => {
    const spot = groups('ecs-spot-api').find((g) => g.name.endsWith('-ecs-spot-api-spot'));
    expect(spot).toMatchObject({ spec: undefined, launchTemplateSpec: undefined });
  });
});

describe('ecs-autoscaling-drain: the group is targeted from its Auto Scaling group', () => {
  test('reservations in the group first, then On-Demand capacity, when the variable is set', () => {
    expect(groups('ecs-autoscaling-drain').map((g) => g.spec)).toEqual([BLOCK]);
  });
});
