import { ReserverEnvSchema } from '../../../functions/capacity-reservation/config';
import { readEnv } from '../../../functions/shared/env';
import { DB_SECRET_ARN, MANAGED_BY, OWN_RULE_ARN } from '../fixtures/events';
import { GROUP_ARN } from '../fixtures/resource-groups';

const BASE = {
  DB_SECRET_ARN,
  DB_HOST: 'db.cluster-c9akciq32.us-east-1.rds.amazonaws.com',
  DB_NAME: 'ops',
  MANAGED_BY,
  SCHEDULE_RULE_ARN: OWN_RULE_ARN,
};

describe('reserver environment: RESERVATION_GROUP_ARN', () => {
  it('takes the group ARN the stack passes', () => {
    // Act
    const env = readEnv(ReserverEnvSchema, { ...BASE, RESERVATION_GROUP_ARN: GROUP_ARN });

    // Assess
    expect(env.RESERVATION_GROUP_ARN).toBe(GROUP_ARN);
  });

  it('may be absent (rows with Match targeted are then refused)', () => {
    // Act
    const env = readEnv(ReserverEnvSchema, BASE);

    // Assess
    expect(env.RESERVATION_GROUP_ARN).toBeUndefined();
  });

  it('fails fast on something that is not a group ARN', () => {
    // Act
    const act = () => readEnv(ReserverEnvSchema, { ...BASE, RESERVATION_GROUP_ARN: 'my-group' });

    // Assess
    expect(act).toThrow(/RESERVATION_GROUP_ARN/);
  });
});
