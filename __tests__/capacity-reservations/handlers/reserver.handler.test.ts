import { DescribeCapacityReservationsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { createServer } from 'node:net';
import {
  ReserverEnvSchema,
  type ReserverEnv,
} from '../../../functions/capacity-reservation/config';
import { tlsOptions } from '../../../functions/capacity-reservation/connection';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { createReserverHandler } from '../../../functions/capacity-reservation/run';
import { secretCredentials } from '../../../functions/capacity-reservation/secret';
import { readEnv } from '../../../functions/shared/env';
import { insertSeedRow, readRow } from '../fixtures/demand';
import { reservationTags, serveWorld } from '../fixtures/ec2-mock';
import { Ec2ApiError, Ec2World } from '../fixtures/ec2-world';
import { DB_SECRET_ARN, MANAGED_BY, scheduledEvent } from '../fixtures/events';
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

/** GetSecretValue's response for an RDS-managed master secret (SecretString holds username and password). */
function secretValue(secretString: string) {
  return {
    ARN: DB_SECRET_ARN,
    Name: 'rds!cluster-a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLEaaaaa',
    SecretString: secretString,
    VersionStages: ['AWSCURRENT'],
    CreatedDate: new Date('2024-05-01T10:00:00Z'),
  };
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('reserver environment', () => {
  it('applies the documented defaults', () => {
    // Act
    const env = readEnv(ReserverEnvSchema, {
      DB_SECRET_ARN,
      DB_HOST: 'db.cluster-c9akciq32.us-east-1.rds.amazonaws.com',
      DB_NAME: 'ops',
      MANAGED_BY,
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
      });

    // Assess
    expect(act).toThrow(/DB_SECRET_ARN.*DB_NAME.*DB_TLS.*MANAGED_BY.*CONCURRENCY/s);
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
  let server: MariaDbServer;
  let database: string;
  let db: Connection;
  let env: ReserverEnv;
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const savedEnv = { ...process.env };

  /** A handler with its own secret cache, as a fresh Lambda container has. */
  const freshHandler = (overrides: Partial<ReserverEnv> = {}) =>
    createReserverHandler({
      env: { ...env, ...overrides },
      ec2,
      credentials: secretCredentials(
        new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ region: 'us-east-1' }) }),
        DB_SECRET_ARN,
      ),
    });
  const rdsSecret = (password = server.password) =>
    JSON.stringify({ username: server.user, password });

  beforeAll(async () => {
    server = await startMariaDb();
  });

  afterAll(async () => {
    process.env = savedEnv;
    await server?.stop();
  });

  beforeEach(async () => {
    ec2Mock.reset();
    secretsMock.reset();
    world = new Ec2World();
    serveWorld(ec2Mock, world);
    secretsMock.on(GetSecretValueCommand).resolves(secretValue(rdsSecret()));
    database = await server.createDatabase();
    db = await server.connect(database);
    env = readEnv(ReserverEnvSchema, {
      DB_SECRET_ARN,
      DB_HOST: server.host,
      DB_PORT: String(server.port),
      DB_NAME: database,
      DB_TLS: 'false',
      MANAGED_BY,
    });
  });

  afterEach(async () => {
    await db?.end();
  });

  describe('the deployed module', () => {
    it('creates the schema on its first run and reconciles the rows users add with the seed SQL', async () => {
      // Prepare
      Object.assign(process.env, {
        DB_SECRET_ARN,
        DB_HOST: server.host,
        DB_PORT: String(server.port),
        DB_NAME: database,
        DB_TLS: 'false',
        MANAGED_BY,
        AWS_REGION: 'us-east-1',
      });
      const { handler } = await import('../../../functions/capacity-reservation/reserver.handler');
      await handler(scheduledEvent);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 12, 0);
      await insertSeedRow(db, 'c5.large', 'us-east-1b', 0, 0);

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
      expect(await readRow(db, 'm5.large', 'us-east-1a')).toMatchObject({
        Current_Capacity: 12,
        Last_Error: null,
      });
      expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(secretsMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
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
      const act = freshHandler()(event);

      // Assess
      await expect(act).rejects.toMatchObject({ name: 'InvalidEventError' });
      expect(secretsMock.calls()).toHaveLength(0);
      expect(ec2Mock.calls()).toHaveLength(0);
    });
  });

  describe('before any EC2 write', () => {
    it('fails with DatabaseUnavailableError when the database is down', async () => {
      // Prepare
      const port = await closedPort();

      // Act
      const act = freshHandler({ DB_PORT: port })(scheduledEvent);

      // Assess
      await expect(act).rejects.toMatchObject({
        name: 'DatabaseUnavailableError',
        message: expect.stringContaining(`127.0.0.1:${port}`),
      });
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it('fails with DatabaseUnavailableError when the database does not offer TLS and DB_TLS is on', async () => {
      // Act
      const act = freshHandler({ DB_TLS: true })(scheduledEvent);

      // Assess
      await expect(act).rejects.toMatchObject({
        name: 'DatabaseUnavailableError',
        message: expect.stringContaining('HANDSHAKE_NO_SSL_SUPPORT'),
      });
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it.each([
      ['not JSON', 'hunter2-not-json{'],
      ['JSON without a password', JSON.stringify({ username: 'admin' })],
      ['a JSON string', JSON.stringify('hunter2-json-string')],
      ['an empty password', JSON.stringify({ username: 'admin', password: '' })],
    ])(
      'fails with SecretMalformedError when the secret is %s, without revealing it',
      async (_case, secretString) => {
        // Prepare
        secretsMock.on(GetSecretValueCommand).resolves(secretValue(secretString));

        // Act
        const error: unknown = await freshHandler()(scheduledEvent).catch((e: unknown) => e);

        // Assess
        expect(error).toMatchObject({ name: 'SecretMalformedError' });
        expect(String((error as Error).message)).not.toContain('hunter2');
        expect((error as Error).cause).toBeUndefined();
        expect(ec2Mock.calls()).toHaveLength(0);
      },
    );

    it('fails with SecretUnavailableError when Secrets Manager refuses', async () => {
      // Prepare
      secretsMock
        .on(GetSecretValueCommand)
        .rejects(
          Object.assign(
            new Error('User is not authorized to perform: secretsmanager:GetSecretValue'),
            { name: 'AccessDeniedException' },
          ),
        );

      // Act
      const act = freshHandler()(scheduledEvent);

      // Assess
      await expect(act).rejects.toMatchObject({ name: 'SecretUnavailableError' });
      expect(ec2Mock.calls()).toHaveLength(0);
    });
  });

  describe('secret rotation', () => {
    it('re-reads the secret once when the database refuses the cached password, then runs', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 2);
      secretsMock
        .on(GetSecretValueCommand)
        .resolvesOnce(secretValue(rdsSecret('password-before-rotation')))
        .resolves(secretValue(rdsSecret()));

      // Act
      const summary = await freshHandler()(scheduledEvent);

      // Assess
      expect(summary).toMatchObject({ status: 'completed', reconciled: 1 });
      expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    it('fails with DatabaseAuthError when the re-read secret is refused too, before any EC2 call', async () => {
      // Prepare
      secretsMock.on(GetSecretValueCommand).resolves(secretValue(rdsSecret('wrong-password')));

      // Act
      const act = freshHandler()(scheduledEvent);

      // Assess
      await expect(act).rejects.toMatchObject({ name: 'DatabaseAuthError' });
      expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
      expect(ec2Mock.calls()).toHaveLength(0);
    });

    it('reuses the cached secret on the next invocation of a warm container', async () => {
      // Prepare
      const handler = freshHandler();
      await handler(scheduledEvent);

      // Act
      await handler(scheduledEvent);

      // Assess
      expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    });
  });

  describe('outcome of the invocation', () => {
    it('succeeds when a pool only lacks capacity (the next run tries again)', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'p4d.24xlarge', 'us-east-1a', 2);
      world.insufficientCapacity.add('p4d.24xlarge/us-east-1a');

      // Act
      const summary = await freshHandler()(scheduledEvent);

      // Assess
      expect(summary).toMatchObject({
        status: 'completed',
        insufficientCapacity: 1,
        reservationsCreated: 0,
      });
    });

    it('fails with ReconcileFailedError after recording a pool that failed otherwise, and after finishing the others', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 2);
      await insertSeedRow(db, 'm6i.large', 'us-east-1b', 2);
      ec2Mock
        .on(DescribeCapacityReservationsCommand)
        .callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
          if (input.Filters?.some((f) => f.Values?.includes('m5.large/us-east-1a'))) {
            throw new Ec2ApiError(
              'UnauthorizedOperation',
              'You are not authorized to perform this operation.',
              403,
            );
          }
          return world.describeCapacityReservations(input);
        });

      // Act
      const error: unknown = await freshHandler()(scheduledEvent).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({
        name: 'ReconcileFailedError',
        failedPools: [{ pool: 'm5.large/us-east-1a' }],
      });
      expect((await readRow(db, 'm5.large', 'us-east-1a'))?.Last_Error).toContain(
        'UnauthorizedOperation',
      );
      expect((await readRow(db, 'm6i.large', 'us-east-1b'))?.Current_Capacity).toBe(2);
      const [lock] = await db.execute<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [
        env.LOCK_NAME,
      ]);
      expect(Number(lock[0]?.free)).toBe(1);
    });

    it('returns locked, changing nothing, when another run holds the lock', async () => {
      // Prepare
      await ensureSchema(db);
      await insertSeedRow(db, 'm5.large', 'us-east-1a', 2);
      const holder = await server.connect(database);
      await holder.execute('SELECT GET_LOCK(?, 0)', [env.LOCK_NAME]);

      // Act
      const summary = await freshHandler()(scheduledEvent).finally(() => holder.end());

      // Assess
      expect(summary).toEqual({ status: 'locked' });
      expect(ec2Mock.calls()).toHaveLength(0);
    });
  });
});
