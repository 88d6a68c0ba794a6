import type { Volume } from '@aws-sdk/client-ec2';
import { retentionDays, snapshotTags } from '../../../functions/ebs-snapshot/tags';
import { CREATE_CONFIG, MANAGED_BY, NOW, RUN_KEY, tagsOf } from '../fixtures/world';

describe('pure helpers', () => {
  test.each([
    ['14', 14],
    [' 30 ', 30],
    ['1', 1],
    ['0', 7],
    ['-3', 7],
    ['1.5', 7],
    ['2w', 7],
    ['true', 7],
    ['', 7],
    [undefined, 7],
    ['99999999', 7],
  ])('retention tag %p means %i days (default 7)', (value, days) => {
    // Act + Assess
    expect(retentionDays(value, 7)).toBe(days);
  });

  test('a volume with many tags still yields at most 50 snapshot tags, ours included', () => {
    // Prepare
    const many: Volume = {
      VolumeId: 'vol-0a1b2c3d4e5f60009',
      Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` })),
    };

    // Act
    const tags = snapshotTags(many, CREATE_CONFIG, RUN_KEY, NOW);

    // Assess
    expect(tags).toHaveLength(50);
    expect(tagsOf(tags)).toMatchObject({
      'managed-by': MANAGED_BY,
      'ops-autopilot:volume-id': 'vol-0a1b2c3d4e5f60009',
    });
  });

  test('Recycle Bin exclusion tags go on every snapshot and win over the volume tag of the same key', () => {
    // Prepare
    const volume: Volume = {
      VolumeId: 'vol-0a1b2c3d4e5f60009',
      Tags: [{ Key: 'rbin-exclude', Value: 'no' }],
    };
    const config = { ...CREATE_CONFIG, recycleBinExclusionTags: { 'rbin-exclude': 'true' } };

    // Act
    const tags = snapshotTags(volume, config, RUN_KEY, NOW);

    // Assess
    expect(tags.filter((t) => t.Key === 'rbin-exclude')).toEqual([
      { Key: 'rbin-exclude', Value: 'true' },
    ]);
  });
});
