import type { Reply } from '../aws/wire';
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
    ],
  };
}
