import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployedFunction } from '../../../scripts/emulator/e2e/deployed';
import { LocalFunction } from '../../../scripts/emulator/e2e/invoke';
import { matchPattern, motoPython, type Python } from '../../../scripts/emulator/e2e/python';
import { TTL_EXPIRY_FILTER } from '../../../stacks/ebs-snapshot-lifecycle/stack';
import { describeEmulator, moto } from '../../support/emulator';

const ZIP = join(__dirname, '..', '..', '..', 'dist', 'assets', 'ebs-snapshot-create.zip');

const deployed = (environment: Record<string, string>): DeployedFunction => ({
  name: 'f',
  arn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  zip: ZIP,
  bundle: 'ebs-snapshot-create',
  handler: 'index.handler',
  timeoutSeconds: 30,
  memoryMb: 128,
  environment,
});

/** The end-to-end harness itself: a zip runs with only the environment it was deployed with. */
describeEmulator('end-to-end harness', () => {
  let python: Python;
  beforeAll(() => {
    if (!existsSync(ZIP)) throw new Error(`${ZIP} is missing: npm run build first`);
    python = motoPython(moto!);
  });

  test('a deployed environment without a variable the handler reads fails every invocation, naming it', async () => {
    const fn = LocalFunction.start(
      deployed({ TAG_KEY: 'Snapshot', MANAGED_BY: 'x' }),
      'http://127.0.0.1:9',
      python,
    );
    try {
      const invocation = await fn.invoke({});
      expect(invocation.ok).toBe(false);
      expect(JSON.stringify(invocation)).toContain('TABLE_NAME');
    } finally {
      await fn.stop();
    }
  });

  test("the filter matcher passes a TTL removal and stops a person's delete", () => {
    const ttl = {
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { OldImage: { snapshot_id: { S: 'snap-1' } } },
    };
    const { userIdentity: _ttl, ...manual } = ttl;
    expect(matchPattern(python, JSON.stringify(TTL_EXPIRY_FILTER), [ttl, manual])).toEqual([
      true,
      false,
    ]);
  });
});
