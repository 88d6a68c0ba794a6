import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ensureSchema } from '../../../functions/capacity-reservation/database';
import { insertSeedRow } from '../fixtures/demand';
import { scheduledEvent } from '../fixtures/events';
import { closedPort, reserverHarness, secretValue } from '../fixtures/reserver-harness';
import { describeWithMariaDb } from '../../support/mariadb';

describeWithMariaDb(
  'reserver handler: secret and database (real MariaDB, mocked Secrets Manager)',
  () => {
    const h = reserverHarness();

    describe('before any EC2 write', () => {
      // Three attempts, 2 s and 4 s apart, before it gives up.
      it('fails with DatabaseUnavailableError when the database is down', async () => {
        // Prepare
        const port = await closedPort();

        // Act
        const act = h.freshHandler({ DB_PORT: port })(scheduledEvent);

        // Assess
        await expect(act).rejects.toMatchObject({
          name: 'DatabaseUnavailableError',
          message: expect.stringContaining(`127.0.0.1:${port}`),
        });
        expect(h.ec2Mock.calls()).toHaveLength(0);
      }, 30_000);

      it('fails with DatabaseUnavailableError when the database does not offer TLS and DB_TLS is on', async () => {
        // Act
        const act = h.freshHandler({ DB_TLS: true })(scheduledEvent);

        // Assess
        await expect(act).rejects.toMatchObject({
          name: 'DatabaseUnavailableError',
          message: expect.stringContaining('HANDSHAKE_NO_SSL_SUPPORT'),
        });
        expect(h.ec2Mock.calls()).toHaveLength(0);
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
          h.secretsMock.on(GetSecretValueCommand).resolves(secretValue(secretString));

          // Act
          const error: unknown = await h
            .freshHandler()(scheduledEvent)
            .catch((e: unknown) => e);

          // Assess
          expect(error).toMatchObject({ name: 'SecretMalformedError' });
          expect(String((error as Error).message)).not.toContain('hunter2');
          expect((error as Error).cause).toBeUndefined();
          expect(h.ec2Mock.calls()).toHaveLength(0);
        },
      );

      it('fails with SecretUnavailableError when Secrets Manager refuses', async () => {
        // Prepare
        h.secretsMock
          .on(GetSecretValueCommand)
          .rejects(
            Object.assign(
              new Error('User is not authorized to perform: secretsmanager:GetSecretValue'),
              { name: 'AccessDeniedException' },
            ),
          );

        // Act
        const act = h.freshHandler()(scheduledEvent);

        // Assess
        await expect(act).rejects.toMatchObject({ name: 'SecretUnavailableError' });
        expect(h.ec2Mock.calls()).toHaveLength(0);
      });
    });

    describe('secret rotation', () => {
      it('re-reads the secret once when the database refuses the cached password, then runs', async () => {
        // Prepare
        await ensureSchema(h.db);
        await insertSeedRow(h.db, 'm5.large', 'us-east-1a', 2);
        h.secretsMock
          .on(GetSecretValueCommand)
          .resolvesOnce(secretValue(h.rdsSecret('password-before-rotation')))
          .resolves(secretValue(h.rdsSecret()));

        // Act
        const summary = await h.freshHandler()(scheduledEvent);

        // Assess
        expect(summary).toMatchObject({ status: 'completed', reconciled: 1 });
        expect(h.secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
      });

      it('fails with DatabaseAuthError when the re-read secret is refused too, before any EC2 call', async () => {
        // Prepare
        h.secretsMock
          .on(GetSecretValueCommand)
          .resolves(secretValue(h.rdsSecret('wrong-password')));

        // Act
        const act = h.freshHandler()(scheduledEvent);

        // Assess
        await expect(act).rejects.toMatchObject({ name: 'DatabaseAuthError' });
        expect(h.secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
        expect(h.ec2Mock.calls()).toHaveLength(0);
      });

      it('reuses the cached secret on the next invocation of a warm container', async () => {
        // Prepare
        const handler = h.freshHandler();
        await handler(scheduledEvent);

        // Act
        await handler(scheduledEvent);

        // Assess
        expect(h.secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      });
    });
  },
);
