import type { Gap } from './gaps';

/** The capacity reservation group (capacity-reservations), kept apart for gaps.ts's length. Part of GAPS. */
export const RESOURCE_GROUPS_GAPS: readonly Gap[] = [
  {
    id: 'resource-groups-configuration-group',
    what: 'aws_resourcegroups_group with a configuration; Resource Groups GroupResources / UngroupResources / ListGroupResources',
    reason: 'moto lacks it',
    detail:
      "moto 5.2 makes the group's ARN in us-west-1 whatever the Region, its GetGroup reads only the deprecated GroupName and answers NotFound, its GetGroupConfiguration has no Status (the provider waits for UPDATE_COMPLETE until it fails), and GroupResources, UngroupResources and ListGroupResources answer 404. The capacity reservation group and its members live in the stand-in instead, in the client's Region and moto's account; DeleteGroup is refused while members exist under deletion-protection UNLESS_EMPTY.",
    handling: [
      {
        kind: 'stand-in',
        service: 'resource-groups',
        operations: [
          'CreateGroup',
          'GetGroup',
          'GetGroupQuery',
          'GetGroupConfiguration',
          'PutGroupConfiguration',
          'UpdateGroup',
          'DeleteGroup',
          'ListGroups',
          'GetTags',
          'Tag',
          'Untag',
          'GroupResources',
          'UngroupResources',
          'ListGroupResources',
        ],
      },
      { kind: 'inventory', detail: 'lists the groups through the stand-in (ListGroups)' },
    ],
    coveredBy: [
      '__tests__/capacity-reservations/stack.group.test.ts: is a launch target that admits Capacity Reservations only and is not deleted while it has members',
      '__tests__/proof/deploy/stand-ins-resource-groups.test.ts',
    ],
  },
];
