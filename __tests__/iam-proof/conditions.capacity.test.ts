import { arn, managedBy, resourceName } from '../support/deployment';
import { decide, type IamRequest } from './engine';
import { subject } from './conditions-support';

// The conditions must bite: requests the handlers never make are denied.
describe('capacity reservation policies', () => {
  const RESERVER = 'capacity-reservation-reserver';
  const CAPACITY_MANAGED = managedBy('capacity-reservations');
  const reservation = arn('ec2', 'capacity-reservation/cr-0123456789abcdef0');
  const anyReservation = arn('ec2', 'capacity-reservation/*');
  const secret = arn(
    'secretsmanager',
    'secret:rds!cluster-a1b2c3d4-5678-90ab-cdef-EXAMPLE11111-AbCdEf',
  );
  const ourCluster = arn('rds', `cluster:${resourceName('capacity-reservations')}`);
  const decideFor = (request: IamRequest) => decide(subject(RESERVER).policy, request);

  test.each(['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'])(
    '%s is denied on a reservation without the managed-by tag',
    async (action) => {
      await expect(decideFor({ action, resource: reservation })).resolves.toBe('ImplicitlyDenied');
    },
  );

  test.each(['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'])(
    '%s is denied on a reservation managed by another deployment',
    async (action) => {
      const request = {
        action,
        resource: reservation,
        context: { 'aws:ResourceTag/managed-by': managedBy('other-stack') },
      };
      await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
    },
  );

  test.each(['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'])(
    '%s is allowed on a managed reservation',
    async (action) => {
      const request = {
        action,
        resource: reservation,
        context: { 'aws:ResourceTag/managed-by': CAPACITY_MANAGED },
      };
      await expect(decideFor(request)).resolves.toBe('Allowed');
    },
  );

  test('create is denied without the managed-by request tag', async () => {
    const request = { action: 'ec2:CreateCapacityReservation', resource: anyReservation };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('create is denied with another deployment in the managed-by request tag', async () => {
    const request = {
      action: 'ec2:CreateCapacityReservation',
      resource: anyReservation,
      context: { 'aws:RequestTag/managed-by': managedBy('other-stack') },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('create with the managed-by request tag, and tagging at creation, are allowed', async () => {
    const tags = { 'aws:RequestTag/managed-by': CAPACITY_MANAGED };
    const open = { 'ec2:InstanceMatchCriteria': 'open' };
    await expect(
      decideFor({
        action: 'ec2:CreateCapacityReservation',
        resource: anyReservation,
        context: { ...tags, ...open },
      }),
    ).resolves.toBe('Allowed');
    await expect(
      decideFor({
        action: 'ec2:CreateTags',
        resource: anyReservation,
        context: { ...tags, 'ec2:CreateAction': 'CreateCapacityReservation' },
      }),
    ).resolves.toBe('Allowed');
  });

  test('a targeted reservation may be created; any other eligibility is denied', async () => {
    const request = (criteria: string) => ({
      action: 'ec2:CreateCapacityReservation',
      resource: anyReservation,
      context: {
        'aws:RequestTag/managed-by': CAPACITY_MANAGED,
        'ec2:InstanceMatchCriteria': criteria,
      },
    });
    await expect(decideFor(request('targeted'))).resolves.toBe('Allowed');
    await expect(decideFor(request('something-else'))).resolves.toBe('ImplicitlyDenied');
  });

  test.each(['resource-groups:GroupResources', 'resource-groups:UngroupResources'])(
    "%s is allowed on the stack's capacity reservation group only",
    async (action) => {
      const ours = arn('resource-groups', `group/${resourceName('capacity-reservations')}`);
      const other = arn('resource-groups', 'group/someone-elses-group');
      await expect(decideFor({ action, resource: ours })).resolves.toBe('Allowed');
      await expect(decideFor({ action, resource: other })).resolves.toBe('ImplicitlyDenied');
    },
  );

  test('tagging a reservation is denied outside its creation', async () => {
    const request = {
      action: 'ec2:CreateTags',
      resource: reservation,
      context: { 'aws:RequestTag/managed-by': CAPACITY_MANAGED },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('reading the master secret of another cluster is denied', async () => {
    const request = {
      action: 'secretsmanager:GetSecretValue',
      resource: secret,
      context: {
        'aws:ResourceTag/aws:rds:primaryDBClusterArn': arn('rds', 'cluster:someone-else'),
      },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('reading a secret RDS does not manage is denied, even with the cluster tag', async () => {
    const request = {
      action: 'secretsmanager:GetSecretValue',
      resource: arn('secretsmanager', 'secret:app/db-password-AbCdEf'),
      context: { 'aws:ResourceTag/aws:rds:primaryDBClusterArn': ourCluster },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('reading our cluster master secret is allowed', async () => {
    const request = {
      action: 'secretsmanager:GetSecretValue',
      resource: secret,
      context: { 'aws:ResourceTag/aws:rds:primaryDBClusterArn': ourCluster },
    };
    await expect(decideFor(request)).resolves.toBe('Allowed');
  });
});
