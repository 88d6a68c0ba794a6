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

describe('fake EC2: future-dated requests', () => {
  // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-create.html#create-future-cr
  const request = (days: number, commitmentDays: number, count = 8) => ({
    InstanceType: 'm5.xlarge',
    InstancePlatform: 'Linux/UNIX' as const,
    AvailabilityZone: 'us-east-1a',
    InstanceCount: count,
    StartDate: new Date(Date.now() + days * 86_400_000),
    CommitmentDuration: commitmentDays * 86_400,
  });

  it('starts a valid request in state assessing, with its commitment', () => {
    // Prepare
    const world = new Ec2World();

    // Act
    const out = world.createCapacityReservation(request(60, 30));

    // Assess
    expect(out.CapacityReservation).toMatchObject({
      State: 'assessing',
      CommitmentInfo: { CommitmentDuration: 30 * 86_400, CommittedInstanceCount: 8 },
    });
  });

  it.each([
    ['4 days ahead', request(4, 30)],
    ['121 days ahead', request(121, 30)],
    ['a 13-day commitment', request(60, 13)],
    ['16 vCPUs', request(60, 30, 4)],
  ])('refuses a request %s', (_case, input) => {
    // Prepare
    const world = new Ec2World();

    // Act
    const act = () => world.createCapacityReservation(input);

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }));
    expect(world.all()).toEqual([]);
  });
});
