/**
 * The On-Demand fallback: Spot tasks still waiting for capacity past spot_fallback_after_seconds shift the
 * service to On-Demand once; concurrent runs shift once; the minimum interval bounds shifts; the configured
 * split comes back after a healthy period; a lost UpdateService reply is checked by reading the service.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SpotFallbackDeps } from '../../../functions/ecs-drain/spot-fallback';
import { ShiftOutcomeUnknownError } from '../../../functions/ecs-drain/spot-fallback-clients';
import { SpotFallbackEnvSchema } from '../../../functions/ecs-drain/spot-fallback-config';
import { SPOT_FALLBACK_SERVICE_NAME } from '../../../functions/ecs-drain/spot-fallback-metric-names';
import { readEnv } from '../../../functions/shared/env';
import { WORLD } from '../../support/deployment';
import { captureEmf, enableEmf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';
import {
  CONFIGURED,
  createFallbackMocks,
  FALLBACK_ENV,
  FALLBACK_NAMES,
  FallbackWorld,
  MINUTE,
  ON_DEMAND,
  placementFailure,
  scheduled,
  T0,
} from '../fixtures/fallback-world';

type Handle = typeof import('../../../functions/ecs-drain/spot-fallback').handleSpotFallback;

const mocks = createFallbackMocks();
recordIamCalls('ecs-drain-spot-fallback', Object.values(mocks));
let handle: Handle;
let world: FallbackWorld;
let clock = T0;

beforeAll(async () => {
  enableEmf({ service: SPOT_FALLBACK_SERVICE_NAME });
  ({ handleSpotFallback: handle } = await import('../../../functions/ecs-drain/spot-fallback'));
});
beforeEach(() => {
  world = new FallbackWorld(mocks);
  clock = T0;
});
afterEach(() => {
  jest.restoreAllMocks();
});

const deps = (): SpotFallbackDeps => ({
  ecs: new ECSClient({ region: WORLD.region }),
  ddb: new DynamoDBClient({ region: WORLD.region }),
  sns: new SNSClient({ region: WORLD.region }),
  config: readEnv(SpotFallbackEnvSchema, { ...FALLBACK_ENV }),
  now: () => clock,
});
const run = (at: number, invocation = `req-${at}`, event: unknown = scheduled(at)) => {
  clock = at;
  return handle(deps(), event, invocation);
};
/** A Spot task waiting for capacity since `since`. */
const starve = (since: number, id = 'spot1') =>
  world.addTask(id, FALLBACK_NAMES.spot, 'PROVISIONING', since);

describe('a shortage of Spot capacity', () => {
  test('a Spot task waiting past spot_fallback_after_seconds shifts the service to On-Demand once', async () => {
    // Prepare
    starve(T0 - 11 * MINUTE);

    // Act
    const first = await captureEmf(() => run(T0));
    const second = await run(T0 + MINUTE);

    // Assess
    expect(first.result).toMatchObject({ outcome: 'shifted', from: 'normal', to: 'fallback' });
    expect(world.updates).toEqual([
      {
        cluster: FALLBACK_NAMES.cluster,
        service: FALLBACK_NAMES.service,
        capacityProviderStrategy: ON_DEMAND,
        forceNewDeployment: true,
      },
    ]);
    expect(second).toMatchObject({ outcome: 'steady', mode: 'fallback' });
    expect(first.metrics.map((m) => [m.name, m.value, m.dimensions])).toEqual([
      ['SpotFallbackShifts', 1, { service: SPOT_FALLBACK_SERVICE_NAME, Direction: 'ToOnDemand' }],
    ]);
    expect(world.published).toHaveLength(1);
    expect(JSON.parse(world.published[0] ?? '{}')).toMatchObject({
      to: 'fallback',
      from: 'normal',
    });
  });

  test.each([
    ['a Spot task waiting less than spot_fallback_after_seconds', 'PROVISIONING', 'spot', 4],
    ['a Spot task in PENDING for a minute', 'PENDING', 'spot', 1],
    ['a RUNNING Spot task', 'RUNNING', 'spot', 60],
    ['an On-Demand task waiting long', 'PROVISIONING', 'onDemand', 60],
  ] as const)('%s shifts nothing', async (_what, status, provider, minutes) => {
    // Prepare
    world.addTask('t1', FALLBACK_NAMES[provider], status, T0 - minutes * MINUTE);

    // Act
    const report = await run(T0);

    // Assess
    expect(report).toEqual({ outcome: 'steady', mode: 'normal', stuck: 0 });
    expect(world.updates).toEqual([]);
  });

  test('PENDING past the limit counts as waiting too', async () => {
    // Prepare
    world.addTask('p1', FALLBACK_NAMES.spot, 'PENDING', T0 - 12 * MINUTE);

    // Act
    const report = await run(T0);

    // Assess
    expect(report).toMatchObject({ outcome: 'shifted', to: 'fallback' });
  });

  test('two runs at the same time shift once', async () => {
    // Prepare
    starve(T0 - 11 * MINUTE);

    // Act
    const reports = await Promise.all([run(T0, 'req-a'), run(T0, 'req-b')]);

    // Assess
    expect(reports.map((r) => r.outcome).sort()).toEqual(['lost', 'shifted']);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(world.published).toHaveLength(1);
  });
});

