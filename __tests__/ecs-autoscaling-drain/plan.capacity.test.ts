import { plannedResources, proveStack, sharedSynth } from '../../scripts/offline-proof';
import { describeOffline, offlineTools, variantVarFile } from '../support/offline';

const STACK = 'ecs-autoscaling-drain';
const GROUP_ARN =
  'arn:aws:resource-groups:us-east-1:123456789012:group/ops-autopilot-capacity-reservations';

const reservationSpec = async (overrides: Record<string, unknown>) => {
  const outdir = await sharedSynth();
  const proof = await proveStack(offlineTools!, outdir, STACK, variantVarFile(overrides));
  return plannedResources(proof.plan, 'aws_autoscaling_group').map(
    (g) => g.values.capacity_reservation_specification,
  );
};

// The shared helper (stacks/ecs/capacity-reservation.ts) serves both ECS stacks; one plan proves its block.
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CapacityReservationSpecification.html
describeOffline(
  'offline Terraform proof: ecs-autoscaling-drain with capacity_reservation_group_arn',
  () => {
    test('the group launches into the capacity reservation group first, then On-Demand capacity', async () => {
      // Act
      const specs = await reservationSpec({ capacity_reservation_group_arn: GROUP_ARN });

      // Assess
      expect(specs).toEqual([
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
