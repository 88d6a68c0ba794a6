import { arn, managedBy, resourceName, WORLD } from '../support/deployment';
import { decide, deployedSubjects, type IamRequest, type ProofSubject } from './engine';
import { STATE_MACHINE_SUBJECT } from '../../stacks/redshift-resize/stack';
import { synthStack } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';
import { substitute } from './engine';
import { literalWildcardPatchApplied } from './translate';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

// The conditions must bite: requests the handlers never make are denied.
const subjects = new Map(deployedSubjects().map((s) => [s.name, s]));
function subject(name: string): ProofSubject {
  const s = subjects.get(name);
  if (!s) throw new Error(`no IAM subject ${name}`);
  return s;
}
const snapshot = `arn:aws:ec2:${WORLD.region}::snapshot/snap-0123456789abcdef0`;
const MANAGED = managedBy('ebs-snapshot-lifecycle');

describe('EBS snapshot policies', () => {
  test('delete is denied on a snapshot without the managed-by tag', async () => {
    await expect(
      decide(subject('ebs-snapshot-delete').policy, {
        action: 'ec2:DeleteSnapshot',
        resource: snapshot,
      }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('delete is denied on a snapshot managed by another deployment', async () => {
    const request = {
      action: 'ec2:DeleteSnapshot',
      resource: snapshot,
      context: { 'aws:ResourceTag/managed-by': 'someone-else' },
    };
    await expect(decide(subject('ebs-snapshot-delete').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('delete is allowed on a managed snapshot', async () => {
    const request = {
      action: 'ec2:DeleteSnapshot',
      resource: snapshot,
      context: { 'aws:ResourceTag/managed-by': MANAGED },
    };
    await expect(decide(subject('ebs-snapshot-delete').policy, request)).resolves.toBe('Allowed');
  });

  test('create is denied without the managed-by request tag', async () => {
    const request = {
      action: 'ec2:CreateSnapshot',
      resource: `arn:aws:ec2:${WORLD.region}::snapshot/*`,
      context: {},
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('create is denied on a volume without the snapshot tag key', async () => {
    const request = {
      action: 'ec2:CreateSnapshot',
      resource: `arn:aws:ec2:${WORLD.region}:${WORLD.account}:volume/vol-0123456789abcdef0`,
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('tagging is denied outside snapshot creation', async () => {
    const request = {
      action: 'ec2:CreateTags',
      resource: snapshot,
      context: { 'ec2:CreateAction': 'CreateVolume' },
    };
    await expect(decide(subject('ebs-snapshot-create').policy, request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });
});

describe('capacity reservation policies', () => {
  const RESERVER = 'capacity-reservation-reserver';
  const CAPACITY_MANAGED = managedBy('capacity-reservations');
  const reservation = arn('ec2', 'capacity-reservation/cr-0123456789abcdef0');
  const anyReservation = arn('ec2', 'capacity-reservation/*');
  const secret = arn(
    'secretsmanager',
    'secret:rds!cluster-a1b2c3d4-5678-90ab-cdef-EXAMPLE11111-AbCdEf',
  );
  const ourCluster = arn('rds', `cluster:${resourceName('capacity-reservations')}`);
  const decideFor = (request: IamRequest) => decide(subject(RESERVER).policy, request);

  test.each(['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'])(
    '%s is denied on a reservation without the managed-by tag',
    async (action) => {
      await expect(decideFor({ action, resource: reservation })).resolves.toBe('ImplicitlyDenied');
    },
  );

  test.each(['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'])(
    '%s is denied on a reservation managed by another deployment',
    async (action) => {
      const request = {
        action,
        resource: reservation,
        context: { 'aws:ResourceTag/managed-by': managedBy('other-stack') },
      };
      await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
    },
  );

  test.each(['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'])(
    '%s is allowed on a managed reservation',
    async (action) => {
      const request = {
        action,
        resource: reservation,
        context: { 'aws:ResourceTag/managed-by': CAPACITY_MANAGED },
      };
      await expect(decideFor(request)).resolves.toBe('Allowed');
    },
  );

  test('create is denied without the managed-by request tag', async () => {
    const request = { action: 'ec2:CreateCapacityReservation', resource: anyReservation };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('create is denied with another deployment in the managed-by request tag', async () => {
    const request = {
      action: 'ec2:CreateCapacityReservation',
      resource: anyReservation,
      context: { 'aws:RequestTag/managed-by': managedBy('other-stack') },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('create with the managed-by request tag, and tagging at creation, are allowed', async () => {
    const tags = { 'aws:RequestTag/managed-by': CAPACITY_MANAGED };
    await expect(
      decideFor({
        action: 'ec2:CreateCapacityReservation',
        resource: anyReservation,
        context: tags,
      }),
    ).resolves.toBe('Allowed');
    await expect(
      decideFor({
        action: 'ec2:CreateTags',
        resource: anyReservation,
        context: { ...tags, 'ec2:CreateAction': 'CreateCapacityReservation' },
      }),
    ).resolves.toBe('Allowed');
  });

  test('tagging a reservation is denied outside its creation', async () => {
    const request = {
      action: 'ec2:CreateTags',
      resource: reservation,
      context: { 'aws:RequestTag/managed-by': CAPACITY_MANAGED },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('reading the master secret of another cluster is denied', async () => {
    const request = {
      action: 'secretsmanager:GetSecretValue',
      resource: secret,
      context: {
        'aws:ResourceTag/aws:rds:primaryDBClusterArn': arn('rds', 'cluster:someone-else'),
      },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('reading a secret RDS does not manage is denied, even with the cluster tag', async () => {
    const request = {
      action: 'secretsmanager:GetSecretValue',
      resource: arn('secretsmanager', 'secret:app/db-password-AbCdEf'),
      context: { 'aws:ResourceTag/aws:rds:primaryDBClusterArn': ourCluster },
    };
    await expect(decideFor(request)).resolves.toBe('ImplicitlyDenied');
  });

  test('reading our cluster master secret is allowed', async () => {
    const request = {
      action: 'secretsmanager:GetSecretValue',
      resource: secret,
      context: { 'aws:ResourceTag/aws:rds:primaryDBClusterArn': ourCluster },
    };
    await expect(decideFor(request)).resolves.toBe('Allowed');
  });
});

describe('ECS container instance role', () => {
  const cluster = resourceName('ecs-spot-api');
  const own = arn('ecs', `cluster/${cluster}`);
  const otherCluster = arn('ecs', 'cluster/someone-elses');
  const role = () => subject('ecs-spot-api-instance-role').policy;

  test('an instance may not register with another cluster', async () => {
    const request = { action: 'ecs:RegisterContainerInstance', resource: otherCluster };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('an instance may not poll for another cluster', async () => {
    const request = {
      action: 'ecs:Poll',
      resource: arn('ecs', 'container-instance/someone-elses/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7'),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('draining needs the ecs:cluster of its own cluster', async () => {
    const request = {
      action: 'ecs:UpdateContainerInstancesState',
      resource: arn('ecs', `container-instance/${cluster}/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7`),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(role(), { ...request, context: { 'ecs:cluster': own } })).resolves.toBe(
      'Allowed',
    );
  });

  test('images come only from this account and region', async () => {
    const request = {
      action: 'ecr:BatchGetImage',
      resource: `arn:aws:ecr:${WORLD.region}:210987654321:repository/app`,
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('logs go only to the service log group', async () => {
    const request = {
      action: 'logs:PutLogEvents',
      resource: arn('logs', 'log-group:/aws/lambda/other:log-stream:x'),
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('the other ECS stack has its own cluster', async () => {
    const request = { action: 'ecs:RegisterContainerInstance', resource: own };
    await expect(
      decide(subject('ecs-autoscaling-drain-instance-role').policy, request),
    ).resolves.toBe('ImplicitlyDenied');
  });
});

describe('ECS drain policy', () => {
  const drain = () => subject('ecs-drain-drain').policy;
  const cluster = resourceName('ecs');
  const otherCluster = arn('ecs', 'cluster/someone-elses');

  test('stopping a task of another cluster is denied', async () => {
    const request = {
      action: 'ecs:StopTask',
      resource: arn('ecs', 'task/someone-elses/9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d'),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('draining a container instance needs its cluster to be ours', async () => {
    const request = {
      action: 'ecs:UpdateContainerInstancesState',
      resource: arn('ecs', `container-instance/${cluster}/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7`),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('lifecycle actions of another Auto Scaling group are denied', async () => {
    const request = {
      action: 'autoscaling:CompleteLifecycleAction',
      resource: arn(
        'autoscaling',
        'autoScalingGroup:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:autoScalingGroupName/other-asg',
      ),
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('re-checks go only to its own queue', async () => {
    const request = {
      action: 'sqs:SendMessage',
      resource: arn('sqs', resourceName('other-queue')),
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('it may not publish to SNS at all', async () => {
    const request = {
      action: 'sns:Publish',
      resource: arn('sns', resourceName('ecs-drain-lifecycle')),
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('redshift resize policies', () => {
  const CLUSTER = resourceName('analytics');
  const otherCluster = arn('redshift', 'cluster:someone-elses-cluster');
  const listed = [
    arn('dms', 'task:LISTEDCDCTASK000000000001'),
    arn('dms', 'task:LISTEDCDCTASK000000000002'),
  ];
  const unlisted = arn('dms', 'task:SOMEONEELSESTASK000000001');
  const policyOf = (name: string) => subject(name).policy;
  /** The replication policy as deployed in list mode (terraform.tfvars.example is in endpoint mode). */
  function listModeReplicationPolicy(): ProofSubject['policy'] {
    const { stack, json } = synthStack('redshift-resize');
    const replication = stack.iamSubjects.find((s) => s.name === 'redshift-resize-replication');
    if (!replication) throw new Error('no replication subject');
    const text = json.resource.aws_iam_role_policy?.[stack.getLogicalId(replication.policy)]
      ?.policy as string;
    return JSON.parse(
      substitute(text, json, {
        ...readTfvarsExample(),
        redshift_replication_task_arns: listed,
        redshift_dms_target_endpoint_arn: '',
      }),
    ) as ProofSubject['policy'];
  }

  beforeAll(async () => {
    // DMS task ARNs can only be simulated once translate.ts has patched the DMS resource-type patterns.
    await expect(literalWildcardPatchApplied).resolves.toContain('replicationtask');
  });

  test('the trigger cannot start another state machine', async () => {
    const request = {
      action: 'states:StartExecution',
      resource: arn('states', `stateMachine:${resourceName('some-other-workflow')}`),
    };
    await expect(decide(policyOf('redshift-resize-trigger'), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('the trigger cannot stop a resize execution', async () => {
    const request = {
      action: 'states:StopExecution',
      resource: arn('states', `execution:${resourceName('redshift-resize')}:some-run`),
    };
    await expect(decide(policyOf('redshift-resize-trigger'), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test.each([
    ['redshift-resize-guard', 'redshift:DescribeClusters'],
    ['redshift-resize-resize', 'redshift:ResizeCluster'],
  ])('%s cannot use %s on another cluster', async (name, action) => {
    await expect(decide(policyOf(name), { action, resource: otherCluster })).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('the guard cannot resize, even its own cluster', async () => {
    const request = {
      action: 'redshift:ResizeCluster',
      resource: arn('redshift', `cluster:${CLUSTER}`),
    };
    await expect(decide(policyOf('redshift-resize-guard'), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('in list mode, replication cannot stop or start a task outside the list', async () => {
    const policy = listModeReplicationPolicy();
    for (const action of ['dms:StopReplicationTask', 'dms:StartReplicationTask'])
      await expect(decide(policy, { action, resource: unlisted })).resolves.toBe(
        'ImplicitlyDenied',
      );
  });

  test('in list mode, replication may stop and start the listed tasks', async () => {
    const policy = listModeReplicationPolicy();
    for (const action of ['dms:StopReplicationTask', 'dms:StartReplicationTask'])
      for (const resource of listed)
        await expect(decide(policy, { action, resource })).resolves.toBe('Allowed');
  });

  test('in endpoint mode, replication cannot touch a task of another account', async () => {
    const request = {
      action: 'dms:StopReplicationTask',
      resource: arn('dms', 'task:AURORATOREDSHIFTCDC000001', '210987654321'),
    };
    await expect(decide(policyOf('redshift-resize-replication'), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('replication cannot delete a task', async () => {
    const request = { action: 'dms:DeleteReplicationTask', resource: listed[0] as string };
    await expect(decide(policyOf('redshift-resize-replication'), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('the state machine cannot invoke another function', async () => {
    const request = {
      action: 'lambda:InvokeFunction',
      resource: arn('lambda', `function:${resourceName('ebs-snapshot-create')}`),
    };
    await expect(decide(policyOf(STATE_MACHINE_SUBJECT), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test.each([
    ['of another cluster', 'snapshot:someone-elses-cluster/resize-x'],
    ['not named resize-*', `snapshot:${CLUSTER}/nightly-x`],
  ])('the state machine cannot create a snapshot %s', async (_what, resource) => {
    const request = {
      action: 'redshift:CreateClusterSnapshot',
      resource: arn('redshift', resource),
    };
    await expect(decide(policyOf(STATE_MACHINE_SUBJECT), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test('the state machine cannot publish to another topic', async () => {
    const request = {
      action: 'sns:Publish',
      resource: arn('sns', resourceName('ebs-snapshot-lifecycle-alerts')),
    };
    await expect(decide(policyOf(STATE_MACHINE_SUBJECT), request)).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  /**
   * KMS needs the key policy too, which decide() does not model (every KMS request is denied without it),
   * so these read the identity-policy part of the simulation: what the role's own policy allows.
   */
  async function identityDecision(context: Record<string, string | string[]>): Promise<string> {
    const result = await runSimulation(
      {
        identityPolicies: [{ name: 'subject', policy: policyOf(STATE_MACHINE_SUBJECT) }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          principal: `arn:${WORLD.partition}:iam::${WORLD.account}:role/subject`,
          action: 'kms:GenerateDataKey',
          resource: {
            resource: arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'),
            accountId: WORLD.account,
          },
          contextVariables: { 'aws:RequestedRegion': WORLD.region, ...context },
        },
      } as unknown as Simulation,
      {},
    );
    if (result.resultType !== 'single') throw new Error(JSON.stringify(result));
    return result.result.analysis.identityAnalysis?.result ?? 'none';
  }
  const viaSns = { 'kms:ViaService': `sns.${WORLD.region}.amazonaws.com` };

  test('the state machine role allows its alerts key through SNS', async () => {
    const context = {
      ...viaSns,
      'kms:ResourceAliases': [`alias/${resourceName('redshift-resize')}`],
    };
    await expect(identityDecision(context)).resolves.toBe('Allowed');
  });

  test('the state machine role does not allow its alerts key outside SNS', async () => {
    const context = { 'kms:ResourceAliases': [`alias/${resourceName('redshift-resize')}`] };
    await expect(identityDecision(context)).resolves.toBe('ImplicitlyDenied');
  });

  test('the state machine role does not allow another key through SNS', async () => {
    const context = {
      ...viaSns,
      'kms:ResourceAliases': [`alias/${resourceName('ebs-snapshot-lifecycle')}`],
    };
    await expect(identityDecision(context)).resolves.toBe('ImplicitlyDenied');
  });
});
