import { Ec2World } from '../fixtures/ec2-world';

/*
 * Instance eligibility (InstanceMatchCriteria) in the fake EC2, as documented:
 * - Create takes `open` or `targeted`, `open` by default:
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateCapacityReservation.html
 * - Modify can change it, only while the reservation is completely idle (zero usage):
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-modify.html
 */

const create = (world: Ec2World, criteria?: 'open' | 'targeted') =>
  world.createCapacityReservation({
    InstanceType: 'm5.large',
    InstancePlatform: 'Linux/UNIX',
    AvailabilityZone: 'us-east-1a',
    InstanceCount: 2,
    ...(criteria ? { InstanceMatchCriteria: criteria } : {}),
  }).CapacityReservation;

describe('fake EC2: instance eligibility', () => {
  it('creates a targeted reservation when asked to', () => {
    // Prepare
    const world = new Ec2World();

    // Act
    const created = create(world, 'targeted');

    // Assess
    expect(created?.InstanceMatchCriteria).toBe('targeted');
  });

  it('creates an open reservation by default', () => {
    // Prepare
    const world = new Ec2World();

    // Act
    const created = create(world);

    // Assess
    expect(created?.InstanceMatchCriteria).toBe('open');
  });

  it('switches an idle reservation from open to targeted', () => {
    // Prepare
    const world = new Ec2World();
    const id = create(world)?.CapacityReservationId ?? '';

    // Act
    world.modifyCapacityReservation({
      CapacityReservationId: id,
      InstanceMatchCriteria: 'targeted',
    });

    // Assess
    expect(world.get(id)?.InstanceMatchCriteria).toBe('targeted');
  });

  it('refuses to switch a reservation that instances use', () => {
    // Prepare
    const world = new Ec2World();
    const id = world.addReservation({
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      total: 4,
      available: 3,
    });

    // Act
    const act = () =>
      world.modifyCapacityReservation({
        CapacityReservationId: id,
        InstanceMatchCriteria: 'targeted',
      });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }));
    expect(world.get(id)?.InstanceMatchCriteria).toBe('open');
  });

  it('refuses to switch to a value that is neither open nor targeted', () => {
    // Prepare
    const world = new Ec2World();
    const id = create(world)?.CapacityReservationId ?? '';

    // Act
    const act = () =>
      world.modifyCapacityReservation({
        CapacityReservationId: id,
        InstanceMatchCriteria: 'closed' as 'open',
      });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }));
    expect(world.get(id)?.InstanceMatchCriteria).toBe('open');
  });
});
