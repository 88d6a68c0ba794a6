import { plannedResources } from '../../scripts/offline-proof';
import { describeOffline } from '../support/offline';
import { GROUP_ARN, variantPlan } from './fixtures/variant-plan';

// The shared helper (stacks/ecs/capacity-reservation.ts) serves both ECS stacks; one plan proves its block.
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CapacityReservationSpecification.html
describeOffline(
  'offline Terraform proof: ecs-autoscaling-drain with capacity_reservation_group_arn',
  () => {
    test('the group launches into the capacity reservation group first, then On-Demand capacity', async () => {
      // Act
      const { plan } = await variantPlan();

      // Assess
      expect(
        plannedResources(plan, 'aws_autoscaling_group').map(
          (g) => g.values.capacity_reservation_specification,
        ),
      ).toEqual([
        [
          {
            capacity_reservation_preference: 'capacity-reservations-first',
            capacity_reservation_target: [
              {
                capacity_reservation_ids: null,
                capacity_reservation_resource_group_arns: [GROUP_ARN],
              },
            ],
          },
        ],
      ]);
    }, 180_000);
  },
);