describe('the bounds and the way back', () => {
  test('after an apply restored the split, a shift waits for spot_fallback_min_interval_seconds', async () => {
    // Prepare: shifted at T0, then an apply put the configured split back
    starve(T0 - 11 * MINUTE);
    await run(T0);
    world.strategy = CONFIGURED.map((s) => ({ ...s }));

    // Act
    const early = await captureEmf(() => run(T0 + 10 * MINUTE));
    const later = await run(T0 + 15 * MINUTE);

    // Assess
    expect(early.result).toMatchObject({ outcome: 'held', from: 'normal', to: 'fallback' });
    expect(early.metrics.map((m) => m.name)).toEqual(['SpotFallbackHeld']);
    expect(later).toMatchObject({ outcome: 'shifted', to: 'fallback' });
    expect(world.updates).toHaveLength(2);
  });

  test('the configured split returns after spot_fallback_recover_after_seconds without a waiting Spot task', async () => {
    // Prepare
    starve(T0 - 11 * MINUTE);
    await run(T0);
    world.tasks.splice(0);

    // Act
    const before = await run(T0 + 29 * MINUTE);
    const after = await captureEmf(() => run(T0 + 30 * MINUTE));

    // Assess
    expect(before).toMatchObject({ outcome: 'steady', mode: 'fallback' });
    expect(after.result).toMatchObject({ outcome: 'shifted', from: 'fallback', to: 'normal' });
    expect(world.strategy).toEqual(CONFIGURED);
    expect(after.metrics.map((m) => m.dimensions.Direction)).toEqual(['ToConfiguredSplit']);
    expect(world.published).toHaveLength(2);
  });

  test('a Spot task still waiting keeps the fallback past the recovery period', async () => {
    // Prepare
    starve(T0 - 11 * MINUTE);
    await run(T0);

    // Act
    const report = await run(T0 + 40 * MINUTE);

    // Assess
    expect(report).toMatchObject({ outcome: 'steady', mode: 'fallback' });
    expect(world.updates).toHaveLength(1);
  });
});

describe('a lost UpdateService reply', () => {
  const lost = () => new ShiftOutcomeUnknownError('UpdateService may have been applied', null);

  test('applied: the service is read back, not updated again', async () => {
    // Prepare
    starve(T0 - 11 * MINUTE);
    world.loseReply = lost();

    // Act
    const report = await run(T0);

    // Assess
    expect(report).toMatchObject({ outcome: 'shifted', confirmedByRead: true });
    expect(world.updates).toHaveLength(1);
    expect(world.published).toHaveLength(1);
  });

  test('not applied: the run fails, and the next shift still waits for the interval', async () => {
    // Prepare
    starve(T0 - 11 * MINUTE);
    mocks.ecs.on(UpdateServiceCommand).rejects(lost());

    // Act
    const failed = run(T0);
    await expect(failed).rejects.toThrow(ShiftOutcomeUnknownError);
    const retried = await run(T0 + MINUTE, 'req-next');

    // Assess
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(retried).toMatchObject({ outcome: 'held' });
    expect(world.published).toEqual([]);
  });
});

describe('events', () => {
  test.each([
    ['another service', placementFailure('other-service')],
    ['another service action of this service', placementFailure(undefined, 'SERVICE_STEADY_STATE')],
  ])('an event about %s is ignored before any AWS call', async (_what, event) => {
    // Act
    const report = await run(T0, 'req-e', event);

    // Assess
    expect(report.outcome).toBe('ignored');
    expect([...mocks.ecs.calls(), ...mocks.ddb.calls()]).toEqual([]);
  });

  test('a scheduled event of another rule fails before any AWS call', async () => {
    // Act
    const failed = run(T0, 'req-e', scheduled(T0, FALLBACK_NAMES.rule.replace('fallback', 'x')));

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ForeignScheduleError' });
    expect(mocks.ecs.calls()).toEqual([]);
  });

  test("the service's placement failure on the Spot provider shifts at once", async () => {
    // Prepare: a Spot task waiting one minute only
    starve(T0 - MINUTE);

    // Act
    const report = await run(T0, 'req-e', placementFailure());

    // Assess
    expect(report).toMatchObject({ outcome: 'shifted', to: 'fallback' });
  });
});
