import { DrainEnvSchema } from '../../../functions/ecs-drain/config';
import { isServiceTask } from '../../../functions/ecs-drain/ecs';
import { readEnv } from '../../../functions/shared/env';
import { ConfigError } from '../../../functions/shared/errors';
import { arn } from '../../support/deployment';
import { DRAIN_ENV, DRAIN_NAMES } from '../fixtures/env';
import { recordIamCalls } from '../../support/iam-recorder';

// Pure validation: no SDK client is involved, so nothing is recorded.
recordIamCalls('ecs-drain-drain', []);

describe('function environment', () => {
  it('reads the deployed environment', () => {
    // Act
    const config = readEnv(DrainEnvSchema, { ...DRAIN_ENV });

    // Assess
    expect(config).toEqual({
      cluster: DRAIN_NAMES.cluster,
      checkQueueUrl: DRAIN_ENV.CHECK_QUEUE_URL,
      checkIntervalSeconds: 30,
      maxDrainSeconds: 600,
      standaloneTaskGraceSeconds: 60,
      agentDisconnectedGraceSeconds: 120,
      ledgerTableName: DRAIN_NAMES.ledger,
    });
  });

  it('defaults the interval, the bound and the grace', () => {
    // Act
    const config = readEnv(DrainEnvSchema, {
      CLUSTER_NAME: 'c',
      CHECK_QUEUE_URL: DRAIN_ENV.CHECK_QUEUE_URL,
      LEDGER_TABLE_NAME: DRAIN_ENV.LEDGER_TABLE_NAME,
    });

    // Assess
    expect(config).toMatchObject({
      checkIntervalSeconds: 30,
      maxDrainSeconds: 3600,
      standaloneTaskGraceSeconds: 300,
      agentDisconnectedGraceSeconds: 180,
    });
  });

  it('accepts a cluster ARN', () => {
    // Prepare
    const clusterArn = arn('ecs', `cluster/${DRAIN_NAMES.cluster}`);

    // Act
    const config = readEnv(DrainEnvSchema, { ...DRAIN_ENV, CLUSTER_NAME: clusterArn });

    // Assess
    expect(config.cluster).toBe(clusterArn);
  });

  it.each([
    ['no cluster', { CLUSTER_NAME: undefined }, /CLUSTER_NAME/],
    ['no ledger table', { LEDGER_TABLE_NAME: undefined }, /LEDGER_TABLE_NAME/],
    ['a queue URL that is not https', { CHECK_QUEUE_URL: 'sqs://queue' }, /CHECK_QUEUE_URL/],
    [
      'an interval above the SQS delay limit',
      { CHECK_INTERVAL_SECONDS: '901' },
      /CHECK_INTERVAL_SECONDS/,
    ],
    [
      'a bound longer than the 48 h lifecycle limit',
      { MAX_DRAIN_SECONDS: '172801' },
      /MAX_DRAIN_SECONDS/,
    ],
    [
      'a grace longer than the bound',
      { STANDALONE_TASK_GRACE_SECONDS: '601' },
      /STANDALONE_TASK_GRACE_SECONDS/,
    ],
    ['a number that is not whole', { CHECK_INTERVAL_SECONDS: '7.5' }, /CHECK_INTERVAL_SECONDS/],
  ])('rejects %s with a ConfigError naming the key', (_name, change, key) => {
    // Prepare
    const env = { ...DRAIN_ENV, ...change };

    // Act
    const read = () => readEnv(DrainEnvSchema, env);

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(key);
  });
});

describe('service or standalone task', () => {
  it.each([
    [{ group: 'service:web', startedBy: 'ecs-svc/9223370' }, true],
    [{ group: 'service:web' }, true],
    [{ startedBy: 'ecs-svc/9223370' }, true],
    [{ group: 'family:nightly-report' }, false],
    [{ group: 'family:batch', startedBy: 'AWS Batch' }, false],
    [{}, false],
  ])('%j is a service task: %s', (task, expected) => {
    // Act
    const result = isServiceTask(task);

    // Assess
    expect(result).toBe(expected);
  });
});
