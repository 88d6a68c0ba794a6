import { randomUUID } from 'node:crypto';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RowDataPacket } from 'mysql2/promise';
import { startMariaDb } from '../../../__tests__/support/mariadb';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import type { StandInRecord } from '../stand-ins/types';
import { functionOf, scheduleRuleArnOf } from './deployed';
import type { Invocation } from './invoke';
import type { Scenario } from './scenario';

const INSTANCE_TYPE = 'm6i.large';
const TARGET = 25;
const LOWERED = 12;

/** One reserver run: what it returned, the row afterwards, and the EC2 writes the stand-in answered. */
export interface ReserverRun {
  readonly invocation: Invocation;
  readonly row: Record<string, unknown>;
  readonly writes: Array<{ operation: string; params: Record<string, unknown>; status: number }>;
  /** Active reservations of the pool afterwards (DescribeCapacityReservations, through the stand-in). */
  readonly active: Array<{ id: string; count: number }>;
}

export interface CapacityObserved {
  readonly database: string;
  /** The environment the reserver ran with that differs from the applied one, and why. */
  readonly overridden: Record<string, string>;
  readonly availabilityZone: string;
  readonly chunkSize: number;
  readonly target: number;
  readonly lowered: number;
  readonly raise: ReserverRun;
  readonly lower: ReserverRun;
  readonly again: ReserverRun;
}

const WRITES = new Set([
  'CreateCapacityReservation',
  'ModifyCapacityReservation',
  'CancelCapacityReservation',
]);

/**
 * Capacity reservations on the applied stack: the secret RDS manages for the deployed cluster (in the
 * emulator's Secrets Manager) is overwritten with a throwaway MariaDB's user and address, the reserver zip
 * runs on a scheduled event of its deployed rule, and EC2 capacity reservations are answered by the stand-in
 * (moto lacks them). The row's target is raised, lowered, then left alone.
 */
export const capacityScenario: Scenario = async (ctx) => {
  const reserver = functionOf(ctx.functions, 'capacity-reservation-reserver');
  const env = reserver.environment;
  const ruleArn = scheduleRuleArnOf(ctx.resources, reserver.arn);
  const db = await startMariaDb();
  try {
    const secrets = new SecretsManagerClient({
      endpoint: ctx.endpoint,
      region: EMULATOR_REGION,
      credentials: EMULATOR_CREDENTIALS,
    });
    await secrets.send(
      new PutSecretValueCommand({
        SecretId: env.DB_SECRET_ARN,
        SecretString: JSON.stringify({
          username: db.user,
          password: db.password,
          host: db.host,
          port: db.port,
        }),
      }),
    );
    const admin = await db.connect(await db.createDatabase());
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${String(env.DB_NAME)}\``);
    await admin.end();
    // moto's cluster endpoint resolves nowhere and the throwaway server speaks no TLS: only these change.
    const overridden = { DB_HOST: db.host, DB_PORT: String(db.port), DB_TLS: 'false' };
    const fn = ctx.start({ ...reserver, environment: { ...env, ...overridden } });
    const event = () => ({
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ruleArn.split(':')[4],
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: EMULATOR_REGION,
      resources: [ruleArn],
      detail: {},
    });
    const availabilityZone = `${EMULATOR_REGION}a`;
    const conn = await db.connect(String(env.DB_NAME));
    try {
      // The first run creates the table (the function owns its schema); no row yet, so no EC2 write.
      const created = await fn.invoke(event());
      if (!created.ok) throw new Error(`first reserver run failed: ${JSON.stringify(created)}`);
      const run = async (): Promise<ReserverRun> => {
        const seen = ctx.records().length;
        const invocation = await fn.invoke(event());
        const [rows] = await conn.query<RowDataPacket[]>(
          'SELECT * FROM odcr_capacity WHERE InstanceType = ? AND AvailabilityZone = ?',
          [INSTANCE_TYPE, availabilityZone],
        );
        const writes = ctx
          .records()
          .slice(seen)
          .filter((r: StandInRecord) => WRITES.has(r.operation))
          .map((r) => ({ operation: r.operation, params: r.params, status: r.status }));
        return { invocation, row: { ...rows[0] }, writes, active: await active(ctx.endpoint) };
      };
      await conn.query(
        'INSERT INTO odcr_capacity (InstanceType, AvailabilityZone, Target_Capacity) VALUES (?, ?, ?)',
        [INSTANCE_TYPE, availabilityZone, TARGET],
      );
      const raise = await run();
      await conn.query('UPDATE odcr_capacity SET Target_Capacity = ?', [LOWERED]);
      const lower = await run();
      const again = await run();
      const observed: CapacityObserved = {
        database: String(env.DB_NAME),
        overridden,
        availabilityZone,
        chunkSize: Number(ctx.variables.capacity_default_chunk_size),
        target: TARGET,
        lowered: LOWERED,
        raise,
        lower,
        again,
      };
      return observed;
    } finally {
      await conn.end();
    }
  } finally {
    await db.stop();
  }
};

/** Active reservations by id and instance count, as the stand-in's own listing hook reports them. */
async function active(endpoint: string): Promise<Array<{ id: string; count: number }>> {
  const res = await fetch(`${endpoint}/_stand-ins/ec2/capacity-reservations`);
  const all = (await res.json()) as Array<Record<string, unknown>>;
  return all
    .filter((r) => r.State === 'active' && r.InstanceType === INSTANCE_TYPE)
    .map((r) => ({ id: String(r.CapacityReservationId), count: Number(r.TotalInstanceCount) }));
}
