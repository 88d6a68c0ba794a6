import { connect, createServer, type Server, type Socket } from 'node:net';
import type { RowDataPacket } from 'mysql2/promise';
import { connectDatabase } from '../../../functions/capacity-reservation/connection';
import { logger } from '../../../functions/shared/logger';
import { reconcileHarness } from '../fixtures/reconcile-harness';
import { describeWithMariaDb } from '../../support/mariadb';

/**
 * A database in front of MariaDB that resets the first `resets` connections, as a paused Aurora Serverless v2
 * instance can while it resumes, then forwards the rest.
 */
async function resumingProxy(
  target: { host: string; port: number },
  resets: number,
): Promise<{ port: number; seen: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    seen += 1;
    sockets.push(client);
    if (seen <= resets) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.push(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    seen: () => seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describeWithMariaDb('reserver connection: a paused database that resumes', () => {
  const h = reconcileHarness();
  const proxies: { close: () => Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  const proxyResetting = async (resets: number) => {
    const proxy = await resumingProxy({ host: h.server.host, port: h.server.port }, resets);
    proxies.push(proxy);
    return proxy;
  };

  const connectThrough = (port: number, attempts: number) =>
    connectDatabase(
      {
        host: '127.0.0.1',
        port,
        database: h.database,
        tls: false,
        connectRetry: { attempts, delayMs: 50 },
      },
      { get: async () => ({ username: h.server.user, password: h.server.password }) },
      logger,
    );

  it('connects once the database answers, after connections reset while it resumes', async () => {
    // Prepare
    const proxy = await proxyResetting(2);

    // Act
    const db = await connectThrough(proxy.port, 3);
    const [[row]] = await db.query<RowDataPacket[]>('SELECT 1 AS ok').finally(() => db.end());

    // Assess
    expect(row?.ok).toBe(1);
    expect(proxy.seen()).toBe(3);
  });

  it('gives up with DatabaseUnavailableError after its attempts, naming the database', async () => {
    // Prepare
    const proxy = await proxyResetting(5);

    // Act
    const act = connectThrough(proxy.port, 2);

    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'DatabaseUnavailableError',
      message: expect.stringContaining(`127.0.0.1:${proxy.port}/${h.database}`),
    });
    expect(proxy.seen()).toBe(2);
  });
});
