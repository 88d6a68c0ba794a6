import * as utils from '@cloud-copilot/iam-utils';

type Memo = typeof utils & { unremembered: typeof utils };
const memo = utils as Memo;

const PATTERNS = [
  'arn:${Partition}:ec2:${Region}:${Account}:snapshot/${SnapshotId}',
  'arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}',
  'arn:${Partition}:ec2:${Region}:${Account}:volume/${VolumeId}',
  'arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}',
  'arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}',
];
const RESOURCES = [
  '*',
  'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0',
  'arn:aws:ec2:us-east-1:123456789012:snapshot/*',
  'arn:aws:ec2:*:*:volume/vol-1',
  'arn:aws:dynamodb:us-east-1:123456789012:table/snapshots',
  'arn:aws:dynamodb:us-east-1:123456789012:table/snapshots/stream/2026-12-05T00:00:00.000',
  'arn:aws:s3:::bucket',
];

describe('the IAM proof’s @cloud-copilot/iam-utils: resource-type matching remembered', () => {
  test('is the remembered module in this phase (jest.iam.config.js maps the package to it)', () => {
    expect(memo.unremembered).toBeDefined();
    expect(memo.unremembered).not.toBe(memo);
  });

  test('answers every ARN and pattern as the package does, the first time and again', () => {
    // Prepare
    const pairs = RESOURCES.flatMap((r) => PATTERNS.map((p) => [r, p] as const));

    // Act
    const expected = pairs.map(([r, p]) =>
      memo.unremembered.resourceStringMatchesResourceTypePattern(r, p),
    );
    const first = pairs.map(([r, p]) => memo.resourceStringMatchesResourceTypePattern(r, p));
    const again = pairs.map(([r, p]) => memo.resourceStringMatchesResourceTypePattern(r, p));

    // Assess
    expect(first).toEqual(expected);
    expect(again).toEqual(expected);
    expect(expected).toContain(true);
    expect(expected).toContain(false);
  });

  test('gives the most specific patterns as the package does, a new list each time', () => {
    // Prepare
    const stream = RESOURCES[5]!;

    // Act
    const expected = memo.unremembered.mostSpecificMatchingResourceTypePatterns(stream, PATTERNS);
    const first = memo.mostSpecificMatchingResourceTypePatterns(stream, PATTERNS);
    first.push('changed by a caller');
    const again = memo.mostSpecificMatchingResourceTypePatterns(stream, PATTERNS);

    // Assess
    expect(again).toEqual(expected);
    expect(expected).toEqual([PATTERNS[4]]);
  });
});
