import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithMariaDb, startMariaDb } from '../support/mariadb';

// A starting MariaDB server (the bootstrap of mariadb-install-db too) removes every #sql* file of its tmpdir:
// test servers that shared the run's TMPDIR deleted each other's temporary tables (a CI run failed on it).
describeWithMariaDb('a MariaDB test server', () => {
  test("leaves the #sql* files of the run's temporary folder alone while it installs and starts", async () => {
    // Prepare: what another server's temporary table looks like, where the run's children create files
    const planted = join(tmpdir(), `#sql-temptable-probe-${randomBytes(4).toString('hex')}.MAD`);
    writeFileSync(planted, '');

    // Act
    const server = await startMariaDb();
    await server.stop();

    // Assess
    const survived = existsSync(planted);
    rmSync(planted, { force: true });
    expect(survived).toBe(true);
  }, 120_000);
});
