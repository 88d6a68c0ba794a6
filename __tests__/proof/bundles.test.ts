import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/offline-proof';

const dist = join(ROOT, 'dist');
const manifest = JSON.parse(readFileSync(join(dist, 'assets', 'manifest.json'), 'utf8')) as Record<
  string,
  { sha256: string }
>;

describe('handler bundles from the build step', () => {
  test('the manifest lists every bundle with the base64 SHA-256 of its zip', () => {
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    for (const [name, { sha256 }] of Object.entries(manifest)) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(dist, 'assets', `${name}.zip`)))
          .digest('base64'),
      ).toBe(sha256);
    }
    expect(Object.keys(manifest)).toContain('ebs-snapshot-create');
  });

  test('keep error class names through minification, so logs and alarms name the error', () => {
    const probe = `require(${JSON.stringify(join(dist, 'functions', 'ebs-snapshot-create', 'index.js'))})
      .handler({ not: 'an event' }).then(() => process.exit(2), (e) => { console.log(e.name); });`;
    const env = {
      ...process.env,
      TABLE_NAME: 't',
      MANAGED_BY: 'm',
      SCHEDULE_RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/r',
      NODE_NO_WARNINGS: '1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    expect(execFileSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' }).trim()).toBe(
      'InvalidEventError',
    );
  });
});
