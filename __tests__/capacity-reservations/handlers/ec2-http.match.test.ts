import {
  CreateCapacityReservationCommand,
  type CreateCapacityReservationCommandInput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { FAKE_CREDENTIALS, FakeEc2HttpHandler } from '../fixtures/ec2-http';
import { Ec2World } from '../fixtures/ec2-world';

/*
 * Instance eligibility through the HTTP fake (a real EC2Client serializes the request), as documented:
 * CreateCapacityReservation's InstanceMatchCriteria is `open` or `targeted`, `open` by default
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateCapacityReservation.html); a value outside
 * the valid values is a client error, InvalidParameterValue, HTTP 400
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 */

type Criteria = CreateCapacityReservationCommandInput['InstanceMatchCriteria'];

function create(world: Ec2World, criteria?: string) {
  const client = new EC2Client({
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    requestHandler: new FakeEc2HttpHandler(world),
    maxAttempts: 1,
  });
  return client.send(
    new CreateCapacityReservationCommand({
      InstanceType: 'm5.large',
      InstancePlatform: 'Linux/UNIX',
      AvailabilityZone: 'us-east-1a',
      InstanceCount: 2,
      ...(criteria ? { InstanceMatchCriteria: criteria as Criteria } : {}),
    }),
  );
}

describe('HTTP fake EC2: instance eligibility on CreateCapacityReservation', () => {
  it('creates a targeted reservation when asked to', async () => {
    // Prepare
    const world = new Ec2World();

    // Act
    const out = await create(world, 'targeted');

    // Assess
    expect(out.CapacityReservation?.InstanceMatchCriteria).toBe('targeted');
    expect(world.get(out.CapacityReservation?.CapacityReservationId ?? '')).toMatchObject({
      InstanceMatchCriteria: 'targeted',
    });
  });

  it('creates an open reservation by default', async () => {
    // Prepare
    const world = new Ec2World();

    // Act
    const out = await create(world);

    // Assess
    expect(out.CapacityReservation?.InstanceMatchCriteria).toBe('open');
  });

  it('refuses a value that is neither open nor targeted, and creates nothing', async () => {
    // Prepare
    const world = new Ec2World();

    // Act
    const sent = create(world, 'closed');

    // Assess
    await expect(sent).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
    expect(world.all()).toEqual([]);
  });
});
