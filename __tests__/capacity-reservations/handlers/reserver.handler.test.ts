import { DescribeCapacityReservationsCommand } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { RowDataPacket } from 'mysql2/promise';
import { ReserverEnvSchema } from '../../../functions/capacity-reservation/config';
import { tlsOptions } from '../../../functions/capacity-reservation/connection';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { readEnv } from '../../../functions/shared/env';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { Ec2ApiError } from '../fixtures/ec2-world';
import { DB_SECRET_ARN, MANAGED_BY, OWN_RULE_ARN, scheduledEvent } from '../fixtures/events';
import { reserverHarness } from '../fixtures/reserver-harness';
import { describeWithMariaDb } from '../../support/mariadb';

describe('reserver environment', () => {
  it('applies the documented defaults', () => {
    // Act
    const env = readEnv(ReserverEnvSchema, {
      DB_SECRET_ARN,
      DB_HOST: 'db.cluster-c9akciq32.us-east-1.rds.amazonaws.com',
      DB_NAME: 'ops',
      MANAGED_BY,
      SCHEDULE_RULE_ARN: OWN_RULE_ARN,
    });

    // Assess
    expect(env).toMatchObject({
      DB_PORT: 3306,
      DB_TLS: true,
      LOCK_NAME: 'ops-autopilot-odcr',
      DEFAULT_CHUNK_SIZE: 10,
      CONCURRENCY: 4,
    });
  });

  it('fails fast naming every bad key', () => {
    // Act
    const act = () =>
      readEnv(ReserverEnvSchema, {
        DB_SECRET_ARN: 'my-secret',
        DB_HOST: 'h',
        DB_NAME: 'ops; DROP',
        MANAGED_BY: 'a{b}',
        DB_TLS: 'yes',
        CONCURRENCY: '0',
        SCHEDULE_RULE_ARN: 'rule/mine',
      });

    // Assess
    expect(act).toThrow(
      /DB_SECRET_ARN.*DB_NAME.*DB_TLS.*MANAGED_BY.*CONCURRENCY.*SCHEDULE_RULE_ARN/s,
    );
    expect(act).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });

  it('verifies TLS against the Amazon RDS CA bundle, including the server name', () => {
    // Act
    const options = tlsOptions();

    // Assess
    expect(options).toMatchObject({
      rejectUnauthorized: true,
      verifyIdentity: true,
      minVersion: 'TLSv1.2',
    });
    expect((options.ca as string[]).length).toBeGreaterThan(10);
  });
});

