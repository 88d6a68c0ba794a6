import { only, synthStack } from '../support/synth';

const { json } = synthStack('ecs-autoscaling-drain');

describe('the drain ledger table', () => {
  test('keyed by the lifecycle action token, on demand, encrypted, entries expire by TTL', () => {
    // Assess
    expect(only(json, 'aws_dynamodb_table')).toMatchObject({
      name: '${var.name_prefix}-ecs-drain-ledger',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'action_token',
      attribute: [{ name: 'action_token', type: 'S' }],
      ttl: { attribute_name: 'ttl', enabled: true },
      server_side_encryption: { enabled: true },
    });
  });
});
