/**
 * The ECS container agent is not our code, so no handler test records its calls. This test stands in: it
 * writes, for each ECS stack's instance role, the calls one container instance makes over its life
 * (register, discover the poll endpoint, poll, telemetry, pull an ECR image, write task logs, report state
 * changes, fill the pull through cache on a first pull, drain itself on a Spot interruption notice), as RecordedCall lines in the same files and format
 * as __tests__/support/iam-recorder.ts. Phase 2 (the IAM proof) judges them against each synthesized
 * instance-role policy, and fails if the policy grants an action no call here exercises.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { translate } from '../iam-proof/translate';
import { arn, resourceName, WORLD } from '../support/deployment';
import { IAM_CALLS_DIR, type RecordedCall } from '../support/iam-recorder';
import { synthStack } from '../support/synth';

interface AgentDeployment {
  /** The stack, and the IAM subject its instance role is registered under. */
  readonly stack: 'ecs-spot-api' | 'ecs-autoscaling-drain';
  readonly subject: string;
  readonly cluster: string;
  readonly logGroup: string;
  /** The stack's ECR pull through cache prefix for ECR Public images (the default image's source). */
  readonly cachePrefix: string;
}

const DEPLOYMENTS: readonly AgentDeployment[] = [
  {
    stack: 'ecs-spot-api',
    subject: 'ecs-spot-api-instance-role',
    cluster: resourceName('ecs-spot-api'),
    logGroup: `/ecs/${resourceName('ecs-spot-api')}`,
    cachePrefix: resourceName('ecs-spot-api'),
  },
  {
    stack: 'ecs-autoscaling-drain',
    subject: 'ecs-autoscaling-drain-instance-role',
    cluster: resourceName('ecs'),
    logGroup: `/ecs/${resourceName('ecs-drain-api')}`,
    cachePrefix: resourceName('ecs-drain-api'),
  },
];

const CONTAINER_INSTANCE_ID = '0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7';
const TASK_ID = '9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d';
const REPOSITORY = resourceName('api');
const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** What one container instance's agent sends, in order, shaped like the ECS/ECR/Logs API inputs. */
function agentLifecycle(d: AgentDeployment): Array<Omit<RecordedCall, 'functionName'>> {
  const containerInstance = arn('ecs', `container-instance/${d.cluster}/${CONTAINER_INSTANCE_ID}`);
  const task = arn('ecs', `task/${d.cluster}/${TASK_ID}`);
  const ecs = (command: string, input: Record<string, unknown>) => ({
    client: 'ECSClient',
    command,
    input: { cluster: d.cluster, ...input },
  });
  const ecr = (command: string, input: Record<string, unknown>) => ({
    client: 'ECRClient',
    command,
    input,
  });
  const logs = (command: string, input: Record<string, unknown>) => ({
    client: 'CloudWatchLogsClient',
    command,
    input: { logGroupName: d.logGroup, logStreamName: `app/app/${TASK_ID}`, ...input },
  });
  return [
    ecs('RegisterContainerInstance', {
      instanceIdentityDocument: '{"instanceId":"i-0123456789abcdef0"}',
      instanceIdentityDocumentSignature: 'signature',
      versionInfo: { agentVersion: '1.90.0' },
    }),
    ecs('DiscoverPollEndpoint', { containerInstance }),
    ecs('Poll', { containerInstance }),
    ecs('StartTelemetrySession', { containerInstance }),
    ecr('GetAuthorizationToken', { registryIds: [WORLD.account] }),
    ecr('BatchGetImage', {
      registryId: WORLD.account,
      repositoryName: REPOSITORY,
      imageIds: [{ imageTag: 'latest' }],
    }),
    // The default image (public.ecr.aws/nginx/nginx) through the stack's pull through cache: the first pull
    // creates the cached repository and imports the upstream image.
    ecr('CreateRepository', { repositoryName: `${d.cachePrefix}/nginx/nginx` }),
    ecr('BatchImportUpstreamImage', {
      registryId: WORLD.account,
      repositoryName: `${d.cachePrefix}/nginx/nginx`,
    }),
    ecr('BatchCheckLayerAvailability', {
      registryId: WORLD.account,
      repositoryName: REPOSITORY,
      layerDigests: [DIGEST],
    }),
    ecr('GetDownloadUrlForLayer', {
      registryId: WORLD.account,
      repositoryName: REPOSITORY,
      layerDigest: DIGEST,
    }),
    logs('CreateLogStream', {}),
    logs('PutLogEvents', { logEvents: [{ timestamp: 1_700_000_000_000, message: 'started' }] }),
    ecs('SubmitContainerStateChange', { task, containerName: 'app', status: 'RUNNING' }),
    ecs('SubmitTaskStateChange', { task, status: 'RUNNING' }),
    // ECS_ENABLE_SPOT_INSTANCE_DRAINING: on the interruption notice the agent drains its own instance.
    ecs('UpdateContainerInstancesState', {
      containerInstances: [containerInstance],
      status: 'DRAINING',
    }),
  ];
}

/** Mirrors recordIamCalls: one JSON line per call, under the subject's name, for the IAM proof. */
function recordAgentCalls(
  subject: string,
  calls: ReadonlyArray<Omit<RecordedCall, 'functionName'>>,
) {
  mkdirSync(IAM_CALLS_DIR, { recursive: true });
  const lines = calls.map((c) =>
    JSON.stringify({ functionName: subject, ...c } satisfies RecordedCall),
  );
  appendFileSync(join(IAM_CALLS_DIR, `${subject}.${process.pid}.jsonl`), lines.join('\n') + '\n');
}

describe.each(DEPLOYMENTS.map((d) => [d.stack, d] as const))(
  'ECS container agent calls under %s',
  (_stack, deployment) => {
    const calls = agentLifecycle(deployment);
    afterAll(() => recordAgentCalls(deployment.subject, calls));
    let synthesized: ReturnType<typeof synthStack> | undefined;
    const synth = () => (synthesized ??= synthStack(deployment.stack));

    test('the stack registers its instance role under the recorded name', () => {
      // Prepare / Act
      const { stack } = synth();
      // Assess
      expect(stack.iamSubjects.map((s) => s.name)).toContain(deployment.subject);
    });

    test('every action the instance role grants is among the recorded calls', () => {
      const { stack } = synth();
      const subject = stack.iamSubjects.find((s) => s.name === deployment.subject);
      const granted = new Set(subject?.statements.flatMap((s) => s.actions));
      const recorded = new Set(
        calls.flatMap((c) => translate({ functionName: '', ...c })).map((r) => r.action),
      );
      expect([...granted].sort()).toEqual([...recorded].sort());
    });

    test('each call translates to requests on this deployment: its cluster, log group and account', () => {
      const requests = calls.flatMap((c) => translate({ functionName: deployment.subject, ...c }));
      const resources = requests.map((r) => r.resource).filter((r) => r !== '*');
      for (const r of resources) expect(r.startsWith(`arn:aws:`)).toBe(true);
      expect(resources).toContain(arn('ecs', `cluster/${deployment.cluster}`));
      expect(resources).toContain(
        arn('logs', `log-group:${deployment.logGroup}:log-stream:app/app/${TASK_ID}`),
      );
      expect(
        requests
          .filter((r) => r.resource === '*')
          .map((r) => r.action)
          .sort(),
      ).toEqual(['ecr:GetAuthorizationToken', 'ecs:DiscoverPollEndpoint']);
    });
  },
);
