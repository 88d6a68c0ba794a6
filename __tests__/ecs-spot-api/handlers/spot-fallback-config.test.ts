import { SpotFallbackEnvSchema } from '../../../functions/ecs-drain/spot-fallback-config';
import { readEnv } from '../../../functions/shared/env';
import { CONFIGURED, FALLBACK_ENV, FALLBACK_NAMES, ON_DEMAND } from '../fixtures/fallback-world';

describe('the fallback function environment', () => {
  test('gives the configured split, the On-Demand strategy and the periods in milliseconds', () => {
    // Act
    const config = readEnv(SpotFallbackEnvSchema, { ...FALLBACK_ENV });

    // Assess
    expect(config).toMatchObject({
      cluster: FALLBACK_NAMES.cluster,
      service: FALLBACK_NAMES.service,
      normal: CONFIGURED,
      fallback: ON_DEMAND,
      afterMs: 600_000,
      recoverAfterMs: 1_800_000,
      minIntervalMs: 900_000,
    });
  });

  test.each([
    ['a period under a minute', { AFTER_SECONDS: '30' }, 'AFTER_SECONDS'],
    ['a weight that is no number', { SPOT_WEIGHT: 'four' }, 'SPOT_WEIGHT'],
    ['a topic that is no SNS ARN', { TOPIC_ARN: 'alerts' }, 'TOPIC_ARN'],
    ['a service name with a space', { SERVICE_NAME: 'my api' }, 'SERVICE_NAME'],
  ])('%s fails the cold start, naming the variable', (_what, bad, key) => {
    expect(() => readEnv(SpotFallbackEnvSchema, { ...FALLBACK_ENV, ...bad })).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(key) }),
    );
  });

  test('the handler module loads with the stack environment', async () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_REGION: 'us-east-1' }, FALLBACK_ENV);

    // Act
    const loaded = await import('../../../functions/ecs-drain/spot-fallback.handler');

    // Assess
    expect(typeof loaded.handler).toBe('function');
    process.env = saved;
  });
});
