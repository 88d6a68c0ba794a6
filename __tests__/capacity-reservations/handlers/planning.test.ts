import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  clientToken,
  successorToken,
  type ChunkIdentity,
} from '../../../functions/capacity-reservation/client-token';
import { chunkSizes } from '../../../functions/capacity-reservation/ec2';
import { planReduction } from '../../../functions/capacity-reservation/reduction';
import {
  parseDemandRow,
  type DemandRow,
  type PoolDemand,
} from '../../../functions/capacity-reservation/rows';
import { recordIamCalls } from '../../support/iam-recorder';

// Pure logic: no SDK call is made here; recorded for completeness of the IAM proof's inputs.
const ec2Mock = mockClient(EC2Client);
const secretsMock = mockClient(SecretsManagerClient);
recordIamCalls('capacity-reservation-reserver', [ec2Mock, secretsMock]);

const demand: PoolDemand = {
  instanceType: 'm5.large',
  availabilityZone: 'us-east-1a',
  pool: 'm5.large/us-east-1a',
  target: 20,
  platform: 'Linux/UNIX',
  tenancy: 'default',
  endDate: undefined,
  chunkSize: 10,
  generation: 0,
  idleSince: null,
  match: 'open',
};
const chunk: ChunkIdentity = {
  managedBy: 'ops-autopilot-odcr',
  demand,
  observed: 0,
  chunkIndex: 0,
  instanceCount: 10,
};

describe('clientToken', () => {
  it('is at most 64 ASCII characters and the same for the same chunk', () => {
    // Act
    const token = clientToken(chunk);

    // Assess
    expect(token).toMatch(/^[\x20-\x7e]{1,64}$/);
    expect(clientToken({ ...chunk, demand: { ...demand } })).toBe(token);
  });

  it.each<[string, Partial<ChunkIdentity>]>([
    ['observed count', { observed: 10 }],
    ['chunk index', { chunkIndex: 1 }],
    ['instance count', { instanceCount: 5 }],
    ['managed-by value', { managedBy: 'other-deployment' }],
    ['target', { demand: { ...demand, target: 30 } }],
    [
      'pool',
      { demand: { ...demand, availabilityZone: 'us-east-1b', pool: 'm5.large/us-east-1b' } },
    ],
    ['end date', { demand: { ...demand, endDate: new Date('2031-01-01T00:00:00Z') } }],
    ['platform', { demand: { ...demand, platform: 'Windows' } }],
    ['token generation', { demand: { ...demand, generation: 1 } }],
  ])('changes with the %s', (_case, change) => {
    // Act
    const other = clientToken({ ...chunk, ...change });

    // Assess
    expect(other).not.toBe(clientToken(chunk));
  });

  it('has a deterministic successor that differs by what burnt the token', () => {
    // Prepare
    const token = clientToken(chunk);

    // Act
    const a = successorToken(token, 'cr-1:cancelled');

    // Assess
    expect(a).toBe(successorToken(token, 'cr-1:cancelled'));
    expect(a).not.toBe(successorToken(token, 'cr-2:cancelled'));
    expect(a).not.toBe(token);
    expect(a.length).toBeLessThanOrEqual(64);
  });
});

describe('chunkSizes', () => {
  it.each([
    [23, 10, [10, 10, 3]],
    [10, 10, [10]],
    [1, 10, [1]],
    [0, 10, []],
    [7, 3, [3, 3, 1]],
  ])('splits a gap of %d by %d into %j', (gap, size, expected) => {
    // Act + Assess
    expect(chunkSizes(gap, size)).toEqual(expected);
  });
});

const blocked = (reason: string) => ({
  cancellable: false,
  modifiable: false,
  floor: 4,
  waiting: false,
  reason,
});

