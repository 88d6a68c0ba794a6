import { ec2Error, type AwsRequest, type Reply } from '../aws/wire';
import { findAll, parseXml, serializeXml, textOf } from '../aws/xml';
import type { StandInModule } from './types';

/** Removes `launch-template` entries from every launchTemplateData's tag specifications. */
export function dropTemplateTagsFromData(body: string): string {
  const root = parseXml(body);
  for (const data of findAll(root, 'launchTemplateData')) {
    const set = data.children.find((c) => c.name === 'tagSpecificationSet');
    if (!set) continue;
    const kept = set.children.filter((item) => textOf(item, 'resourceType') !== 'launch-template');
    set.children.splice(0, set.children.length, ...kept);
    if (kept.length === 0) data.children.splice(data.children.indexOf(set), 1);
  }
  return serializeXml(root);
}

/**
 * The most volumes one DescribeVolumes page of the emulator holds, whatever MaxResults asks: AWS may return
 * fewer items than MaxResults with a NextToken (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html#api-pagination),
 * and a small page lets a test cross pages with a dozen volumes.
 */
export const VOLUME_PAGE_CAP = 10;

/**
 * moto returns every volume in one answer and ignores MaxResults and NextToken; AWS pages them (MaxResults
 * 5 to 500, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html). The token is
 * the offset of the next item (moto keeps volumes in creation order).
 */
export function pageVolumes(req: AwsRequest, reply: Reply): Reply {
  const max = req.params.MaxResults === undefined ? undefined : Number(req.params.MaxResults);
  const token = req.params.NextToken;
  if (reply.status !== 200 || (max === undefined && token === undefined)) return reply;
  if (max !== undefined && !(max >= 5 && max <= 500)) {
    return ec2Error(400, 'InvalidParameterValue', `MaxResults ${max} must be between 5 and 500`);
  }
  const start =
    token === undefined ? 0 : Number(Buffer.from(String(token), 'base64url').toString());
  if (!Number.isInteger(start) || start < 0) {
    return ec2Error(400, 'InvalidNextToken', `The token '${String(token)}' is invalid`);
  }
  const root = parseXml(reply.body);
  const set = root.children.find((c) => c.name === 'volumeSet');
  if (!set) return reply;
  const size = Math.min(max ?? 500, VOLUME_PAGE_CAP);
  const all = set.children.splice(0, set.children.length);
  set.children.push(...all.slice(start, start + size));
  if (start + size < all.length) {
    const next = Buffer.from(String(start + size)).toString('base64url');
    root.children.push({ name: 'nextToken', attributes: '', children: [], text: next });
  }
  return { ...reply, body: serializeXml(root) };
}

/**
 * EC2 launch templates: moto copies the tags of the template itself (CreateLaunchTemplate's TagSpecifications
 * of type launch-template) into the template data's TagSpecifications, where AWS only has the types the data
 * tags at launch (instance, volume, network-interface, spot-instances-request:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateTagSpecificationRequest.html).
 * Every re-plan would update the template, and through its version every Auto Scaling group using it.
 */
export function ec2StandIns(): StandInModule {
  return {
    standIns: [],
    fixUps: [
      {
        service: 'ec2',
        operation: 'DescribeLaunchTemplateVersions',
        docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html',
        fix: (_req, reply: Reply) =>
          reply.status === 200 ? { ...reply, body: dropTemplateTagsFromData(reply.body) } : reply,
      },
      {
        service: 'ec2',
        operation: 'DescribeVolumes',
        docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumes.html',
        fix: pageVolumes,
      },
    ],
  };
}
