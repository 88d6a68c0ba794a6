import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { STATE_MACHINE_SUBJECT } from '../../stacks/redshift-resize/stack';
import { arn, resourceName, WORLD } from '../support/deployment';
import { synthStack } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';
import { decide, substitute, type ProofSubject } from './engine';
import { subject } from './conditions-support';
import { literalWildcardPatchApplied } from './translate';

// The conditions must bite: requests the handlers never make are denied.
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
