import { Ec2World } from '../fixtures/ec2-world';

/*
 * The fake EC2 must refuse what EC2 refuses, or the reserver's tests prove nothing. Each case cites the
 * documented rule it models.
 */

const reservation = (world: Ec2World, state: string) =>
  world.addReservation({
    instanceType: 'm5.large',
    availabilityZone: 'us-east-1a',
    total: 4,
    state,
  });

describe('fake EC2: which states allow Cancel and Modify', () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CancelCapacityReservation.html
  it.each(['pending', 'scheduled', 'delayed', 'cancelled', 'expired', 'failed', 'unsupported'])(
    'refuses to cancel a reservation in state %s',
    (state) => {
      // Prepare
      const world = new Ec2World();
      const id = reservation(world, state);

      // Act
      const act = () => world.cancelCapacityReservation({ CapacityReservationId: id });

      // Assess
      expect(act).toThrow(expect.objectContaining({ code: 'IncorrectState' }));
      expect(world.get(id)?.State).toBe(state);
    },
  );

  it.each(['active', 'assessing'])('cancels a reservation in state %s', (state) => {
    // Prepare
    const world = new Ec2World();
    const id = reservation(world, state);

    // Act
    world.cancelCapacityReservation({ CapacityReservationId: id });

    // Assess
    expect(world.get(id)?.State).toBe('cancelled');
  });

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyCapacityReservation.html
  it.each(['pending', 'assessing', 'scheduled', 'delayed', 'cancelled', 'expired'])(
    'refuses to modify the instance count of a reservation in state %s',
    (state) => {
      // Prepare
      const world = new Ec2World();
      const id = reservation(world, state);

      // Act
      const act = () =>
        world.modifyCapacityReservation({ CapacityReservationId: id, InstanceCount: 2 });

      // Assess
      expect(act).toThrow(expect.objectContaining({ code: 'IncorrectState' }));
      expect(world.get(id)?.TotalInstanceCount).toBe(4);
    },
  );
});

describe('fake EC2: ModifyCapacityReservation end dates', () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyCapacityReservation.html
  const end = new Date('2031-06-30T12:00:00Z');

  it('sets and clears the end date of an active reservation', () => {
    // Prepare
    const world = new Ec2World();
    const id = reservation(world, 'active');

    // Act
    world.modifyCapacityReservation({
      CapacityReservationId: id,
      EndDateType: 'limited',
      EndDate: end,
    });
    const limited = { ...world.get(id) };
    world.modifyCapacityReservation({ CapacityReservationId: id, EndDateType: 'unlimited' });

    // Assess
    expect(limited).toMatchObject({ EndDateType: 'limited', EndDate: end });
    expect(world.get(id)).toMatchObject({ EndDateType: 'unlimited' });
    expect(world.get(id)?.EndDate).toBeUndefined();
  });

  it.each([
    ['limited without an end date', { EndDateType: 'limited' as const }],
    ['unlimited with an end date', { EndDateType: 'unlimited' as const, EndDate: end }],
  ])('refuses %s', (_case, change) => {
    // Prepare
    const world = new Ec2World();
    const id = reservation(world, 'active');

    // Act
    const act = () => world.modifyCapacityReservation({ CapacityReservationId: id, ...change });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'InvalidParameterCombination' }));
  });
});