describeWithMariaDb('reserver handler (real MariaDB, mocked EC2 and Secrets Manager)', () => {
  const h = reserverHarness();

  describe('the deployed module', () => {
    it('creates the schema on its first run and reconciles the rows users add with the seed SQL', async () => {
      // Prepare
      Object.assign(process.env, {
        DB_SECRET_ARN,
        DB_HOST: h.server.host,
        DB_PORT: String(h.server.port),
        DB_NAME: h.database,
        DB_TLS: 'false',
        MANAGED_BY,
        SCHEDULE_RULE_ARN: OWN_RULE_ARN,
        AWS_REGION: 'us-east-1',
      });
      const { handler } = await import('../../../functions/capacity-reservation/reserver.handler');
      await handler(scheduledEvent);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 12, 0);
      await insertSeedRow(h.db, 'c5.large', 'us-east-1b', 0, 0);

      // Act
      const summary = await handler(scheduledEvent);

      // Assess
      expect(summary).toEqual({
        status: 'completed',
        rows: 2,
        reconciled: 2,
        invalid: 0,
        insufficientCapacity: 0,
        reservationsCreated: 2,
        instancesRemoved: 0,
      });
      expect(await readRow(h.db, 'm5.large', 'us-east-1a')).toMatchObject({
        Current_Capacity: 12,
        Last_Error: null,
      });
      expect(h.secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(h.secretsMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
        SecretId: DB_SECRET_ARN,
      });
    });
  });

  describe('event validation', () => {
    it.each([
      ['an empty object', {}],
      ['an event from another source', { ...scheduledEvent, source: 'aws.ec2' }],
      [
        'another detail-type',
        { ...scheduledEvent, 'detail-type': 'EC2 Instance State-change Notification' },
      ],
      ['a bad time', { ...scheduledEvent, time: 'yesterday' }],
    ])('rejects %s before any AWS call', async (_case, event) => {
      // Act
      const act = h.freshHandler()(event);

      // Assess
      await expect(act).rejects.toMatchObject({ name: 'InvalidEventError' });
      expect(h.secretsMock.calls()).toHaveLength(0);
      expect(h.ec2Mock.calls()).toHaveLength(0);
    });
  });

  describe('own schedule only', () => {
    it('refuses a scheduled event of another rule with no AWS call and no database connection', async () => {
      // Prepare
      const foreign = {
        ...scheduledEvent,
        resources: [
          'arn:aws:events:us-east-1:123456789012:rule/ops-autopilot-ebs-snapshot-schedule',
        ],
      };
      const [[before]] = await h.db.query<RowDataPacket[]>(
        "SELECT VARIABLE_VALUE AS n FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'CONNECTIONS'",
      );

      // Act
      const act = h.freshHandler()(foreign);

      // Assess
      await expect(act).rejects.toMatchObject({
        name: 'ForeignScheduleError',
        message: expect.stringContaining('ops-autopilot-ebs-snapshot-schedule'),
      });
      expect(h.secretsMock.calls()).toHaveLength(0);
      expect(h.ec2Mock.calls()).toHaveLength(0);
      const [[after]] = await h.db.query<RowDataPacket[]>(
        "SELECT VARIABLE_VALUE AS n FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'CONNECTIONS'",
      );
      expect(Number(after?.n)).toBe(Number(before?.n));
    });
  });

  describe('outcome of the invocation', () => {
    it('succeeds when a pool only lacks capacity (the next run tries again)', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'p4d.24xlarge', 'us-east-1a', 2);
      h.world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');

      // Act
      const summary = await h.freshHandler()(scheduledEvent);

      // Assess
      expect(summary).toMatchObject({
        status: 'completed',
        insufficientCapacity: 1,
        reservationsCreated: 0,
      });
    });

    it('fails with ReconcileFailedError after recording a pool that failed otherwise, and after finishing the others', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
      await insertSeedRow(h.db, 'm6i.large', 'us-east-1b', 2);
      h.ec2Mock
        .on(DescribeCapacityReservationsCommand)
        .callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
          if (input.Filters?.some((f) => f.Values?.includes('m5.large/us-east-1a'))) {
            throw new Ec2ApiError(
              'UnauthorizedOperation',
              'You are not authorized to perform this operation.',
              403,
            );
          }
          return h.world.describeCapacityReservations(input);
        });

      // Act
      const error: unknown = await h
        .freshHandler()(scheduledEvent)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({
        name: 'ReconcileFailedError',
        failedPools: [{ pool: 'm5.large/us-east-1a' }],
      });
      expect((await readRow(h.db, 'm5.large', 'us-east-1a'))?.Last_Error).toContain(
        'UnauthorizedOperation',
      );
      expect((await readRow(h.db, 'm6i.large', 'us-east-1b'))?.Current_Capacity).toBe(2);
      const [lock] = await h.db.execute<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [
        h.env.LOCK_NAME,
      ]);
      expect(Number(lock[0]?.free)).toBe(1);
    });

    it('returns locked, changing nothing, when another run holds the lock', async () => {
      // Prepare
      await ensureSchema(h.db);
      await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
      const holder = await h.server.connect(h.database);
      await holder.execute('SELECT GET_LOCK(?, 0)', [h.env.LOCK_NAME]);

      // Act
      const summary = await h
        .freshHandler()(scheduledEvent)
        .finally(() => holder.end());

      // Assess
      expect(summary).toEqual({ status: 'locked' });
      expect(h.ec2Mock.calls()).toHaveLength(0);
    });
  });
});
