// Readers of moto's listings that take several calls or some care; inventory.ts combines them.
import { jsonCall, queryCall } from './aws/call';
import { find, type XmlElement } from './aws/xml';

type Json = Record<string, unknown>;

/** Direct children of the first `set` element (`<vpcSet><item>…`). */
export function items(root: XmlElement, set: string): XmlElement[] {
  return find(root, set)?.children ?? [];
}

export function field(item: XmlElement, name: string): string {
  return item.children.find((c) => c.name === name)?.text.trim() ?? '';
}

export const ec2 = (endpoint: string, action: string, params: Json = {}) =>
  queryCall(endpoint, 'ec2', '2016-11-15', action, params);
export const iam = (endpoint: string, action: string) =>
  queryCall(endpoint, 'iam', '2010-05-08', action, { MaxItems: 1000 });

/** EC2 list: `set` > item > `id`, skipping items whose `state` field is in `gone`. */
export async function ec2List(
  endpoint: string,
  action: string,
  set: string,
  id: string,
  gone: string[] = [],
  state = 'state',
): Promise<string[]> {
  const root = await ec2(endpoint, action);
  return items(root, set)
    .filter((i) => !gone.includes(field(i, state)))
    .map((i) => field(i, id));
}

export async function routeTablesAndAssociations(endpoint: string): Promise<string[]> {
  const root = await ec2(endpoint, 'DescribeRouteTables');
  return items(root, 'routeTableSet').flatMap((table) => [
    field(table, 'routeTableId'),
    ...items(table, 'associationSet').map((a) => field(a, 'routeTableAssociationId')),
  ]);
}

export async function kmsKeys(endpoint: string): Promise<string[]> {
  const { Keys = [] } = await jsonCall<{ Keys?: Array<{ KeyId: string }> }>(
    endpoint,
    'kms',
    'TrentService.ListKeys',
  );
  const { Aliases = [] } = await jsonCall<{
    Aliases?: Array<{ AliasName: string; TargetKeyId?: string }>;
  }>(endpoint, 'kms', 'TrentService.ListAliases');
  // Keys behind alias/aws/* are the account's AWS managed keys (aws/secretsmanager, aws/ebs), which moto
  // makes on first use as customer keys; AWS never deletes them.
  const awsManaged = new Set(
    Aliases.filter((a) => a.AliasName.startsWith('alias/aws/')).map((a) => a.TargetKeyId),
  );
  const live: string[] = [];
  for (const { KeyId } of Keys.filter((k) => !awsManaged.has(k.KeyId))) {
    const { KeyMetadata } = await jsonCall<{
      KeyMetadata: { KeyState: string; KeyManager: string };
    }>(endpoint, 'kms', 'TrentService.DescribeKey', { KeyId });
    // A deleted key waits 7-30 days in PendingDeletion; that is what "deleted" means in KMS. AWS-managed
    // keys (aws/dynamodb, made for a table's encryption) belong to the account, not to a stack.
    if (KeyMetadata.KeyState !== 'PendingDeletion' && KeyMetadata.KeyManager === 'CUSTOMER') {
      live.push(KeyId);
    }
  }
  return live;
}

export async function ecsObjects(
  endpoint: string,
  capacityProviders: readonly string[],
): Promise<Record<string, string[]>> {
  const target = (op: string) => `AmazonEC2ContainerServiceV20141113.${op}`;
  const { clusterArns = [] } = await jsonCall<{ clusterArns?: string[] }>(
    endpoint,
    'ecs',
    target('ListClusters'),
  );
  // A deleted cluster or service stays describable as INACTIVE for a while (API_DeleteCluster,
  // API_DeleteService): only ACTIVE (and DRAINING) ones exist.
  const { clusters = [] } =
    clusterArns.length === 0
      ? {}
      : await jsonCall<{ clusters?: Array<{ clusterArn: string; status: string }> }>(
          endpoint,
          'ecs',
          target('DescribeClusters'),
          { clusters: clusterArns },
        );
  const active = clusters.filter((c) => c.status === 'ACTIVE').map((c) => c.clusterArn);
  const services: string[] = [];
  for (const cluster of clusterArns) {
    const { serviceArns = [] } = await jsonCall<{ serviceArns?: string[] }>(
      endpoint,
      'ecs',
      target('ListServices'),
      { cluster },
    );
    for (let i = 0; i < serviceArns.length; i += 10) {
      const { services: found = [] } = await jsonCall<{
        services?: Array<{ serviceArn: string; status: string }>;
      }>(endpoint, 'ecs', target('DescribeServices'), {
        cluster,
        services: serviceArns.slice(i, i + 10),
      });
      services.push(...found.filter((s) => s.status !== 'INACTIVE').map((s) => s.serviceArn));
    }
  }
  const { taskDefinitionArns = [] } = await jsonCall<{ taskDefinitionArns?: string[] }>(
    endpoint,
    'ecs',
    target('ListTaskDefinitions'),
    { status: 'ACTIVE' },
  );
  // moto answers DescribeCapacityProviders only for names (AWS lists all without): ask for the known ones.
  const { capacityProviders: providers = [] } =
    capacityProviders.length === 0
      ? {}
      : await jsonCall<{
          capacityProviders?: Array<{ capacityProviderArn: string; name: string }>;
        }>(endpoint, 'ecs', target('DescribeCapacityProviders'), { capacityProviders });
  return {
    'ecs:clusters': active,
    'ecs:services': services,
    'ecs:task-definitions': taskDefinitionArns,
    'ecs:capacity-providers': providers.map((p) => p.capacityProviderArn),
  };
}

export async function elbv2Objects(endpoint: string): Promise<Record<string, string[]>> {
  const call = (action: string, params: Json = {}) =>
    queryCall(endpoint, 'elasticloadbalancing', '2015-12-01', action, params);
  const balancers = items(await call('DescribeLoadBalancers'), 'LoadBalancers').map((b) =>
    field(b, 'LoadBalancerArn'),
  );
  const listeners: string[] = [];
  const rules: string[] = [];
  for (const arn of balancers) {
    const found = items(await call('DescribeListeners', { LoadBalancerArn: arn }), 'Listeners');
    for (const listener of found.map((l) => field(l, 'ListenerArn'))) {
      listeners.push(listener);
      const ruleItems = items(await call('DescribeRules', { ListenerArn: listener }), 'Rules');
      rules.push(
        ...ruleItems
          .filter((r) => field(r, 'IsDefault') !== 'true')
          .map((r) => field(r, 'RuleArn')),
      );
    }
  }
  const groups = items(await call('DescribeTargetGroups'), 'TargetGroups').map((g) =>
    field(g, 'TargetGroupArn'),
  );
  return {
    'elbv2:load-balancers': balancers,
    'elbv2:listeners': listeners,
    'elbv2:rules': rules,
    'elbv2:target-groups': groups,
  };
}

export async function instances(endpoint: string): Promise<Array<{ id: string; gone: boolean }>> {
  const root = await ec2(endpoint, 'DescribeInstances');
  return items(root, 'reservationSet')
    .flatMap((r) => items(r, 'instancesSet'))
    .map((i) => {
      const state = i.children.find((c) => c.name === 'instanceState');
      const name = state ? field(state, 'name') : '';
      return {
        id: field(i, 'instanceId'),
        gone: name === 'terminated' || name === 'shutting-down',
      };
    });
}
