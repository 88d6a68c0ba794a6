import { only, synthStack } from '../support/synth';

const { json } = synthStack('capacity-reservations');
const group = only(json, 'aws_resourcegroups_group');
const fn = only(json, 'aws_lambda_function');
const env = (fn.environment as { variables: Record<string, string> }).variables;
const GROUP_ARN =
  'arn:${data.aws_partition.partition.partition}:resource-groups:${var.region}:${var.account_id}:group/${var.name_prefix}-capacity-reservations';

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (): Statement[] => {
  const policy = only(json, 'aws_iam_role_policy');
  return (JSON.parse(String(policy.policy)) as { Statement: Statement[] }).Statement;
};

// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-group.html
describe('capacity-reservations: the capacity reservation group', () => {
  test('is a launch target that admits Capacity Reservations only and is not deleted while it has members', () => {
    expect(group).toMatchObject({
      name: '${var.name_prefix}-capacity-reservations',
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
  });

  test("is an output, for the ECS stacks' capacity_reservation_group_arn", () => {
    expect(json.output?.capacity_reservation_group_arn).toMatchObject({
      value: '${aws_resourcegroups_group.reservation-group.arn}',
    });
  });

  test('is passed to the reserver', () => {
    expect(env.RESERVATION_GROUP_ARN).toBe('${aws_resourcegroups_group.reservation-group.arn}');
  });

  test('is the only resource the reserver may add reservations to or remove them from', () => {
    const grouping = statements().filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('resource-groups:')),
    );
    expect(grouping).toEqual([
      {
        Sid: 'GroupOwnReservations',
        Effect: 'Allow',
        Action: ['resource-groups:GroupResources', 'resource-groups:UngroupResources'],
        Resource: GROUP_ARN,
      },
    ]);
  });

  test('creating a reservation is allowed with the eligibilities a row can ask for only', () => {
    const create = statements().find((s) => s.Sid === 'CreateOnlyManagedReservations');
    expect(create?.Condition?.StringEquals?.['ec2:InstanceMatchCriteria']).toEqual([
      'open',
      'targeted',
    ]);
  });
});
