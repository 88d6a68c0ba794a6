import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import {
  EcsService,
  type EcsServiceCapacityProviderStrategy,
} from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { conditional, Fn, type ITerraformDependable, Op, ref, Token } from 'cdktf';
import { Construct } from 'constructs';
import { type PolicyStatement } from '../platform/iam';
import { OpsStack } from '../platform/ops-stack';
import { platformGrant } from '../platform/platform-grants';
import { ServiceRole } from '../platform/service-role';
import { numText } from './expr';

/** Name of the one container of the task; the target group forwards to it. */
export const CONTAINER_NAME = 'app';

/** An ECS cluster with Container Insights. */
export class EcsClusterWithInsights extends Construct {
  readonly cluster: EcsCluster;
  /** Built from inputs, known at plan time. */
  readonly clusterName: string;
  readonly clusterArn: string;

  constructor(scope: Construct, id: string, props: { readonly name: string }) {
    super(scope, id);
    const stack = OpsStack.of(this);
    this.clusterName = stack.name(props.name);
    this.clusterArn = stack.arn('ecs', `cluster/${this.clusterName}`);
    this.cluster = new EcsCluster(this, 'cluster', {
      name: this.clusterName,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
  }
}

export interface EcsWebServiceProps {
  /** Service, task family and log group name suffix (`<name_prefix>-<name>`). */
  readonly name: string;
  readonly cluster: EcsClusterWithInsights;
  readonly targetGroup: LbTargetGroup;
  /** Created before the service (the target group must belong to a listener first), destroyed after. */
  readonly dependsOn: ITerraformDependable[];
  readonly image: string;
  /** Checked on the task definition: the image can be pulled from where the instances are. @default none */
  readonly imagePrecondition?: { readonly condition: string; readonly errorMessage: string };
  readonly containerPort: number;
  /** CMD-SHELL health check inside the container. */
  readonly healthCheckCommand: string;
  /** CPU units of the container. @default 256 */
  readonly cpu?: number;
  /** Hard limit (memory), MiB. @default 512 */
  readonly memoryMib?: number;
  /** Soft limit (memoryReservation), MiB; at most memoryMib. @default 256 */
  readonly memoryReservationMib?: number;
  /** Seconds between SIGTERM and SIGKILL. @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** @default 2 */
  readonly desiredCount?: number;
  /** @default 100 */
  readonly deploymentMinimumHealthyPercent?: number;
  /** @default 200 */
  readonly deploymentMaximumPercent?: number;
  /** @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * Secrets Manager secret ARN with private registry credentials (repositoryCredentials); when non-empty
   * a task execution role that may read only this secret is created. A variable works. @default '' (none)
   */
  readonly privateRegistrySecretArn?: string;
  /** Where tasks run: capacity providers (with base/weight) or the EC2 launch type. */
  readonly placement:
    | { readonly capacityProviderStrategy: EcsServiceCapacityProviderStrategy[] }
    | { readonly launchType: 'EC2' };
}

/** A Terraform condition "is not empty" for a string variable (`var.x != ""`) or a literal (`true`/`false`). */
function nonEmpty(value: string): string {
  return Token.isUnresolved(value) ? `${value} != ""` : String(value !== '');
}

/**
 * A load-balanced service of one bridge-mode container on dynamic host ports: awslogs to a log group with
 * retention, a container health check, soft and hard memory limits, optional private registry credentials,
 * deployment circuit breaker with rollback, spread across AZs then binpack on memory.
 */
export class EcsWebService extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly logGroup: CloudwatchLogGroup;
  readonly logGroupName: string;
  readonly serviceName: string;
  readonly executionRole: IamRole;
  readonly executionStatements: readonly PolicyStatement[];

  constructor(scope: Construct, id: string, props: EcsWebServiceProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const cpu = props.cpu ?? 256;
    const memory = props.memoryMib ?? 512;
    const reservation = props.memoryReservationMib ?? 256;
    const stopTimeout = props.stopTimeoutSeconds ?? 30;
    const desired = props.desiredCount ?? 2;
    const minHealthy = props.deploymentMinimumHealthyPercent ?? 100;
    const maxPercent = props.deploymentMaximumPercent ?? 200;
    const grace = props.healthCheckGracePeriodSeconds ?? 60;
    const secret = props.privateRegistrySecretArn ?? '';
    validate({ cpu, memory, reservation, stopTimeout, desired, minHealthy, maxPercent, grace });

    this.serviceName = stack.name(props.name);
    this.logGroupName = `/ecs/${this.serviceName}`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: this.logGroupName,
      retentionInDays: stack.logRetentionDays,
    });

