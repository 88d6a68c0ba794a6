import type { RowDataPacket } from 'mysql2/promise';
import { connectDatabase } from '../../../functions/capacity-reservation/connection';
import { DatabaseUnavailableError } from '../../../functions/capacity-reservation/errors';
import { logger } from '../../../functions/shared/logger';
import { describeWithMariaDb, startMariaDb, type MariaDbServer } from '../../support/mariadb';
import { describeWithOpenssl, makeTestCa, type TestCa } from '../fixtures/test-ca';

describeWithOpenssl('reserver TLS (openssl test CA)', () => {
  describeWithMariaDb('connecting over TLS to a real MariaDB', () => {
    let ca: TestCa;
    let server: MariaDbServer;
    let database: string;

    beforeAll(async () => {
      ca = makeTestCa();
      server = await startMariaDb({ tls: ca.files });
      database = await server.createDatabase();
    }, 90_000);
    afterAll(async () => {
      await server?.stop();
      ca?.remove();
    });

    const connect = (caCertificates?: readonly string[]) =>
      connectDatabase(
        {
          host: server.host,
          port: server.port,
          database,
          tls: true,
          ...(caCertificates ? { caCertificates } : {}),
          connectRetry: { attempts: 1, delayMs: 0 },
        },
        { get: async () => ({ username: server.user, password: server.password }) },
        logger,
      );

    it('connects with TLS when the server certificate chains to a trusted CA', async () => {
      // Act
      const db = await connect([ca.caPem]);
      const [[row]] = await db
        .query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'")
        .finally(() => db.end());

      // Assess
      expect(String(row?.Value)).toMatch(/^TLSv1\.[23]$/);
    });

    it('refuses a server whose certificate does not chain to the RDS bundle', async () => {
      // Act
      const act = connect();

      // Assess
      await expect(act).rejects.toThrow(DatabaseUnavailableError);
    });
  });
});
