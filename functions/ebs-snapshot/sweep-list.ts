import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { paginateDescribeSnapshots, type EC2Client, type Snapshot } from '@aws-sdk/client-ec2';
import { SNAPSHOT_TAGS, tagValue } from './tags';

export type ManagedSnapshot = Snapshot & { readonly SnapshotId: string };

/** Every snapshot carrying this deployment's managed-by tag, over all DescribeSnapshots pages. */
export async function listManagedSnapshots(
  ec2: EC2Client,
  managedBy: string,
): Promise<ManagedSnapshot[]> {
  const out: ManagedSnapshot[] = [];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: 1000 },
    {
      OwnerIds: ['self'],
      Filters: [{ Name: `tag:${SNAPSHOT_TAGS.managedBy}`, Values: [managedBy] }],
    },
  );
  for await (const page of pages)
    for (const s of page.Snapshots ?? [])
      if (s.SnapshotId) out.push({ ...s, SnapshotId: s.SnapshotId });
  return out;
}

/** The snapshot's expiry from its own tag; undefined when the tag is missing or not a date. */
export function expiryTagOf(snapshot: Snapshot): Date | undefined {
  const at = new Date(tagValue(snapshot.Tags, SNAPSHOT_TAGS.expiresAt) ?? Number.NaN);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_MAX = 100;
const MAX_UNPROCESSED_ROUNDS = 5;

/** Which of these snapshot ids have a record in the table (BatchGetItem, unprocessed keys retried). */
export async function recordedIds(
  ddb: DynamoDBClient,
  tableName: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += BATCH_GET_MAX) {
    let request: Record<string, KeysAndAttributes> | undefined = {
      [tableName]: {
        Keys: ids.slice(i, i + BATCH_GET_MAX).map((id) => ({ snapshot_id: { S: id } })),
        ProjectionExpression: 'snapshot_id',
      },
    };
    for (let round = 0; request && round < MAX_UNPROCESSED_ROUNDS; round++) {
      const out: BatchGetItemCommandOutput = await ddb.send(
        new BatchGetItemCommand({ RequestItems: request }),
      );
      for (const item of out.Responses?.[tableName] ?? [])
        if (item.snapshot_id?.S) found.add(item.snapshot_id.S);
      request = Object.keys(out.UnprocessedKeys ?? {}).length > 0 ? out.UnprocessedKeys : undefined;
    }
    if (request)
      throw new Error(`BatchGetItem left keys unprocessed after ${MAX_UNPROCESSED_ROUNDS} rounds`);
  }
  return found;
}
