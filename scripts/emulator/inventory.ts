import { jsonCall, queryCall, restCall } from './aws/call';
import {
  ec2,
  ec2List,
  ecsObjects,
  elbv2Objects,
  field,
  iam,
  instances,
  items,
  kmsKeys,
  routeTablesAndAssociations,
} from './inventory-readers';

type Json = Record<string, unknown>;

/**
 * What the emulator holds, read through moto's own APIs (not the state file): per kind, the identifiers of
 * every live object. Taken before apply (moto's defaults: the default VPC and its subnets), after apply (every
 * applied resource must be seen: the inventory can fail) and after destroy (anything new is a leftover).
 */
export type Inventory = Record<string, string[]>;

/**
 * Every kind, read in parallel. `capacityProviders`: ECS capacity provider names to look for (moto cannot list
 * them all). `standIns`: the stand-in proxy in front of moto, for what only a stand-in holds (ECR pull through
 * cache rules). A kind that cannot be read lists `!error: …`, which no check accepts.
 */
export async function takeInventory(
  endpoint: string,
  capacityProviders: readonly string[] = [],
  standIns = endpoint,
): Promise<Inventory> {
  const list = async (kind: string, read: () => Promise<string[]>) => {
    try {
      return { [kind]: await read() };
    } catch (error) {
      return { [kind]: [`!error: ${error instanceof Error ? error.message : String(error)}`] };
    }
  };
  const appScaling = (op: string, body: Json) =>
    jsonCall<Json>(endpoint, 'application-autoscaling', `AnyScaleFrontendService.${op}`, body);
  const parts = await Promise.all([
    list('ec2:vpcs', () => ec2List(endpoint, 'DescribeVpcs', 'vpcSet', 'vpcId')),
    list('ec2:subnets', () => ec2List(endpoint, 'DescribeSubnets', 'subnetSet', 'subnetId')),
    list('ec2:route-tables', () => routeTablesAndAssociations(endpoint)),
    list('ec2:internet-gateways', () =>
      ec2List(endpoint, 'DescribeInternetGateways', 'internetGatewaySet', 'internetGatewayId'),
    ),
    list('ec2:nat-gateways', () =>
      ec2List(endpoint, 'DescribeNatGateways', 'natGatewaySet', 'natGatewayId', ['deleted']),
    ),
    list('ec2:addresses', () =>
      ec2List(endpoint, 'DescribeAddresses', 'addressesSet', 'allocationId'),
    ),
    list('ec2:security-groups', () =>
      ec2List(endpoint, 'DescribeSecurityGroups', 'securityGroupInfo', 'groupId'),
    ),
    list('ec2:security-group-rules', () =>
      ec2List(
        endpoint,
        'DescribeSecurityGroupRules',
        'securityGroupRuleSet',
        'securityGroupRuleId',
      ),
    ),
    list('ec2:vpc-endpoints', () =>
      ec2List(endpoint, 'DescribeVpcEndpoints', 'vpcEndpointSet', 'vpcEndpointId', [
        'deleted',
        'Deleted',
      ]),
    ),
    list('ec2:launch-templates', () =>
      ec2List(endpoint, 'DescribeLaunchTemplates', 'launchTemplates', 'launchTemplateId'),
    ),
    list('ec2:network-interfaces', async () => {
      const terminated = new Set(
        (await instances(endpoint)).filter((i) => i.gone).map((i) => i.id),
      );
      const root = await ec2(endpoint, 'DescribeNetworkInterfaces');
      // moto keeps a terminated instance's primary interface, attached (AWS deletes it with the instance).
      return items(root, 'networkInterfaceSet')
        .filter((eni) => {
          const attachment = eni.children.find((c) => c.name === 'attachment');
          return !(attachment && terminated.has(field(attachment, 'instanceId')));
        })
        .map((eni) => field(eni, 'networkInterfaceId'));
    }),
    list('ec2:instances', async () =>
      (await instances(endpoint)).filter((i) => !i.gone).map((i) => i.id),
    ),
    list('secretsmanager:secrets', async () => {
      const out = await jsonCall<{ SecretList?: Array<{ Name: string }> }>(
        endpoint,
        'secretsmanager',
        'secretsmanager.ListSecrets',
      );
      return (out.SecretList ?? []).map((secret) => secret.Name);
    }),
    list('iam:roles', async () =>
      items(await iam(endpoint, 'ListRoles'), 'Roles').map((r) => field(r, 'RoleName')),
    ),
    list('iam:instance-profiles', async () =>
      items(await iam(endpoint, 'ListInstanceProfiles'), 'InstanceProfiles').map((p) =>
        field(p, 'InstanceProfileName'),
      ),
    ),
    list('lambda:functions', async () => {
      const out = await restCall<{ Functions?: Array<{ FunctionName: string }> }>(
        endpoint,
        'lambda',
        'GET',
        '/2015-03-31/functions/',
      );
      return (out.Functions ?? []).map((f) => f.FunctionName);
    }),
    list('lambda:event-source-mappings', async () => {
      const out = await restCall<{ EventSourceMappings?: Array<{ UUID: string }> }>(
        endpoint,
        'lambda',
        'GET',
        '/2015-03-31/event-source-mappings/',
      );
      return (out.EventSourceMappings ?? []).map((m) => m.UUID);
    }),
    list('logs:log-groups', async () => {
      const out = await jsonCall<{ logGroups?: Array<{ logGroupName: string }> }>(
        endpoint,
        'logs',
        'Logs_20140328.DescribeLogGroups',
      );
      return (out.logGroups ?? []).map((g) => g.logGroupName);
    }),
    list('cloudwatch:alarms', async () => {
      const root = await queryCall(endpoint, 'monitoring', '2010-08-01', 'DescribeAlarms');
      return items(root, 'MetricAlarms').map((a) => field(a, 'AlarmName'));
    }),
    list('cloudwatch:dashboards', async () => {
      const root = await queryCall(endpoint, 'monitoring', '2010-08-01', 'ListDashboards');
      return items(root, 'DashboardEntries').map((d) => field(d, 'DashboardName'));
    }),
    list('events:rules', async () => {
      const out = await jsonCall<{ Rules?: Array<{ Name: string }> }>(
        endpoint,
        'events',
        'AWSEvents.ListRules',
      );
      return (out.Rules ?? []).map((r) => r.Name);
    }),
    list('sns:topics', async () => {
      const root = await queryCall(endpoint, 'sns', '2010-03-31', 'ListTopics');
      return items(root, 'Topics').map((t) => field(t, 'TopicArn'));
    }),
    list('sns:subscriptions', async () => {
      const root = await queryCall(endpoint, 'sns', '2010-03-31', 'ListSubscriptions');
      return items(root, 'Subscriptions').map((s) => field(s, 'SubscriptionArn'));
    }),
    list('sqs:queues', async () => {
      const out = await jsonCall<{ QueueUrls?: string[] }>(
        endpoint,
        'sqs',
        'AmazonSQS.ListQueues',
        {},
        '1.0',
      );
      // By name: moto builds queue URLs from the Host header, which differs between the proxy and moto.
      return (out.QueueUrls ?? []).map((u) => u.slice(u.lastIndexOf('/') + 1));
    }),
    list('kms:keys', () => kmsKeys(endpoint)),
    list('kms:aliases', async () => {
      const out = await jsonCall<{ Aliases?: Array<{ AliasName: string; TargetKeyId?: string }> }>(
        endpoint,
        'kms',
        'TrentService.ListAliases',
      );
      // AWS-managed aliases (alias/aws/*) exist without a key until first use.
      return (out.Aliases ?? [])
        .filter((a) => !a.AliasName.startsWith('alias/aws/'))
        .map((a) => a.AliasName);
    }),
    list('dynamodb:tables', async () => {
      const out = await jsonCall<{ TableNames?: string[] }>(
        endpoint,
        'dynamodb',
        'DynamoDB_20120810.ListTables',
        {},
        '1.0',
      );
      return out.TableNames ?? [];
    }),
    list('rds:clusters', async () => {
      const root = await queryCall(endpoint, 'rds', '2014-10-31', 'DescribeDBClusters');
      return items(root, 'DBClusters').map((c) => field(c, 'DBClusterIdentifier'));
    }),
    list('rds:instances', async () => {
      const root = await queryCall(endpoint, 'rds', '2014-10-31', 'DescribeDBInstances');
      return items(root, 'DBInstances').map((i) => field(i, 'DBInstanceIdentifier'));
    }),
    list('rds:subnet-groups', async () => {
      const root = await queryCall(endpoint, 'rds', '2014-10-31', 'DescribeDBSubnetGroups');
      return items(root, 'DBSubnetGroups').map((g) => field(g, 'DBSubnetGroupName'));
    }),
    list('rds:cluster-snapshots', async () => {
      const root = await queryCall(endpoint, 'rds', '2014-10-31', 'DescribeDBClusterSnapshots');
      return items(root, 'DBClusterSnapshots').map((s) => field(s, 'DBClusterSnapshotIdentifier'));
    }),
    list('autoscaling:groups', async () => {
      const root = await queryCall(
        endpoint,
        'autoscaling',
        '2011-01-01',
        'DescribeAutoScalingGroups',
      );
      return items(root, 'AutoScalingGroups').map((g) => field(g, 'AutoScalingGroupName'));
    }),
    list('autoscaling:policies', async () => {
      const root = await queryCall(endpoint, 'autoscaling', '2011-01-01', 'DescribePolicies');
      return items(root, 'ScalingPolicies').map((p) => field(p, 'PolicyName'));
    }),
    list('appautoscaling:targets', async () => {
      const out = await appScaling('DescribeScalableTargets', { ServiceNamespace: 'ecs' });
      return ((out.ScalableTargets as Json[] | undefined) ?? []).map((t) => String(t.ResourceId));
    }),
    list('appautoscaling:policies', async () => {
      const out = await appScaling('DescribeScalingPolicies', { ServiceNamespace: 'ecs' });
      return ((out.ScalingPolicies as Json[] | undefined) ?? []).map((p) => String(p.PolicyName));
    }),
    list('sfn:state-machines', async () => {
      const out = await jsonCall<{ stateMachines?: Array<{ stateMachineArn: string }> }>(
        endpoint,
        'states',
        'AWSStepFunctions.ListStateMachines',
        {},
        '1.0',
      );
      return (out.stateMachines ?? []).map((m) => m.stateMachineArn);
    }),
    list('scheduler:schedules', async () => {
      const path = '/schedules?MaxResults=100';
      const out = await restCall<{ Schedules?: Array<{ Name: string }> }>(
        endpoint,
        'scheduler',
        'GET',
        path,
      );
      return (out.Schedules ?? []).map((s) => s.Name);
    }),
    list('ecr:pull-through-cache-rules', async () => {
      // Answered by the ECR stand-in: moto 5.2 has no pull through cache rules.
      const out = await jsonCall<{
        pullThroughCacheRules?: Array<{ ecrRepositoryPrefix: string }>;
      }>(standIns, 'ecr', 'AmazonEC2ContainerRegistry_V20150921.DescribePullThroughCacheRules');
      return (out.pullThroughCacheRules ?? []).map((r) => r.ecrRepositoryPrefix);
    }),
    list('resource-groups:groups', async () => {
      // Answered by the Resource Groups stand-in (moto 5.2 cannot hold a configuration group).
      const out = await restCall<{ GroupIdentifiers?: Array<{ GroupName: string }> }>(
        standIns,
        'resource-groups',
        'POST',
        '/groups-list',
        {},
      );
      return (out.GroupIdentifiers ?? []).map((g) => g.GroupName);
    }),
    ecsObjects(endpoint, capacityProviders).catch((e: unknown) => ({
      'ecs:*': [`!error: ${String(e)}`],
    })),
    elbv2Objects(endpoint).catch((e: unknown) => ({ 'elbv2:*': [`!error: ${String(e)}`] })),
  ]);
  return Object.assign({}, ...parts) as Inventory;
}

/** What `after` holds that `before` did not, per kind. */
export function inventoryDiff(before: Inventory, after: Inventory): Inventory {
  const out: Inventory = {};
  for (const [kind, ids] of Object.entries(after)) {
    const known = new Set(before[kind] ?? []);
    const added = ids.filter((id) => !known.has(id));
    if (added.length > 0) out[kind] = added;
  }
  return out;
}
