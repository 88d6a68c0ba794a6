import { restError, restReply, routeParams, type AwsRequest, type Reply } from '../aws/wire';
import type { StandIn, StandInModule } from './types';

/** moto's account: every group belongs to it. */
const ACCOUNT = '123456789012';
/** https://docs.aws.amazon.com/ARG/latest/APIReference/API_CreateGroup.html (Name: 1-300 of these). */
const NAME = /^[a-zA-Z0-9_.-]{1,300}$/;
const TAGS = /^\/resources\/(?<arn>[^/]+)\/tags\/?$/;
const ROUTES: Readonly<Record<string, { method: string; path: RegExp }>> = {
  CreateGroup: { method: 'POST', path: /^\/groups\/?$/ },
  GetGroup: { method: 'POST', path: /^\/get-group\/?$/ },
  GetGroupQuery: { method: 'POST', path: /^\/get-group-query\/?$/ },
  GetGroupConfiguration: { method: 'POST', path: /^\/get-group-configuration\/?$/ },
  PutGroupConfiguration: { method: 'POST', path: /^\/put-group-configuration\/?$/ },
  UpdateGroup: { method: 'POST', path: /^\/update-group\/?$/ },
  DeleteGroup: { method: 'POST', path: /^\/delete-group\/?$/ },
  ListGroups: { method: 'POST', path: /^\/groups-list\/?$/ },
  GetTags: { method: 'GET', path: TAGS },
  Tag: { method: 'PUT', path: TAGS },
  Untag: { method: 'PATCH', path: TAGS },
  GroupResources: { method: 'POST', path: /^\/group-resources\/?$/ },
  UngroupResources: { method: 'POST', path: /^\/ungroup-resources\/?$/ },
  ListGroupResources: { method: 'POST', path: /^\/list-group-resources\/?$/ },
};

interface ConfigurationItem {
  readonly Type: string;
  readonly Parameters?: ReadonlyArray<{ readonly Name: string; readonly Values: string[] }>;
}

interface Group {
  readonly arn: string;
  readonly name: string;
  description?: string;
  readonly query?: Record<string, unknown>;
  configuration?: ConfigurationItem[];
  tags: Record<string, string>;
  /** Member ARNs, in the order they joined. */
  readonly members: string[];
}

const docs = (op: string) => `https://docs.aws.amazon.com/ARG/latest/APIReference/API_${op}.html`;
const badRequest = (message: string) => restError(400, 'BadRequestException', message);
const notFound = (group: string) =>
  restError(404, 'NotFoundException', `Cannot find group ${group}.`);

/** `Group` is a name or an ARN; the deprecated `GroupName` (which the provider still sends) a name. */
function groupNameIn(req: AwsRequest): string {
  const given = String(req.params.Group ?? req.params.GroupName ?? '');
  const at = given.indexOf(':group/');
  return at < 0 ? given : given.slice(at + ':group/'.length);
}

function parameter(group: Group, type: string, name: string): string[] {
  const item = group.configuration?.find((c) => c.Type === type);
  return item?.Parameters?.find((p) => p.Name === name)?.Values ?? [];
}

/** `arn:aws:ec2:…:capacity-reservation/cr-…` -> `AWS::EC2::CapacityReservation` (service and type). */
export function resourceType(arn: string): string {
  const [, , service = '', , , resource = ''] = arn.split(':');
  const type = resource.split('/')[0] ?? '';
  const pascal = (s: string) =>
    s
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('');
  return `AWS::${service.toUpperCase()}::${pascal(type)}`;
}

const groupView = (g: Group) => ({
  GroupArn: g.arn,
  Name: g.name,
  ...(g.description === undefined ? {} : { Description: g.description }),
});
/** Applied at once here: the configuration is UPDATE_COMPLETE as soon as it is stored. */
const configurationView = (g: Group) => ({
  Configuration: g.configuration,
  Status: 'UPDATE_COMPLETE',
});

