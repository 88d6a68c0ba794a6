import {
  EC2Client,
  type CapacityReservation,
  type EC2ClientResolvedConfig,
} from '@aws-sdk/client-ec2';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { insertSeedRow } from '../../capacity-reservations/fixtures/demand';
import { serveWorld } from '../../capacity-reservations/fixtures/ec2-mock';
import { Ec2World } from '../../capacity-reservations/fixtures/ec2-world';
import {
  DB_SECRET_ARN,
  MANAGED_BY,
  OWN_RULE_ARN,
  scheduledEvent,
} from '../../capacity-reservations/fixtures/events';
import { startMariaDb, type MariaDbServer } from '../../support/mariadb';
import { AnswerBook } from '../harness/answers';
import type { Scenario } from '../harness/matrix';
import type { Handler } from '../harness/platform';

/** The reserver's environment against the test's MariaDB (TLS off: a local server has no RDS certificate). */
export function capacityEnv(server: MariaDbServer, database: string): Record<string, string> {
  return {
    DB_SECRET_ARN,
    DB_HOST: server.host,
    DB_PORT: String(server.port),
    DB_NAME: database,
    DB_TLS: 'false',
    MANAGED_BY,
    SCHEDULE_RULE_ARN: OWN_RULE_ARN,
    AWS_MAX_ATTEMPTS: '8',
  };
}

/** A DescribeCapacityReservations listing that shows a reservation only `lagMs` after its creation. */
export function laggingReservations(lagMs: number) {
  return (operation: string, output: unknown): unknown => {
    if (operation !== 'DescribeCapacityReservations') return output;
    const page = output as { CapacityReservations?: CapacityReservation[] };
    return {
      ...page,
      CapacityReservations: (page.CapacityReservations ?? []).filter(
        (r) => new Date(r.CreateDate ?? 0).getTime() <= Date.now() - lagMs,
      ),
    };
  };
}

/** The tags the reserver puts on what it creates (and re-checks before it counts or reduces one). */
const managed = { 'managed-by': MANAGED_BY, 'ops-autopilot:pool': 'c5.large/us-east-1b' };

export interface CapacityBed {
  readonly server: MariaDbServer;
  readonly database: string;
  /** The test's own connection, for seeding and reading the table. */
  readonly db: Connection;
}

/**
 * One scheduled run over two pools: m5.large/us-east-1a wants 12 and has none (two CreateCapacityReservation
 * chunks of 10 and 2); c5.large/us-east-1b wants 1 and holds 3 unused + 2 used (one Cancel, one Modify).
 * Final state per pool: what this deployment's live reservations hold (however many reservations hold it),
 * and the row's Current_Capacity and whether it carries an error.
 */
export function capacityScenario(handler: () => Handler, bed: () => CapacityBed): Scenario {
  let world: Ec2World;
  return {
    name: 'capacity-reservation-reserver',
    start: new Date(scheduledEvent.time),
    startsEachCaseLater: true,
    operations: [
      'SecretsManagerClient.GetSecretValue',
      'EC2Client.DescribeCapacityReservations',
      'EC2Client.CreateCapacityReservation',
      'EC2Client.ModifyCapacityReservation',
      'EC2Client.CancelCapacityReservation',
    ],
    async prepare(wire, clock) {
      const { db, server } = bed();
      await db.query('DROP TABLE IF EXISTS odcr_capacity');
      await db.query(
        'CREATE TABLE odcr_capacity (InstanceType VARCHAR(64) NOT NULL, AvailabilityZone VARCHAR(64) NOT NULL, Target_Capacity INT, Current_Capacity INT, PRIMARY KEY (InstanceType, AvailabilityZone))',
      );
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 12, 0);
      await insertSeedRow(db, 'c5.large', 'us-east-1b', 1, 5);
      world = new Ec2World();
      world.addReservation({
        instanceType: 'c5.large',
        availabilityZone: 'us-east-1b',
        total: 3,
        tags: managed,
      });
      world.addReservation({
        instanceType: 'c5.large',
        availabilityZone: 'us-east-1b',
        total: 2,
        available: 0,
        tags: managed,
      });
      // The reservations made before the run are old enough for any lagging listing.
      clock.advance(60_000);
      const ec2 = new AnswerBook();
      serveWorld(
        ec2 as unknown as AwsStub<ServiceInputTypes, ServiceOutputTypes, EC2ClientResolvedConfig>,
        world,
      );
      const secrets = new AnswerBook();
      secrets.on(GetSecretValueCommand).resolves({
        ARN: DB_SECRET_ARN,
        Name: 'rds!cluster-a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
        SecretString: JSON.stringify({ username: server.user, password: server.password }),
        VersionStages: ['AWSCURRENT'],
      });
      wire.serve(EC2Client, ec2).serve(SecretsManagerClient, secrets);
    },
    async run(platform) {
      await platform.invokeAsync('reserver', handler(), scheduledEvent);
    },
    async state() {
      const [rows] = await bed().db.query<RowDataPacket[]>(
        'SELECT InstanceType, AvailabilityZone, Current_Capacity, Last_Error FROM odcr_capacity ORDER BY InstanceType, AvailabilityZone',
      );
      return {
        pools: rows.map((r) => {
          const live = world
            .all()
            .filter(
              (c) =>
                c.InstanceType === r.InstanceType &&
                c.AvailabilityZone === r.AvailabilityZone &&
                (c.State === 'active' || c.State === 'pending') &&
                world.tagsOf(c.CapacityReservationId ?? '')?.['managed-by'] === MANAGED_BY,
            );
          return {
            pool: `${String(r.InstanceType)}/${String(r.AvailabilityZone)}`,
            instances: live.reduce((n, c) => n + (c.TotalInstanceCount ?? 0), 0),
            currentCapacity: r.Current_Capacity as number,
            error: r.Last_Error === null ? null : 'set',
          };
        }),
      };
    },
  };
}

/**
 * For a describe block: a MariaDB server with a database, the reserver handler loaded on its environment,
 * both torn down after the block; gives them (read inside tests) and a maker of the scenario on them.
 */
export function useCapacityBed(): {
  readonly bed: () => CapacityBed;
  readonly handler: () => Handler;
  readonly scenario: () => Scenario;
} {
  let bed: CapacityBed;
  let handler: Handler;
  let stop: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const server = await startMariaDb();
    stop = () => server.stop();
    const database = await server.createDatabase();
    bed = { server, database, db: await server.connect(database) };
    Object.assign(process.env, capacityEnv(server, database));
    ({ handler } = await import('../../../functions/capacity-reservation/reserver.handler'));
  }, 120_000);
  afterAll(async () => {
    await bed?.db.end();
    await stop();
  });
  return {
    bed: () => bed,
    handler: () => handler,
    scenario: () =>
      capacityScenario(
        () => handler,
        () => bed,
      ),
  };
}
