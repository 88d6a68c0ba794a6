import {
  DescribeInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { TaggedVolume } from './volumes';

export type TaggedInstance = Instance & { readonly InstanceId: string };

/** DescribeInstances page size (the API allows 5 to 1000) and instance ids per filter in one call. */
const INSTANCE_PAGE_SIZE = 100;
const INSTANCE_IDS_PER_CALL = 100;

/**
 * Instances whose volumes can be snapshotted as a set: not `pending`, `shutting-down` or `terminated`
 * (instance states: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html).
 */
const SET_STATES = ['running', 'stopping', 'stopped'];

const setFilters = (instanceTagKey: string, extra: Filter[] = []): Filter[] => [
  { Name: 'tag-key', Values: [instanceTagKey] },
  { Name: 'instance-state-name', Values: SET_STATES },
  ...extra,
];

const instancesOf = (reservations: { Instances?: Instance[] }[] | undefined): TaggedInstance[] =>
  (reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .filter((i): i is TaggedInstance => typeof i.InstanceId === 'string');

/** One DescribeInstances page of the instances carrying the instance tag key, and the next page's token. */
export async function taggedInstancePage(
  ec2: EC2Client,
  instanceTagKey: string,
  pageToken: string | undefined,
): Promise<{ instances: TaggedInstance[]; next?: string }> {
  const page = await ec2.send(
    new DescribeInstancesCommand({
      Filters: setFilters(instanceTagKey),
      MaxResults: INSTANCE_PAGE_SIZE,
      ...(pageToken ? { NextToken: pageToken } : {}),
    }),
  );
  return {
    instances: instancesOf(page.Reservations),
    ...(page.NextToken ? { next: page.NextToken } : {}),
  };
}

/** Whether the set of `instance` includes the volume attached at `device` (the boot volume may be left out). */
const inSetOf = (instance: TaggedInstance, device: string | undefined, excludeBoot: boolean) =>
  !(excludeBoot && device !== undefined && device === instance.RootDeviceName);

/**
 * The volumes of the page that a crash-consistent set of a tagged instance snapshots (CreateSnapshots), so
 * the volume page leaves them out: each volume is snapshotted once. A boot volume the sets exclude
 * (`snapshot_instance_exclude_boot_volume`) stays with the volume page when it carries the volume tag.
 */
export async function volumesInSets(
  ec2: EC2Client,
  config: { readonly instanceTagKey: string; readonly excludeBootVolume: boolean },
  volumes: readonly TaggedVolume[],
): Promise<Set<string>> {
  const attached = [
    ...new Set(volumes.flatMap((v) => (v.Attachments ?? []).map((a) => a.InstanceId ?? ''))),
  ].filter((id) => id !== '');
  const tagged = new Map<string, TaggedInstance>();
  for (let i = 0; i < attached.length; i += INSTANCE_IDS_PER_CALL) {
    let NextToken: string | undefined;
    do {
      const ids = attached.slice(i, i + INSTANCE_IDS_PER_CALL);
      const page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: setFilters(config.instanceTagKey, [{ Name: 'instance-id', Values: ids }]),
          MaxResults: INSTANCE_PAGE_SIZE,
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      for (const instance of instancesOf(page.Reservations))
        tagged.set(instance.InstanceId, instance);
      NextToken = page.NextToken;
    } while (NextToken);
  }
  const inSets = new Set<string>();
  for (const v of volumes) {
    const member = (v.Attachments ?? []).some((a) => {
      const instance = tagged.get(a.InstanceId ?? '');
      return instance !== undefined && inSetOf(instance, a.Device, config.excludeBootVolume);
    });
    if (member) inSets.add(v.VolumeId);
  }
  return inSets;
}
