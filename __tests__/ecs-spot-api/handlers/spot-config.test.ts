import { SpotSignalEnvSchema } from '../../../functions/ecs-drain/spot-config';
import { readEnv } from '../../../functions/shared/env';
import { SPOT_NAMES, SPOT_SIGNAL_ENV } from '../fixtures/spot-world';

describe('the Spot signal function environment', () => {
  test('the stack environment gives the cluster, both groups and the seen table', () => {
    expect(readEnv(SpotSignalEnvSchema, { ...SPOT_SIGNAL_ENV })).toEqual({
      cluster: SPOT_NAMES.cluster,
      groupNames: [SPOT_NAMES.onDemandGroup, SPOT_NAMES.spotGroup],
      seenTableName: SPOT_NAMES.seenTable,
    });
  });

  test.each([
    ['no group', { GROUP_NAMES: '' }, 'GROUP_NAMES'],
    ['a group name with a space', { GROUP_NAMES: 'a b' }, 'GROUP_NAMES'],
    ['a cluster that is no name or ARN', { CLUSTER_NAME: 'my cluster' }, 'CLUSTER_NAME'],
  ])('%s fails the cold start, naming the variable', (_what, bad, key) => {
    expect(() => readEnv(SpotSignalEnvSchema, { ...SPOT_SIGNAL_ENV, ...bad })).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(key) }),
    );
  });
});
