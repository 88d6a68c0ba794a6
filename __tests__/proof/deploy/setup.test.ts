import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../scripts/offline-proof';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe("moto's installation", () => {
  test('.ci/setup.sh and the pull-request workflow install the same moto version', () => {
    const setup = /^MOTO_VERSION=(\S+)$/m.exec(read('.ci/setup.sh'))?.[1];
    const workflow = /^ {2}MOTO_VERSION: (\S+)$/m.exec(read('.github/workflows/pr.yml'))?.[1];
    expect(setup).toMatch(/^5\.2\.\d+$/);
    expect(workflow).toBe(setup);
  });

  test('the workflow points the tests at the moto it installed', () => {
    expect(read('.github/workflows/pr.yml')).toContain(
      'echo "MOTO_SERVER=$RUNNER_TEMP/moto/bin/moto_server" >> "$GITHUB_ENV"',
    );
  });

  test('setup checks that moto starts, and fails under CI when it cannot install it', () => {
    const setup = read('.ci/setup.sh');
    expect(setup).toMatch(/if ! moto_starts; then/);
    expect(setup).toMatch(/could not install moto[\s\S]*\[ "\$\{CI:-\}" = true \] && exit 1/);
  });
});