    // Only for private registry credentials: on EC2 the instance role pulls from ECR and writes logs.
    const withSecret = nonEmpty(secret);
    const count = Token.asNumber(`\${${withSecret} ? 1 : 0}`);
    this.executionStatements = [
      platformGrant('registry-credentials', {
        sid: 'ReadRegistryCredentials',
        resources: [secret],
      }),
    ];
    this.executionRole = new ServiceRole(this, {
      count,
      name: `${this.serviceName}-execution`,
      description: 'ECS task execution: reads the private registry credentials only',
      service: 'ecs-tasks.amazonaws.com',
      policyName: 'registry-credentials',
      statements: this.executionStatements,
      ids: { role: 'execution-role', policy: 'execution-policy' },
      iamSubject: `${stack.stackName}-task-execution`,
    }).role;

    // null drops the field: the provider reads the JSON into the API's types, which omit nil fields.
    const repositoryCredentials = Token.isUnresolved(secret)
      ? conditional(Op.gte(Fn.lengthOf(secret), 1), { credentialsParameter: secret }, ref('null'))
      : secret === ''
        ? null
        : { credentialsParameter: secret };

    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: this.serviceName,
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      executionRoleArn: Token.asString(
        `\${${withSecret} ? one(${this.executionRole.fqn}[*].arn) : null}`,
      ),
      containerDefinitions: Fn.jsonencode([
        {
          name: CONTAINER_NAME,
          image: props.image,
          essential: true,
          cpu,
          memory,
          memoryReservation: reservation,
          stopTimeout,
          portMappings: [{ containerPort: props.containerPort, hostPort: 0, protocol: 'tcp' }],
          healthCheck: {
            command: ['CMD-SHELL', props.healthCheckCommand],
            interval: 30,
            timeout: 5,
            retries: 3,
            startPeriod: 30,
          },
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': this.logGroupName,
              'awslogs-region': stack.region,
              'awslogs-stream-prefix': CONTAINER_NAME,
            },
          },
          repositoryCredentials,
        },
      ]),
      lifecycle: {
        precondition: [
          {
            condition: `\${${numText(reservation)} <= ${numText(memory)}}`,
            errorMessage: `The container's soft memory limit (${numText(reservation)} MiB) must not exceed its hard limit (${numText(memory)} MiB).`,
          },
          ...(props.imagePrecondition ? [props.imagePrecondition] : []),
        ],
      },
      dependsOn: [this.logGroup],
    });

    // With force_new_deployment the provider updates a changed strategy in place (UpdateService with
    // forceNewDeployment, which ECS requires for it); without it, it plans a replacement of the service.
    // https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ecs_service#capacity_provider_strategy-1
    // https://github.com/hashicorp/terraform-provider-aws/issues/22408
    const placement =
      'launchType' in props.placement
        ? { launchType: props.placement.launchType }
        : {
            capacityProviderStrategy: props.placement.capacityProviderStrategy,
            forceNewDeployment: true,
            // An apply returns once the tasks run where the new strategy puts them, so a replaced capacity
            // provider's group is deleted only after its tasks have moved.
            waitForSteadyState: true,
          };
    this.service = new EcsService(this, 'service', {
      name: this.serviceName,
      cluster: props.cluster.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: desired,
      ...placement,
      deploymentMinimumHealthyPercent: minHealthy,
      deploymentMaximumPercent: maxPercent,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriodSeconds: grace,
      loadBalancer: [
        {
          targetGroupArn: props.targetGroup.arn,
          containerName: CONTAINER_NAME,
          containerPort: props.containerPort,
        },
      ],
      orderedPlacementStrategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'binpack', field: 'memory' },
      ],
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      // Service auto scaling owns the task count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
      dependsOn: props.dependsOn,
    });
  }
}

function validate(v: {
  cpu: number;
  memory: number;
  reservation: number;
  stopTimeout: number;
  desired: number;
  minHealthy: number;
  maxPercent: number;
  grace: number;
}): void {
  const whole = (label: string, value: number, min: number, max: number) => {
    if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max))
      throw new Error(
        `EcsWebService ${label} must be a whole number from ${min} to ${max}, got ${value}`,
      );
  };
  whole('cpu', v.cpu, 0, 10240);
  whole('memoryMib', v.memory, 6, 122880);
  whole('memoryReservationMib', v.reservation, 6, 122880);
  whole('stopTimeoutSeconds', v.stopTimeout, 2, 120);
  whole('desiredCount', v.desired, 0, 1000);
  whole('deploymentMinimumHealthyPercent', v.minHealthy, 0, 100);
  whole('deploymentMaximumPercent', v.maxPercent, 100, 400);
  whole('healthCheckGracePeriodSeconds', v.grace, 0, 2147483647);
  if (
    !Token.isUnresolved(v.memory) &&
    !Token.isUnresolved(v.reservation) &&
    v.reservation > v.memory
  )
    throw new Error(
      `EcsWebService memoryReservationMib (${v.reservation} MiB, soft) must not exceed memoryMib (${v.memory} MiB, hard)`,
    );
}
