import {
  GuardEnvSchema,
  ReplicationEnvSchema,
  TriggerEnvSchema,
} from '../../../functions/redshift-resize/env';
import {
  executionNameFor,
  snapshotIdentifierFor,
} from '../../../functions/redshift-resize/identifiers';
import { parseElasticResizeOptions } from '../../../functions/redshift-resize/node-types';
import { parseStateChangeTime } from '../../../functions/redshift-resize/trigger';
import { readEnv } from '../../../functions/shared/env';
import { ConfigError } from '../../../functions/shared/errors';
import {
  CLUSTER_ID,
  STATE_MACHINE_ARN,
  TARGET_ENDPOINT_ARN,
  taskArn,
  TEST_ENV,
} from '../fixtures/env';

// Pure functions and schemas: no SDK client, no AWS call, so nothing to record for the IAM proof.

describe('function environments', () => {
  it('read the deployed values with defaults for the optional knobs', () => {
    // Act
    const guard = readEnv(GuardEnvSchema, { CLUSTER_ID, MAX_NODE_COUNT: '16' });

    // Assess
    expect(guard).toEqual({
      clusterId: CLUSTER_ID,
      resizeFactor: 2,
      maxNodeCount: 16,
      resizeType: 'elastic',
      cooldownMinutes: 360,
      maxResizesPerDay: 2,
      concurrencyScalingMaxNodes: 32,
      targetDiskPercent: 70,
      ra3NodeType: null,
      dryRun: false,
      trigger: 'disk',
    });
  });

  it.each([
    ['a resize factor of 1', { RESIZE_FACTOR: '1' }, /RESIZE_FACTOR/],
    ['a missing MAX_NODE_COUNT', { MAX_NODE_COUNT: undefined }, /MAX_NODE_COUNT/],
    ['an unknown RESIZE_TYPE', { RESIZE_TYPE: 'vertical' }, /RESIZE_TYPE/],
    [
      'a cooldown Redshift events cannot cover',
      { COOLDOWN_MINUTES: String(15 * 24 * 60) },
      /COOLDOWN_MINUTES/,
    ],
    ['an invalid cluster identifier', { CLUSTER_ID: 'Bad_Cluster' }, /CLUSTER_ID/],
  ])('guard refuses %s with a ConfigError naming the variable', (_, change, message) => {
    // Act
    const read = () => readEnv(GuardEnvSchema, { ...TEST_ENV, ...change });

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });

  it('replication reads either a task list or a target endpoint', () => {
    // Act
    const list = readEnv(ReplicationEnvSchema, {
      REPLICATION_TASK_ARNS: JSON.stringify([taskArn('A1'), taskArn('A1')]),
    });
    const endpoint = readEnv(ReplicationEnvSchema, {
      REPLICATION_TASK_ARNS: '[]',
      TARGET_ENDPOINT_ARN,
    });

    // Assess
    expect(list).toEqual({ kind: 'taskList', taskArns: [taskArn('A1')] });
    expect(endpoint).toEqual({ kind: 'targetEndpoint', targetEndpointArn: TARGET_ENDPOINT_ARN });
  });

  it.each([
    ['neither', {}],
    ['both', { REPLICATION_TASK_ARNS: JSON.stringify([taskArn('A1')]), TARGET_ENDPOINT_ARN }],
    ['a list that is not JSON', { REPLICATION_TASK_ARNS: 'arn:aws:dms:x' }],
    ['a list of non-task ARNs', { REPLICATION_TASK_ARNS: JSON.stringify([TARGET_ENDPOINT_ARN]) }],
  ])('replication refuses %s', (_, env) => {
    // Act
    const read = () => readEnv(ReplicationEnvSchema, env);

    // Assess
    expect(read).toThrow(ConfigError);
  });

  it('trigger refuses a STATE_MACHINE_ARN that is not one', () => {
    // Act
    const read = () =>
      readEnv(TriggerEnvSchema, {
        ...TEST_ENV,
        STATE_MACHINE_ARN: STATE_MACHINE_ARN.replace('stateMachine', 'activity'),
      });

    // Assess
    expect(read).toThrow(/STATE_MACHINE_ARN/);
  });
});

describe('identifiers', () => {
  it('execution names stay within 80 allowed characters for the longest cluster identifier', () => {
    // Act
    const name = executionNameFor('a'.repeat(63), new Date('2024-12-31T23:59:59.999Z'));

    // Assess
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('execution names differ for clusters sharing a long prefix', () => {
    // Act
    const a = executionNameFor(`${'a'.repeat(50)}-one`, new Date(0));
    const b = executionNameFor(`${'a'.repeat(50)}-two`, new Date(0));

    // Assess
    expect(a).not.toBe(b);
  });

  it.each([
    'My_Run--2024',
    '0starts-with-a-digit',
    '---',
    'x'.repeat(300),
    '8d2f0c1e-6a4b-4c3d-9e8f-0a1b2c3d4e5f',
  ])('derives a valid Redshift snapshot identifier from %s', (executionName) => {
    // Act
    const id = snapshotIdentifierFor(executionName);

    // Assess
    expect(id).toMatch(/^[a-z](?:-?[a-z0-9])*$/);
    expect(id.length).toBeLessThanOrEqual(255);
    expect(snapshotIdentifierFor(executionName)).toBe(id);
  });

  it('reads CloudWatch StateChangeTime with its colon-less offset', () => {
    // Act
    const t = parseStateChangeTime('2024-03-04T07:06:07.891+0200');

    // Assess
    expect(t.toISOString()).toBe('2024-03-04T05:06:07.891Z');
  });

  it('reads ElasticResizeNumberOfNodeOptions', () => {
    // Act
    const options = parseElasticResizeOptions('[8,2,3,5]');

    // Assess
    expect(options).toEqual([2, 3, 5, 8]);
    expect(parseElasticResizeOptions(undefined)).toBeUndefined();
    expect(parseElasticResizeOptions('')).toBeUndefined();
  });
});
