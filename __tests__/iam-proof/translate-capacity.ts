/**
 * IAM requests of the capacity reservation reserver's creating and grouping calls; spread into TRANSLATORS.
 * Helpers from translate.ts are used only when a call is translated.
 */
import { WORLD } from '../support/deployment';
import { ec2, NEW_RESOURCE_IDS, requestTagContext, str, type Translator } from './translate';

/** ec2:InstanceMatchCriteria is a condition key of CreateCapacityReservation (Service Authorization Reference). */
const createCapacityReservation: Translator = (input) => {
  const requestTags = requestTagContext(input.TagSpecifications, 'capacity-reservation');
  const created = ec2(`capacity-reservation/${NEW_RESOURCE_IDS.capacityReservation}`);
  const criteria: Record<string, string> =
    typeof input.InstanceMatchCriteria === 'string'
      ? { 'ec2:InstanceMatchCriteria': input.InstanceMatchCriteria }
      : {};
  return [
    {
      action: 'ec2:CreateCapacityReservation',
      resource: created,
      context: { ...requestTags, ...criteria },
    },
    ...(Object.keys(requestTags).length > 0
      ? [
          {
            action: 'ec2:CreateTags',
            resource: created,
            context: { ...requestTags, 'ec2:CreateAction': 'CreateCapacityReservation' },
          },
        ]
      : []),
  ];
};

/** GroupResources / UngroupResources are authorized on the group only (resource type `group`, no condition key). */
const onGroup =
  (action: string): Translator =>
  (input) => {
    const group = str(input, 'Group');
    return [
      {
        action,
        resource: group.startsWith('arn:')
          ? group
          : `arn:${WORLD.partition}:resource-groups:${WORLD.region}:${WORLD.account}:group/${group}`,
      },
    ];
  };

export const CAPACITY_TRANSLATORS: Record<string, Translator> = {
  'EC2Client.CreateCapacityReservation': createCapacityReservation,
  'ResourceGroupsClient.GroupResources': onGroup('resource-groups:GroupResources'),
  'ResourceGroupsClient.UngroupResources': onGroup('resource-groups:UngroupResources'),
};
