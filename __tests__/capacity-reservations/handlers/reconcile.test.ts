import {
  CreateCapacityReservationCommand,
  DescribeCapacityReservationsCommand,
  EC2Client,
  type CapacityReservation,
  type CreateCapacityReservationCommandInput,
} from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import {
  POOL_DIMENSION,
  POOL_METRICS,
  RESERVER_METRICS,
  RUN_METRICS,
} from '../../../functions/capacity-reservation/metric-names';
import {
  reconcile,
  type PoolOutcome,
  type ReconcileResult,
} from '../../../functions/capacity-reservation/reconcile';
import { insertSeedRow, readRow, SEED_TABLE_DDL } from '../fixtures/demand';
import { reservationTags, serveWorld } from '../fixtures/ec2-mock';
import { Ec2ApiError, Ec2World } from '../fixtures/ec2-world';
import { MANAGED_BY } from '../fixtures/events';
import { captureEmf, distinctSpecs, type EmittedMetric, specOf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';
import { describeWithMariaDb, startMariaDb, type MariaDbServer } from '../../support/mariadb';

const ec2Mock = mockClient(EC2Client);
const secretsMock = mockClient(SecretsManagerClient);
let world = new Ec2World();
recordIamCalls(
  'capacity-reservation-reserver',
  [ec2Mock, secretsMock],
  reservationTags(() => world),
);

const config = { lockName: 'ops-autopilot-odcr', defaultChunkSize: 10, concurrency: 4 };
const ours = (pool: string): Record<string, string> => ({
  'managed-by': MANAGED_BY,
  'ops-autopilot:pool': pool,
});

function createInputs(): CreateCapacityReservationCommandInput[] {
  return ec2Mock.commandCalls(CreateCapacityReservationCommand).map((c) => c.args[0].input);
}

/** A Metrics instance that prints EMF as on Lambda (the tests' setup disables Powertools Metrics). */
function emfMetrics(service: string): Metrics {
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    return new Metrics({ namespace: 'OpsAutopilot', serviceName: service });
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = saved;
  }
}

function completed(result: ReconcileResult): readonly PoolOutcome[] {
  if (result.status !== 'completed')
    throw new Error(`expected a completed run, got ${result.status}`);
  return result.pools;
}