describe('planReduction', () => {
  it('cancels wholly unused reservations, most unused first', () => {
    // Act
    const { steps } = planReduction(
      [
        { id: 'a', total: 4, available: 0 },
        { id: 'b', total: 3, available: 3 },
        { id: 'c', total: 2, available: 2 },
      ],
      5,
    );

    // Assess
    expect(steps).toEqual([
      { action: 'cancel', id: 'b', removes: 3 },
      { action: 'cancel', id: 'c', removes: 2 },
    ]);
  });

  it('lowers InstanceCount when only part of a reservation goes', () => {
    // Act
    const { steps } = planReduction([{ id: 'a', total: 10, available: 6 }], 4);

    // Assess
    expect(steps).toEqual([{ action: 'modify', id: 'a', instanceCount: 6, removes: 4 }]);
  });

  it('takes capacity in use only after all unused capacity, one call per reservation', () => {
    // Act
    const { steps } = planReduction(
      [
        { id: 'a', total: 5, available: 2 },
        { id: 'b', total: 2, available: 1 },
      ],
      5,
    );

    // Assess
    expect(steps).toEqual([
      { action: 'modify', id: 'a', instanceCount: 1, removes: 4 },
      { action: 'modify', id: 'b', instanceCount: 1, removes: 1 },
    ]);
  });

  it('plans nothing without an excess', () => {
    // Act + Assess
    expect(planReduction([{ id: 'a', total: 5, available: 5 }], 0).steps).toEqual([]);
  });

  it('waits for the unused capacity of a pending reservation instead of taking capacity in use', () => {
    // Act
    const plan = planReduction(
      [
        { id: 'p', total: 4, available: 4, ...blocked('is pending'), waiting: true },
        { id: 'a', total: 4, available: 0 },
      ],
      6,
    );

    // Assess
    expect(plan).toEqual({
      steps: [{ action: 'modify', id: 'a', instanceCount: 2, removes: 2 }],
      unreleased: 4,
      blockers: ['p is pending'],
    });
  });

  it('lowers a committed reservation only down to its committed count, and never cancels it', () => {
    // Act
    const plan = planReduction(
      [
        {
          id: 'c',
          total: 10,
          available: 10,
          cancellable: false,
          modifiable: true,
          floor: 6,
          waiting: false,
          reason: 'is committed until 2027-01-01T00:00:00.000Z',
        },
      ],
      10,
    );

    // Assess
    expect(plan.steps).toEqual([{ action: 'modify', id: 'c', instanceCount: 6, removes: 4 }]);
    expect(plan).toMatchObject({
      unreleased: 6,
      blockers: ['c is committed until 2027-01-01T00:00:00.000Z'],
    });
  });

  it('cancels a reservation that can only be cancelled (assessing) whole, or not at all', () => {
    // Prepare
    const assessing = {
      id: 'f',
      total: 8,
      available: 8,
      cancellable: true,
      modifiable: false,
      floor: 8,
      waiting: false,
    };

    // Act
    const whole = planReduction([assessing], 8);
    const part = planReduction([assessing], 5);

    // Assess
    expect(whole.steps).toEqual([{ action: 'cancel', id: 'f', removes: 8 }]);
    expect(part).toMatchObject({ steps: [], unreleased: 5 });
  });
});

describe('parseDemandRow', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const row = (change: Partial<DemandRow>): DemandRow => ({
    InstanceType: 'm5.large',
    AvailabilityZone: 'us-east-1a',
    Target_Capacity: 4,
    Current_Capacity: 0,
    Platform: 'Linux/UNIX',
    Tenancy: 'default',
    End_Date: null,
    Chunk_Size: null,
    ...change,
  });

  it.each(['us-east-1a', 'ap-southeast-2c', 'us-gov-west-1b', 'us-west-2-lax-1a'])(
    'accepts the zone %s',
    (az) => {
      // Act
      const parsed = parseDemandRow(row({ AvailabilityZone: az }), { defaultChunkSize: 10, now });

      // Assess
      expect(parsed.ok).toBe(true);
    },
  );

  it.each(['m5.large', 'c6gn.16xlarge', 'm7i-flex.large', 'u-6tb1.metal', 'mac2-m2pro.metal'])(
    'accepts the instance type %s',
    (type) => {
      // Act
      const parsed = parseDemandRow(row({ InstanceType: type }), { defaultChunkSize: 10, now });

      // Assess
      expect(parsed.ok).toBe(true);
    },
  );

  it('applies the default chunk size and takes a DECIMAL target given as a string', () => {
    // Act
    const parsed = parseDemandRow(row({ Target_Capacity: '12' }), { defaultChunkSize: 7, now });

    // Assess
    expect(parsed).toEqual({
      ok: true,
      demand: expect.objectContaining({ target: 12, chunkSize: 7, endDate: undefined }),
    });
  });

  it('reports every problem of a row at once', () => {
    // Act
    const parsed = parseDemandRow(
      row({ Target_Capacity: -1, AvailabilityZone: 'nowhere', Chunk_Size: 0 }),
      {
        defaultChunkSize: 10,
        now,
      },
    );

    // Assess
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.split('; ')).toHaveLength(3);
  });
});
