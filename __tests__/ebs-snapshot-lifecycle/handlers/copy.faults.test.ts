import { copyClaimKey } from '../../../functions/ebs-snapshot/copy-store';
import { OutcomeUnknownError } from '../../../functions/ebs-snapshot/errors';
import { SNAPSHOT_TAGS } from '../../../functions/ebs-snapshot/tags';
import { metrics } from '../../../functions/shared/metrics';
import { WORLD } from '../../support/deployment';
import {
  COPY_REGION,
  copyCalls,
  copyHandlerHarness,
  KEY_ARN,
  limitExceeded,
  metricValues,
  OTHER_COPY_REGION,
  SOURCE_ID,
  SOURCE_KEY_ARN,
  setSnapshotsEvent,
  snapshotEvent,
  sourceSnapshot,
  sqsEvent,
  sqsRecord,
} from '../fixtures/copy-world';

const OTHER_KEY_ARN = KEY_ARN.replace(COPY_REGION, OTHER_COPY_REGION);
const h = copyHandlerHarness({
  COPY_REGIONS: JSON.stringify([COPY_REGION, OTHER_COPY_REGION]),
  COPY_KMS_KEY_ARNS: JSON.stringify({ [COPY_REGION]: KEY_ARN, [OTHER_COPY_REGION]: OTHER_KEY_ARN }),
});

describe('copy handler: faults and options', () => {
  test('a Region with a KMS key gets an encrypted copy under its own key', async () => {
    // Act
    await h.handler(sqsEvent(sqsRecord()));

    // Assess
    const inputs = copyCalls(h).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.Encrypted, i.KmsKeyId])).toEqual([
      [true, KEY_ARN],
      [true, OTHER_KEY_ARN],
    ]);
    expect(h.world.copiesIn(OTHER_COPY_REGION)[0]?.KmsKeyId).toBe(OTHER_KEY_ARN);
  });

  test('a source under a customer managed key of the home Region is copied, each copy under its Region key', async () => {
    // Prepare
    h.world.in(WORLD.region).splice(0, 1, {
      ...sourceSnapshot(),
      Encrypted: true,
      KmsKeyId: SOURCE_KEY_ARN,
    });

    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(
      copyCalls(h).map((c) => [c.args[0].input.SourceSnapshotId, c.args[0].input.KmsKeyId]),
    ).toEqual([
      [SOURCE_ID, KEY_ARN],
      [SOURCE_ID, OTHER_KEY_ARN],
    ]);
    expect(h.world.sourceKeyOf('CopySnapshot', copyCalls(h)[0]?.args[0].input)).toBe(
      SOURCE_KEY_ARN,
    );
  });

  test('the source deleted meanwhile: counted, not copied, not retried', async () => {
    // Prepare
    h.world.in(WORLD.region).length = 0;
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(copyCalls(h)).toHaveLength(0);
    expect(metricValues(addMetric)).toMatchObject({ CopySourceGone: 1, CopiesFailed: 0 });
  });

  test('the copy limit (ResourceLimitExceeded): retried later, claim released, the other Region copied', async () => {
    // Prepare
    h.world.copyFailures.set(COPY_REGION, limitExceeded());
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const record = sqsRecord();

    // Act
    const response = await h.handler(sqsEvent(record));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(metricValues(addMetric)).toMatchObject({ CopiesRetried: 1, CopiesStarted: 1 });
    expect(h.table.items.get(copyClaimKey(SOURCE_ID, COPY_REGION))?.claimed_at).toEqual({ N: '0' });
    expect(h.world.copiesIn(OTHER_COPY_REGION)).toHaveLength(1);
  });

  test('after the limit clears, the next delivery copies into that Region only', async () => {
    // Prepare
    h.world.copyFailures.set(COPY_REGION, limitExceeded());
    await h.handler(sqsEvent(sqsRecord()));
    h.world.copyFailures.clear();

    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.world.copiesIn(COPY_REGION)).toHaveLength(1);
    expect(h.world.copiesIn(OTHER_COPY_REGION)).toHaveLength(1);
  });

  test('an unknown outcome keeps the claim, so a retry before the settle time makes no second copy', async () => {
    // Prepare
    h.world.copyFailures.set(
      COPY_REGION,
      new OutcomeUnknownError('CopySnapshot may have been applied', {}),
    );
    const record = sqsRecord();
    await h.handler(sqsEvent(record));
    h.world.copyFailures.clear();

    // Act
    const response = await h.handler(sqsEvent(record));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(h.world.copiesIn(COPY_REGION)).toHaveLength(0);
    expect(copyCalls(h).filter((c) => c.args[0].input.KmsKeyId === KEY_ARN)).toHaveLength(1);
  });

  test('another refusal (e.g. access denied) is a failure: metric, retried, claim released', async () => {
    // Prepare
    h.world.copyFailures.set(
      COPY_REGION,
      Object.assign(new Error('not authorized'), {
        name: 'UnauthorizedOperation',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response.batchItemFailures).toHaveLength(1);
    expect(metricValues(addMetric)).toMatchObject({ CopiesFailed: 1 });
    expect(h.table.items.get(copyClaimKey(SOURCE_ID, COPY_REGION))?.claimed_at).toEqual({ N: '0' });
  });

  test('a snapshot another tool made (no managed-by tag of ours) is ignored before any copy', async () => {
    // Prepare
    h.world.in(WORLD.region)[0] = { SnapshotId: SOURCE_ID, State: 'completed', Tags: [] };
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const response = await h.handler(sqsEvent(sqsRecord()));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(copyCalls(h)).toHaveLength(0);
    expect(metricValues(addMetric)).toMatchObject({ CopiesIgnored: 1 });
  });

  test('a crash-consistent set (createSnapshots) copies each completed member', async () => {
    // Prepare
    h.world
      .in(WORLD.region)
      .push(
        sourceSnapshot('snap-0000000000000000b', [{ Key: SNAPSHOT_TAGS.setId, Value: 'run/i-1' }]),
        sourceSnapshot('snap-0000000000000000c'),
      );

    // Act
    await h.handler(sqsEvent(sqsRecord(setSnapshotsEvent())));

    // Assess
    expect(
      h.world
        .copiesIn(COPY_REGION)
        .map((s) => s.Tags?.find((t) => t.Key === SNAPSHOT_TAGS.sourceSnapshot)?.Value),
    ).toEqual(['snap-0000000000000000b', 'snap-0000000000000000c']);
  });

  test('a failed result, and a body that is no snapshot event, copy nothing; the bad one is a batch item failure', async () => {
    // Prepare
    const failed = snapshotEvent();
    failed.detail.result = 'failed';
    const bad = sqsRecord();
    bad.body = '{"source":"aws.ec2","detail-type":"EBS Volume Notification"}';

    // Act
    const response = await h.handler(sqsEvent(sqsRecord(failed), bad));

    // Assess
    expect(copyCalls(h)).toHaveLength(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
  });
});