/**
 * AWS Resource Groups, which moto 5.2 answers wrongly (a us-west-1 ARN whatever the Region, GetGroup reads
 * only the deprecated GroupName, no configuration Status) or not at all (GroupResources, UngroupResources,
 * ListGroupResources: 404). Groups live here, in the client's Region and moto's account, as the API reference
 * describes them; `deletion-protection UNLESS_EMPTY` refuses DeleteGroup while the group has members.
 */
export function resourceGroupsStandIns(): StandInModule {
  const groups = new Map<string, Group>();
  const op = (operation: string, handle: (req: AwsRequest) => Reply): StandIn => ({
    service: 'resource-groups',
    operation,
    docs: docs(operation),
    handle: (req) => Promise.resolve(handle(req)),
  });
  /** Runs `then` on the group the request names, or answers NotFoundException. */
  const withGroup =
    (then: (group: Group, req: AwsRequest) => Reply) =>
    (req: AwsRequest): Reply => {
      const name = groupNameIn(req);
      const group = groups.get(name);
      return group ? then(group, req) : notFound(name);
    };
  const byArn = (req: AwsRequest) =>
    [...groups.values()].find((g) => g.arn === routeParams(TAGS, req.path).arn);
  const arns = (req: AwsRequest) => (req.params.ResourceArns as string[] | undefined) ?? [];

  const standIns: StandIn[] = [
    op('CreateGroup', (req) => {
      const p = req.params;
      const name = String(p.Name ?? '');
      if (!NAME.test(name)) return badRequest(`Invalid group name ${JSON.stringify(name)}.`);
      if (groups.has(name)) return badRequest(`Cannot create group: group already exists.`);
      if (!p.ResourceQuery && !p.Configuration)
        return badRequest('A group needs a ResourceQuery or a Configuration.');
      const group: Group = {
        arn: `arn:aws:resource-groups:${req.region}:${ACCOUNT}:group/${name}`,
        name,
        ...(p.Description === undefined ? {} : { description: String(p.Description) }),
        ...(p.ResourceQuery ? { query: p.ResourceQuery as Record<string, unknown> } : {}),
        ...(p.Configuration ? { configuration: p.Configuration as ConfigurationItem[] } : {}),
        tags: { ...(p.Tags as Record<string, string> | undefined) },
        members: [],
      };
      groups.set(name, group);
      return restReply(200, {
        Group: groupView(group),
        ...(group.query ? { ResourceQuery: group.query } : {}),
        ...(group.configuration ? { GroupConfiguration: configurationView(group) } : {}),
        Tags: group.tags,
      });
    }),
    op(
      'GetGroup',
      withGroup((g) => restReply(200, { Group: groupView(g) })),
    ),
    // A configuration group has no query: BadRequestException, which the provider expects
    // (internal/service/resourcegroups/group.go, resourceGroupRead).
    op(
      'GetGroupQuery',
      withGroup((g) =>
        g.query
          ? restReply(200, { GroupQuery: { GroupName: g.name, ResourceQuery: g.query } })
          : badRequest(`Group ${g.name} has no resource query.`),
      ),
    ),
    op(
      'GetGroupConfiguration',
      withGroup((g) =>
        g.configuration
          ? restReply(200, { GroupConfiguration: configurationView(g) })
          : badRequest(`Group ${g.name} has no configuration.`),
      ),
    ),
    op(
      'PutGroupConfiguration',
      withGroup((g, req) => {
        g.configuration = (req.params.Configuration as ConfigurationItem[] | undefined) ?? [];
        return restReply(202, {});
      }),
    ),
    op(
      'UpdateGroup',
      withGroup((g, req) => {
        if (req.params.Description !== undefined) g.description = String(req.params.Description);
        return restReply(200, { Group: groupView(g) });
      }),
    ),
    op(
      'DeleteGroup',
      withGroup((g) => {
        // The reference names no error of its own for a protected group: BadRequestException is DeleteGroup's
        // documented answer to a request that breaks the group's rules.
        const protection = parameter(g, 'AWS::ResourceGroups::Generic', 'deletion-protection');
        if (protection.includes('UNLESS_EMPTY') && g.members.length > 0)
          return badRequest(
            `Group ${g.name} has deletion-protection UNLESS_EMPTY and ${g.members.length} member(s).`,
          );
        groups.delete(g.name);
        return restReply(200, { Group: groupView(g) });
      }),
    ),
    // For the deploy proof's inventory: every group, unfiltered, on one page.
    op('ListGroups', () => {
      const all = [...groups.values()];
      return restReply(200, {
        GroupIdentifiers: all.map((g) => ({ GroupName: g.name, GroupArn: g.arn })),
        Groups: all.map(groupView),
      });
    }),
    op('GetTags', (req) => {
      const g = byArn(req);
      return g
        ? restReply(200, { Arn: g.arn, Tags: g.tags })
        : notFound(routeParams(TAGS, req.path).arn ?? '');
    }),
    op('Tag', (req) => {
      const g = byArn(req);
      if (!g) return notFound(routeParams(TAGS, req.path).arn ?? '');
      const added = (req.params.Tags as Record<string, string> | undefined) ?? {};
      g.tags = { ...g.tags, ...added };
      return restReply(200, { Arn: g.arn, Tags: added });
    }),
    op('Untag', (req) => {
      const g = byArn(req);
      if (!g) return notFound(routeParams(TAGS, req.path).arn ?? '');
      const keys = (req.params.Keys as string[] | undefined) ?? [];
      g.tags = Object.fromEntries(Object.entries(g.tags).filter(([k]) => !keys.includes(k)));
      return restReply(200, { Arn: g.arn, Keys: keys });
    }),
    op(
      'GroupResources',
      withGroup((g, req) => {
        if (!g.configuration)
          return badRequest(`Group ${g.name} is a query group: its members follow the query.`);
        const allowed = parameter(g, 'AWS::ResourceGroups::Generic', 'allowed-resource-types');
        const fits = (arn: string) => allowed.length === 0 || allowed.includes(resourceType(arn));
        for (const arn of arns(req).filter(fits)) if (!g.members.includes(arn)) g.members.push(arn);
        return restReply(200, {
          Succeeded: arns(req).filter(fits),
          Failed: arns(req)
            .filter((arn) => !fits(arn))
            .map((arn) => ({
              ResourceArn: arn,
              ErrorCode: 'BadRequestException',
              ErrorMessage: `Group ${g.name} admits only ${allowed.join(', ')}, not ${resourceType(arn)}.`,
            })),
          Pending: [],
        });
      }),
    ),
    op(
      'UngroupResources',
      withGroup((g, req) => {
        const leaving = new Set(arns(req));
        g.members.splice(0, g.members.length, ...g.members.filter((a) => !leaving.has(a)));
        return restReply(200, { Succeeded: arns(req), Failed: [], Pending: [] });
      }),
    ),
    op(
      'ListGroupResources',
      withGroup((g, req) => {
        const max = Math.min(Number(req.params.MaxResults ?? 50), 50);
        const from = Number(req.params.NextToken ?? 0);
        const page = g.members.slice(from, from + max);
        const identifiers = page.map((arn) => ({
          ResourceArn: arn,
          ResourceType: resourceType(arn),
        }));
        const next = from + max < g.members.length ? { NextToken: String(from + max) } : {};
        return restReply(200, {
          Resources: identifiers.map((Identifier) => ({ Identifier })),
          ResourceIdentifiers: identifiers,
          QueryErrors: [],
          ...next,
        });
      }),
    ),
  ];
  return {
    routes: Object.entries(ROUTES).map(([operation, r]) => ({
      service: 'resource-groups',
      operation,
      ...r,
    })),
    standIns,
    fixUps: [],
  };
}
