import { copyClaimKey } from '../../../functions/ebs-snapshot/copy-store';
import { SNAPSHOT_TAGS } from '../../../functions/ebs-snapshot/tags';
import { metrics } from '../../../functions/shared/metrics';
import { WORLD } from '../../support/deployment';
import {
  COPY_REGION,
  copyCalls,
  copyHandlerHarness,
  metricValues,
  SOURCE_ID,
  snapshotEvent,
  sqsEvent,
  sqsRecord,
} from '../fixtures/copy-world';
import { MANAGED_BY, NOW, tagsOf } from '../fixtures/world';

const h = copyHandlerHarness();
const DAY_MS = 86_400_000;

describe('copy handler: a completed snapshot', () => {
  test('is copied into the copy Region, tagged as managed with its own expiry and its source, and recorded there', async () => {
    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [copy] = h.world.copiesIn(COPY_REGION);
    expect(copyCalls(h)[0]?.args[0].input).toMatchObject({
      SourceRegion: WORLD.region,
      SourceSnapshotId: SOURCE_ID,
    });
    expect(copyCalls(h)[0]?.args[0].input).not.toHaveProperty('KmsKeyId');
    const expiresAt = new Date(NOW.getTime() + 14 * DAY_MS).toISOString();
    expect(tagsOf(copy?.Tags)).toEqual({
      [SNAPSHOT_TAGS.managedBy]: MANAGED_BY,
      [SNAPSHOT_TAGS.expiresAt]: expiresAt,
      [SNAPSHOT_TAGS.sourceSnapshot]: SOURCE_ID,
      [SNAPSHOT_TAGS.sourceRegion]: WORLD.region,
      [SNAPSHOT_TAGS.volumeId]: 'vol-0000000000000000a',
      team: 'web',
    });
    expect(h.table.items.get(`${copy?.SnapshotId}@${COPY_REGION}`)).toEqual(
      expect.objectContaining({
        region: { S: COPY_REGION },
        source_snapshot_id: { S: SOURCE_ID },
        ttl: { N: String(Date.parse(expiresAt) / 1000) },
      }),
    );
  });

  test('a replayed message makes no second copy: the copy is found by its tag', async () => {
    // Prepare
    await h.handler(sqsEvent(sqsRecord()));
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(copyCalls(h)).toHaveLength(1);
    expect(h.world.copiesIn(COPY_REGION)).toHaveLength(1);
    expect(metricValues(addMetric)).toMatchObject({ CopiesFound: 1, CopiesStarted: 0 });
  });

  test('two deliveries at once make one copy: the other is left for a later delivery', async () => {
    // Act
    const [first, second] = await Promise.all([
      h.handler(sqsEvent(sqsRecord(snapshotEvent(), 'first'))),
      h.handler(sqsEvent(sqsRecord(snapshotEvent(), 'second'))),
    ]);

    // Assess
    expect(copyCalls(h)).toHaveLength(1);
    expect([...first.batchItemFailures, ...second.batchItemFailures]).toHaveLength(1);
  });

  test('a copy made earlier without a record (found by tag) is recorded, not copied again', async () => {
    // Prepare
    h.world.in(COPY_REGION).push({
      SnapshotId: 'snap-0c0aaaaaaaaaaaaaa',
      State: 'completed',
      Tags: [
        { Key: SNAPSHOT_TAGS.managedBy, Value: MANAGED_BY },
        { Key: SNAPSHOT_TAGS.sourceSnapshot, Value: SOURCE_ID },
        { Key: SNAPSHOT_TAGS.expiresAt, Value: '2026-12-20T00:00:00.000Z' },
      ],
    });

    // Act
    await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(copyCalls(h)).toHaveLength(0);
    expect(h.table.items.get(`snap-0c0aaaaaaaaaaaaaa@${COPY_REGION}`)?.ttl).toEqual({
      N: String(Date.parse('2026-12-20T00:00:00.000Z') / 1000),
    });
  });

  test('a fresh claim of another delivery with no copy yet: no copy, retried later', async () => {
    // Prepare
    h.table.items.set(copyClaimKey(SOURCE_ID, COPY_REGION), {
      snapshot_id: { S: copyClaimKey(SOURCE_ID, COPY_REGION) },
      claimed_at: { N: String(NOW.getTime() / 1000 - 10) },
      claim_attempt: { S: 'other' },
    });
    const record = sqsRecord();

    // Act
    const response = await h.handler(sqsEvent(record));

    // Assess
    expect(copyCalls(h)).toHaveLength(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  test('a claim older than the settle time with no copy found is taken over and the copy made', async () => {
    // Prepare
    h.table.items.set(copyClaimKey(SOURCE_ID, COPY_REGION), {
      snapshot_id: { S: copyClaimKey(SOURCE_ID, COPY_REGION) },
      claimed_at: { N: String(NOW.getTime() / 1000 - 301) },
      claim_attempt: { S: 'crashed' },
    });

    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.world.copiesIn(COPY_REGION)).toHaveLength(1);
  });
});
