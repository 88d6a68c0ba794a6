import { AwsCallError, jsonCall } from '../../../scripts/emulator/aws/call';
import type { Emulator } from '../../../scripts/emulator/emulator';
import { describeEmulator, emulatorForTests, records } from '../../support/emulator';

const TARGET = 'AmazonEC2ContainerRegistry_V20150921';

describeEmulator('stand-ins: ECR pull through cache rules', () => {
  let emulator: Emulator;
  const ecr = <T = Record<string, unknown>>(op: string, body: unknown) =>
    jsonCall<T>(emulator.endpoint, 'ecr', `${TARGET}.${op}`, body);
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (e: unknown) => (e instanceof AwsCallError ? `${e.status} ${e.code}` : String(e)),
    );

  beforeAll(async () => {
    emulator = await emulatorForTests();
  }, 60_000);
  afterAll(() => emulator?.stop());

  test('a created rule is described by prefix, in the registry of the account', async () => {
    const created = await ecr('CreatePullThroughCacheRule', {
      ecrRepositoryPrefix: 'ops-spot',
      upstreamRegistryUrl: 'public.ecr.aws',
    });
    const described = await ecr<{ pullThroughCacheRules: unknown[] }>(
      'DescribePullThroughCacheRules',
      { ecrRepositoryPrefixes: ['ops-spot'] },
    );
    expect(created).toMatchObject({
      ecrRepositoryPrefix: 'ops-spot',
      upstreamRegistryUrl: 'public.ecr.aws',
      upstreamRegistry: 'ecr-public',
      registryId: '123456789012',
      createdAt: expect.any(Number) as unknown,
    });
    expect(described.pullThroughCacheRules).toEqual([created]);
  });

  test('the same prefix twice: PullThroughCacheRuleAlreadyExistsException', async () => {
    const rule = { ecrRepositoryPrefix: 'twice', upstreamRegistryUrl: 'public.ecr.aws' };
    await ecr('CreatePullThroughCacheRule', rule);
    expect(await code(ecr('CreatePullThroughCacheRule', rule))).toBe(
      '400 PullThroughCacheRuleAlreadyExistsException',
    );
  });

  test('a prefix of one character or with upper case: InvalidParameterException', async () => {
    for (const prefix of ['a', 'Upper', 'x'.repeat(31)]) {
      const rule = { ecrRepositoryPrefix: prefix, upstreamRegistryUrl: 'public.ecr.aws' };
      expect(await code(ecr('CreatePullThroughCacheRule', rule))).toBe(
        '400 InvalidParameterException',
      );
    }
  });

  test('deleted, the rule is gone: describe and delete say PullThroughCacheRuleNotFoundException', async () => {
    const rule = { ecrRepositoryPrefix: 'gone', upstreamRegistryUrl: 'public.ecr.aws' };
    await ecr('CreatePullThroughCacheRule', rule);
    const deleted = await ecr('DeletePullThroughCacheRule', { ecrRepositoryPrefix: 'gone' });
    expect(deleted).toMatchObject(rule);
    expect(
      await code(ecr('DescribePullThroughCacheRules', { ecrRepositoryPrefixes: ['gone'] })),
    ).toBe('400 PullThroughCacheRuleNotFoundException');
    expect(await code(ecr('DeletePullThroughCacheRule', { ecrRepositoryPrefix: 'gone' }))).toBe(
      '400 PullThroughCacheRuleNotFoundException',
    );
  });

  test('without prefixes every rule is listed; each call is recorded as a stand-in', async () => {
    const all = await ecr<{ pullThroughCacheRules: Array<{ ecrRepositoryPrefix: string }> }>(
      'DescribePullThroughCacheRules',
      {},
    );
    const recorded = (await records(emulator.endpoint)).filter((r) => r.service === 'ecr');
    expect(all.pullThroughCacheRules.map((r) => r.ecrRepositoryPrefix)).toEqual(
      expect.arrayContaining(['ops-spot', 'twice']),
    );
    expect(all.pullThroughCacheRules.map((r) => r.ecrRepositoryPrefix)).not.toContain('gone');
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((r) => r.kind === 'stand-in')).toBe(true);
  });
});