describeWithMariaDb('reconcile (real MariaDB, mocked EC2)', () => {
  let server: MariaDbServer;
  let database: string;
  let db: Connection;
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const run = (connection: Connection = db, extra: { metrics?: Metrics } = {}) =>
    reconcile({ db: connection, ec2, managedBy: MANAGED_BY, ...extra }, config);

  beforeAll(async () => {
    server = await startMariaDb();
  });

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    ec2Mock.reset();
    secretsMock.reset();
    world = new Ec2World();
    serveWorld(ec2Mock, world);
    database = await server.createDatabase();
    db = await server.connect(database);
  });

  afterEach(async () => {
    await db?.end();
  });

  describe('schema', () => {
    it('creates the table with the seed columns plus the new ones when it is missing', async () => {
      // Act
      await run();

      // Assess
      const [columns] = await db.execute<RowDataPacket[]>(
        `SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'odcr_capacity' ORDER BY ORDINAL_POSITION`,
      );
      expect(columns.map((c) => c.name)).toEqual([
        'InstanceType',
        'AvailabilityZone',
        'Target_Capacity',
        'Current_Capacity',
        'Platform',
        'Tenancy',
        'End_Date',
        'Chunk_Size',
        'Last_Error',
        'Last_Reconciled_At',
      ]);
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it('keeps the seed SQL working: an INSERT into the four seed columns is reconciled', async () => {
      // Prepare
      await run();
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 3, 0);

      // Act
      const pools = completed(await run());

      // Assess
      expect(pools).toEqual([expect.objectContaining({ status: 'reconciled', actual: 3 })]);
      expect(await readRow(db, 'm5.large', 'us-east-1a')).toMatchObject({
        Current_Capacity: 3,
        Last_Error: null,
        Last_Reconciled_At: expect.any(Date),
      });
      const [defaults] = await db.execute<RowDataPacket[]>(
        'SELECT Platform, Tenancy, End_Date, Chunk_Size FROM odcr_capacity',
      );
      expect(defaults[0]).toEqual({
        Platform: 'Linux/UNIX',
        Tenancy: 'default',
        End_Date: null,
        Chunk_Size: null,
      });
    });

    it("adds the missing columns to the seed's existing table and keeps its rows", async () => {
      // Prepare
      await db.query(SEED_TABLE_DDL);
      await insertSeedRow(db, 'c5.xlarge', 'us-east-1b', 2, 2);

      // Act
      const pools = completed(await run());

      // Assess
      const [columns] = await db.execute<RowDataPacket[]>(
        `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'odcr_capacity'`,
      );
      expect(columns.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          'Platform',
          'Tenancy',
          'End_Date',
          'Chunk_Size',
          'Last_Error',
          'Last_Reconciled_At',
        ]),
      );
      // The seed's counter said 2, but EC2 holds nothing of ours: 2 are reserved.
      expect(pools).toEqual([
        expect.objectContaining({ status: 'reconciled', observed: 0, instancesCreated: 2 }),
      ]);
    });
  });

  describe('EC2 is the truth', () => {
    it('reserves only the real gap when the counter drifted (counter 5, EC2 holds 3)', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 5, 5);
      world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 3,
        tags: ours('m5.large/us-east-1a'),
      });

      // Act
      await run();

      // Assess
      expect(createInputs().map((i) => i.InstanceCount)).toEqual([2]);
      expect(world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(5);
      expect((await readRow(db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(5);
    });

    it.each(['cancelled', 'expired'])(
      'does not count a %s reservation and replaces it',
      async (state) => {
        // Prepare
        await ensureSchema(db);
        await insertSeedRow(db, 'm5.large', 'us-east-1a', 4, 4);
        world.addReservation({
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
          total: 4,
          state,
          tags: ours('m5.large/us-east-1a'),
        });

        // Act
        await run();

        // Assess
        expect(createInputs().map((i) => i.InstanceCount)).toEqual([4]);
        expect(world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(4);
      },
    );

    it('asks EC2 with the tag, state, type, zone, platform and tenancy filters', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'r6g.2xlarge', 'eu-west-1c', 0);
      await db.execute(
        `UPDATE odcr_capacity SET Platform = 'Red Hat Enterprise Linux', Tenancy = 'dedicated'`,
      );

      // Act
      await run();

      // Assess
      const describe = ec2Mock.commandCalls(DescribeCapacityReservationsCommand)[0]?.args[0].input;
      expect(describe?.Filters).toEqual(
        expect.arrayContaining([
          { Name: 'tag:managed-by', Values: [MANAGED_BY] },
          { Name: 'tag:ops-autopilot:pool', Values: ['r6g.2xlarge/eu-west-1c'] },
          { Name: 'state', Values: ['active', 'pending'] },
          { Name: 'instance-type', Values: ['r6g.2xlarge'] },
          { Name: 'availability-zone', Values: ['eu-west-1c'] },
          { Name: 'instance-platform', Values: ['Red Hat Enterprise Linux'] },
          { Name: 'tenancy', Values: ['dedicated'] },
        ]),
      );
    });

    it('sums TotalInstanceCount over every page of the describe', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 't3.micro', 'us-east-1a', 250);
      for (let i = 0; i < 250; i++) {
        world.addReservation({
          instanceType: 't3.micro',
          availabilityZone: 'us-east-1a',
          total: 1,
          tags: ours('t3.micro/us-east-1a'),
        });
      }

      // Act
      const pools = completed(await run());

      // Assess
      expect(ec2Mock.commandCalls(DescribeCapacityReservationsCommand).length).toBeGreaterThan(1);
      expect(pools[0]).toMatchObject({ observed: 250, instancesCreated: 0 });
      expect(createInputs()).toHaveLength(0);
    });

    it('does not count a reservation without our tags even if a describe returns it', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 2);
      const foreign: CapacityReservation = {
        CapacityReservationId: 'cr-0f0f0f0f0f0f0f0f0',
        InstanceType: 'm5.large',
        AvailabilityZone: 'us-east-1a',
        InstancePlatform: 'Linux/UNIX',
        Tenancy: 'default',
        TotalInstanceCount: 2,
        AvailableInstanceCount: 2,
        State: 'active',
        Tags: [{ Key: 'team', Value: 'payments' }],
      };
      ec2Mock.on(DescribeCapacityReservationsCommand).resolves({ CapacityReservations: [foreign] });

      // Act
      const pools = completed(await run());

      // Assess
      expect(pools[0]).toMatchObject({ observed: 0, instancesCreated: 2 });
    });
  });

  describe('creating', () => {
    it('creates the gap in chunks, tagged, open, unlimited, with distinct ClientTokens of at most 64 ASCII characters', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'c6i.large', 'us-west-2b', 23);

      // Act
      await run();

      // Assess
      const inputs = createInputs();
      expect(inputs.map((i) => i.InstanceCount)).toEqual([10, 10, 3]);
      for (const input of inputs) {
        expect(input).toMatchObject({
          InstanceType: 'c6i.large',
          AvailabilityZone: 'us-west-2b',
          InstancePlatform: 'Linux/UNIX',
          Tenancy: 'default',
          InstanceMatchCriteria: 'open',
          EndDateType: 'unlimited',
          TagSpecifications: [
            {
              ResourceType: 'capacity-reservation',
              Tags: [
                { Key: 'managed-by', Value: MANAGED_BY },
                { Key: 'ops-autopilot:pool', Value: 'c6i.large/us-west-2b' },
                { Key: 'Name', Value: 'odcr c6i.large/us-west-2b' },
              ],
            },
          ],
        });
        expect(input.EndDate).toBeUndefined();
        expect(input.ClientToken).toMatch(/^[\x20-\x7e]{1,64}$/);
      }
      expect(new Set(inputs.map((i) => i.ClientToken)).size).toBe(3);
      expect((await readRow(db, 'c6i.large', 'us-west-2b'))?.Current_Capacity).toBe(23);
    });

    it("uses the row's Chunk_Size", async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'c6i.large', 'us-west-2b', 7);
      await db.execute('UPDATE odcr_capacity SET Chunk_Size = 3');

      // Act
      await run();

      // Assess
      expect(createInputs().map((i) => i.InstanceCount)).toEqual([3, 3, 1]);
    });

    it('ends reservations at End_Date (EndDateType limited) when it is set', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 2);
      const end = new Date(Math.floor(Date.now() / 1000 + 30 * 86400) * 1000);
      await db.execute('UPDATE odcr_capacity SET End_Date = ?', [end]);

      // Act
      await run();

      // Assess
      expect(createInputs()).toEqual([
        expect.objectContaining({ EndDateType: 'limited', EndDate: end }),
      ]);
      expect(world.all()[0]).toMatchObject({ EndDateType: 'limited', EndDate: end });
    });
  });

  describe('idempotency', () => {
    it('does not reserve again when the previous run reserved but its UPDATE was lost', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 6);
      await run();
      await db.execute('UPDATE odcr_capacity SET Current_Capacity = 0');
      ec2Mock.resetHistory();

      // Act
      await run();

      // Assess
      expect(createInputs()).toHaveLength(0);
      expect(world.liveInstances('m5.large', 'us-east-1a')).toBe(6);
      expect((await readRow(db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(6);
    });

    it('sends the same ClientTokens when a run does not see the previous run yet, and EC2 returns the same reservations', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 15);
      world.hideNewFromDescribe = true;
      await run();
      const firstTokens = createInputs().map((i) => i.ClientToken);
      ec2Mock.resetHistory();

      // Act
      await run();

      // Assess
      expect(createInputs().map((i) => i.ClientToken)).toEqual(firstTokens);
      expect(world.all()).toHaveLength(2);
      world.catchUp();
      expect(world.liveInstances('m5.large', 'us-east-1a')).toBe(15);
    });

    it('uses new ClientTokens once the observed count changed, so a cancelled chunk is replaced with one call', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 20);
      await run();
      const [, second] = world.all();
      world.cancelOutOfBand(second?.CapacityReservationId ?? '');
      ec2Mock.resetHistory();

      // Act
      await run();

      // Assess: had the token ignored the observed count, chunk 0 would get the first run's live reservation back.
      expect(createInputs()).toHaveLength(1);
      expect(world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(20);
    });

    it('replaces a reservation someone cancelled even though the observed count is the same as before', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 4);
      await run();
      const [first] = world.all();
      world.cancelOutOfBand(first?.CapacityReservationId ?? '');
      ec2Mock.resetHistory();

      // Act
      const pools = completed(await run());

      // Assess: the first token returns the cancelled reservation; its successor creates a new one.
      const tokens = createInputs().map((i) => i.ClientToken);
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).not.toEqual(tokens[1]);
      expect(world.liveInstances('m5.large', 'us-east-1a', MANAGED_BY)).toBe(4);
      expect(pools[0]).toMatchObject({ status: 'reconciled', actual: 4, reservationsCreated: 1 });
    });
  });

  describe('insufficient capacity', () => {
    it('records InsufficientInstanceCapacity on its row, emits a metric, and the next row proceeds', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'p4d.24xlarge', 'us-east-1a', 2);
      await insertSeedRow(db, 'p5.48xlarge', 'us-east-1b', 2);
      world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
      const metrics = new Metrics({ namespace: 'OdcrTest' });
      const addMetric = jest.spyOn(metrics, 'addMetric');

      // Act
      const pools = completed(await run(db, { metrics }));

      // Assess
      expect(pools.map((p) => p.status)).toEqual(['insufficient-capacity', 'reconciled']);
      expect((await readRow(db, 'p4d.24xlarge', 'us-east-1a'))?.Last_Error).toMatch(
        /^InsufficientInstanceCapacity: /,
      );
      expect(await readRow(db, 'p5.48xlarge', 'us-east-1b')).toMatchObject({
        Current_Capacity: 2,
        Last_Error: null,
      });
      expect(addMetric).toHaveBeenCalledWith('InsufficientCapacity', 'Count', 1);
      expect(addMetric).toHaveBeenCalledWith('CapacityGap', 'Count', 2);
    });

    it('keeps what earlier chunks reserved when a later chunk gets InsufficientInstanceCapacity', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'p4d.24xlarge', 'us-east-1a', 5);
      await db.execute('UPDATE odcr_capacity SET Chunk_Size = 2');
      const create = world.createCapacityReservation.bind(world);
      jest.spyOn(world, 'createCapacityReservation').mockImplementation((input) => {
        if (world.callsOf('CreateCapacityReservation').length >= 2)
          world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
        return create(input);
      });

      // Act
      const pools = completed(await run());

      // Assess
      expect(pools[0]).toMatchObject({ status: 'insufficient-capacity', actual: 4 });
      expect(await readRow(db, 'p4d.24xlarge', 'us-east-1a')).toMatchObject({
        Current_Capacity: 4,
        Last_Error: expect.stringMatching(/^InsufficientInstanceCapacity/),
      });
    });

    it('clears Last_Error once the pool reaches its target', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'p4d.24xlarge', 'us-east-1a', 1);
      world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');
      await run();
      world.insufficientCapacity.clear();

      // Act
      await run();

      // Assess
      expect(await readRow(db, 'p4d.24xlarge', 'us-east-1a')).toMatchObject({
        Current_Capacity: 1,
        Last_Error: null,
      });
    });
  });

  describe('lowering the target', () => {
    it('takes from the reservation with the most unused capacity first and leaves foreign reservations alone', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 7, 10);
      const pool = 'm5.large/us-east-1a';
      const inUse = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 4,
        available: 0,
        tags: ours(pool),
      });
      const partly = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 3,
        available: 1,
        tags: ours(pool),
      });
      const unused = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 3,
        available: 3,
        tags: ours(pool),
      });
      const untagged = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 8,
      });
      const otherOwner = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 5,
        tags: { 'managed-by': 'someone-else', 'ops-autopilot:pool': pool },
      });

      // Act
      const pools = completed(await run());

      // Assess
      expect(world.callsOf('CancelCapacityReservation')).toEqual([
        { CapacityReservationId: unused },
      ]);
      expect(world.callsOf('ModifyCapacityReservation')).toEqual([]);
      expect(world.get(partly)).toMatchObject({ State: 'active', TotalInstanceCount: 3 });
      expect(world.get(inUse)).toMatchObject({ State: 'active', TotalInstanceCount: 4 });
      expect(world.get(untagged)).toMatchObject({ State: 'active', TotalInstanceCount: 8 });
      expect(world.get(otherOwner)).toMatchObject({ State: 'active', TotalInstanceCount: 5 });
      expect(pools[0]).toMatchObject({ observed: 10, actual: 7, instancesRemoved: 3 });
      expect((await readRow(db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(7);
    });

    it('removes unused capacity before capacity in use (ModifyCapacityReservation lowers InstanceCount)', async () => {
      // Prepare: 3 of 7 reserved instances are unused, spread over two reservations.
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 4, 7);
      const pool = 'm5.large/us-east-1a';
      const big = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 5,
        available: 2,
        tags: ours(pool),
      });
      const small = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 2,
        available: 1,
        tags: ours(pool),
      });

      // Act
      await run();

      // Assess
      expect(world.callsOf('ModifyCapacityReservation')).toEqual([
        { CapacityReservationId: big, InstanceCount: 3 },
        { CapacityReservationId: small, InstanceCount: 1 },
      ]);
      expect([
        world.get(big)?.AvailableInstanceCount,
        world.get(small)?.AvailableInstanceCount,
      ]).toEqual([0, 0]);
      expect((await readRow(db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(4);
    });

    it('cancels every reservation of ours when the target becomes 0, and nothing else', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 0, 5);
      const a = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 2,
        available: 1,
        tags: ours('m5.large/us-east-1a'),
      });
      const b = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 3,
        tags: ours('m5.large/us-east-1a'),
      });
      const foreign = world.addReservation({
        instanceType: 'm5.large',
        availabilityZone: 'us-east-1a',
        total: 3,
      });

      // Act
      await run();

      // Assess
      expect([world.get(a)?.State, world.get(b)?.State, world.get(foreign)?.State]).toEqual([
        'cancelled',
        'cancelled',
        'active',
      ]);
      expect((await readRow(db, 'm5.large', 'us-east-1a'))?.Current_Capacity).toBe(0);
    });
  });

  describe('bad rows', () => {
    const kinds: [string, string, string, number | null, string, string][] = [
      // [case, InstanceType, AvailabilityZone, Target_Capacity, extra SQL SET clause, expected Last_Error part]
      ['a negative target', 'c5.xlarge', 'us-east-1c', -3, '', 'Target_Capacity -3 is negative'],
      ['a NULL target', 'c5.xlarge', 'us-east-1c', null, '', 'Target_Capacity is NULL'],
      [
        'a malformed Availability Zone',
        'c5.xlarge',
        'us-east-1',
        2,
        '',
        'is not an Availability Zone',
      ],
      [
        'an injected Availability Zone',
        'c5.xlarge',
        "us-east-1a' OR '1'='1",
        2,
        '',
        'is not an Availability Zone',
      ],
      ['a malformed instance type', 'c5xlarge', 'us-east-1c', 2, '', 'is not an instance type'],
      ['an upper-case instance type', 'C5.XLARGE', 'us-east-1c', 2, '', 'is not an instance type'],
      [
        'a zero Chunk_Size',
        'c5.xlarge',
        'us-east-1c',
        2,
        'Chunk_Size = 0',
        'Chunk_Size 0 must be NULL or an integer',
      ],
      [
        'a Chunk_Size above 1000',
        'c5.xlarge',
        'us-east-1c',
        2,
        'Chunk_Size = 1001',
        'Chunk_Size 1001',
      ],
      [
        'an unknown platform',
        'c5.xlarge',
        'us-east-1c',
        2,
        "Platform = 'Linux'",
        'Platform "Linux"',
      ],
      ['an unknown tenancy', 'c5.xlarge', 'us-east-1c', 2, "Tenancy = 'host'", 'Tenancy "host"'],
      [
        'an End_Date in the past',
        'c5.xlarge',
        'us-east-1c',
        2,
        "End_Date = '2020-01-01 00:00:00'",
        'is in the past',
      ],
    ];

    it.each(kinds)(
      'records %s in Last_Error, calls nothing for it, and the other rows proceed',
      async (_case, type, az, target, set, expected) => {
        // Prepare
        await ensureSchema(db);
        await insertSeedRow(db, type, az, target, 1);
        if (set)
          await db.execute(
            `UPDATE odcr_capacity SET ${set} WHERE InstanceType = ? AND AvailabilityZone = ?`,
            [type, az],
          );
        await insertSeedRow(db, 'm5.large', 'us-east-1a', 2);
        const metrics = new Metrics({ namespace: 'OdcrTest' });
        const addMetric = jest.spyOn(metrics, 'addMetric');

        // Act
        const pools = completed(await run(db, { metrics }));

        // Assess
        const bad = await readRow(db, type, az);
        expect(bad?.Last_Error).toContain(expected);
        expect(bad?.Current_Capacity).toBe(1);
        expect(bad?.Last_Reconciled_At).toBeNull();
        expect(JSON.stringify(ec2Mock.calls().map((c) => c.args[0].input))).not.toContain(
          `"${type}"`,
        );
        expect(await readRow(db, 'm5.large', 'us-east-1a')).toMatchObject({
          Current_Capacity: 2,
          Last_Error: null,
        });
        expect(pools.find((p) => p.instanceType === type)?.status).toBe('invalid');
        expect(addMetric).toHaveBeenCalledWith('RowsInvalid', 'Count', 1);
      },
    );
  });

  describe('single run', () => {
    it('lets exactly one of two overlapping runs work; together they reserve exactly the target', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 12);
      await insertSeedRow(db, 'c5.large', 'us-east-1b', 7);
      ec2Mock.reset();
      serveWorld(ec2Mock, world, { latencyMs: 40 });
      const other = await server.connect(database);

      // Act
      const results = await Promise.all([run(db), run(other)]).finally(() => other.end());

      // Assess
      expect(results.map((r) => r.status).sort()).toEqual(['completed', 'locked']);
      expect(world.liveInstances('m5.large', 'us-east-1a')).toBe(12);
      expect(world.liveInstances('c5.large', 'us-east-1b')).toBe(7);
      expect(createInputs()).toHaveLength(3);
    });

    it('changes nothing when another session holds the lock', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 3, 1);
      const holder = await server.connect(database);
      await holder.execute('SELECT GET_LOCK(?, 0)', [config.lockName]);

      // Act
      const result = await run().finally(() => holder.end());

      // Assess
      expect(result).toEqual({ status: 'locked', holderConnectionId: expect.any(Number) });
      expect(ec2Mock.calls()).toHaveLength(0);
      expect(await readRow(db, 'm5.large', 'us-east-1a')).toMatchObject({
        Current_Capacity: 1,
        Last_Reconciled_At: null,
      });
    });

    it('releases the lock at the end of a run', async () => {
      // Prepare
      await ensureSchema(db);

      // Act
      await run();

      // Assess
      const [rows] = await db.execute<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [
        config.lockName,
      ]);
      expect(Number(rows[0]?.free)).toBe(1);
    });
  });

  describe('failures', () => {
    it('records a failed describe on its row and goes on with the others', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 2, 2);
      await insertSeedRow(db, 'm6i.large', 'us-east-1a', 2);
      const describe = world.describeCapacityReservations.bind(world);
      jest.spyOn(world, 'describeCapacityReservations').mockImplementation((input) => {
        if (
          input.Filters?.some((f) => f.Name === 'instance-type' && f.Values?.includes('m5.large'))
        ) {
          throw new Ec2ApiError(
            'UnauthorizedOperation',
            'You are not authorized to perform this operation.',
            403,
          );
        }
        return describe(input);
      });

      // Act
      const pools = completed(await run());

      // Assess
      expect(pools.map((p) => p.status)).toEqual(['failed', 'reconciled']);
      expect(await readRow(db, 'm5.large', 'us-east-1a')).toMatchObject({
        Current_Capacity: 2,
        Last_Error:
          'DescribeCapacityReservations failed: UnauthorizedOperation: You are not authorized to perform this operation.',
      });
      expect((await readRow(db, 'm6i.large', 'us-east-1a'))?.Current_Capacity).toBe(2);
    });

    it('stops starting rows when the database dies mid-run, and the next run does not reserve twice', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 3);
      await insertSeedRow(db, 'm6i.large', 'us-east-1b', 2);
      const [[session]] = await db.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
      const killer = await server.connect(database);
      ec2Mock
        .on(CreateCapacityReservationCommand)
        .callsFake(async (input: CreateCapacityReservationCommandInput) => {
          const out = world.createCapacityReservation(input);
          await killer.query('KILL ?', [session?.id]);
          return out;
        });

      // Act
      const act = reconcile({ db, ec2, managedBy: MANAGED_BY }, { ...config, concurrency: 1 });

      // Assess
      await expect(act).rejects.toMatchObject({ name: 'DatabaseWriteError' });
      expect(createInputs()).toHaveLength(1);
      await killer.end();
      await db.end().catch(() => undefined);
      db = await server.connect(database);
      ec2Mock.reset();
      serveWorld(ec2Mock, world);
      const pools = completed(await run());
      expect(pools).toEqual([
        expect.objectContaining({ instanceType: 'm5.large', observed: 3, instancesCreated: 0 }),
        expect.objectContaining({ instanceType: 'm6i.large', observed: 0, instancesCreated: 2 }),
      ]);
    });

    it('fails with a named error when the table lacks a seed column, before any EC2 call', async () => {
      // Prepare
      await db.query(
        'CREATE TABLE odcr_capacity (InstanceType VARCHAR(64), AvailabilityZone VARCHAR(64), PRIMARY KEY (InstanceType, AvailabilityZone))',
      );

      // Act
      const act = run();

      // Assess
      await expect(act).rejects.toMatchObject({ name: 'SchemaError' });
      expect(ec2Mock.calls()).toHaveLength(0);
    });
  });
  describe('EMF metrics (what the dashboard and the gap alarm read)', () => {
    const SERVICE = 'capacity-reservation-reserver';
    const ofPool = (metrics: EmittedMetric[], pool: string) =>
      Object.fromEntries(
        metrics.filter((m) => m.dimensions[POOL_DIMENSION] === pool).map((m) => [m.name, m.value]),
      );

    it('publishes target and actual capacity per pool, dimensions service + Pool, next to the gap', async () => {
      // Prepare: one pool reaches its target, one gets InsufficientInstanceCapacity.
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 3);
      await insertSeedRow(db, 'p4d.24xlarge', 'us-east-1b', 2);
      world.insufficientCapacity.add('p4d.24xlarge/us-east-1b');

      // Act
      const { metrics } = await captureEmf(() => run(db, { metrics: emfMetrics(SERVICE) }));

      // Assess
      expect(ofPool(metrics, 'm5.large/us-east-1a')).toEqual({
        [POOL_METRICS.target]: 3,
        [POOL_METRICS.actual]: 3,
        [POOL_METRICS.gap]: 0,
        [POOL_METRICS.reservationsCreated]: 1,
        [POOL_METRICS.insufficientCapacity]: 0,
      });
      expect(ofPool(metrics, 'p4d.24xlarge/us-east-1b')).toEqual({
        [POOL_METRICS.target]: 2,
        [POOL_METRICS.actual]: 0,
        [POOL_METRICS.gap]: 2,
        [POOL_METRICS.reservationsCreated]: 0,
        [POOL_METRICS.insufficientCapacity]: 1,
      });
      for (const m of metrics.filter((x) => x.name !== RUN_METRICS.rowsInvalid)) {
        expect(m).toMatchObject({ namespace: 'OpsAutopilot', unit: 'Count' });
        expect(Object.keys(m.dimensions).sort()).toEqual([POOL_DIMENSION, 'service']);
        expect(m.dimensions.service).toBe(SERVICE);
      }
      expect(metrics.filter((m) => m.name === RUN_METRICS.rowsInvalid)).toEqual([
        expect.objectContaining({ dimensions: { service: SERVICE }, value: 0 }),
      ]);
    });

    it('leaves ActualCapacity out for a pool EC2 could not be read for (the gap is then the target)', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 2, 2);
      jest.spyOn(world, 'describeCapacityReservations').mockImplementation(() => {
        throw new Ec2ApiError('UnauthorizedOperation', 'not authorized (test)', 403);
      });

      // Act
      const { metrics } = await captureEmf(() => run(db, { metrics: emfMetrics(SERVICE) }));

      // Assess
      expect(ofPool(metrics, 'm5.large/us-east-1a')).toEqual({
        [POOL_METRICS.target]: 2,
        [POOL_METRICS.gap]: 2,
        [POOL_METRICS.reservationsCreated]: 0,
        [POOL_METRICS.insufficientCapacity]: 0,
      });
    });

    it('emits exactly the metrics functions/capacity-reservation/metric-names.ts declares', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 3);

      // Act
      const { metrics } = await captureEmf(() => run(db, { metrics: emfMetrics(SERVICE) }));

      // Assess
      expect(distinctSpecs(metrics.map(specOf))).toEqual(distinctSpecs(RESERVER_METRICS));
    });
  });
});
