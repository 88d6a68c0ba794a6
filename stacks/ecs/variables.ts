import { TerraformVariable } from 'cdktf';
import type { OpsStack } from '../platform/ops-stack';
import { numberVar } from '../platform/variables';

/** ECS-optimized Amazon Linux 2023 (x86_64), resolved by EC2 at launch: no AMI lookup at plan time. */
export const ECS_AL2023_AMI_PARAMETER =
  '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';

/** Spot allocation strategies an Auto Scaling group accepts. */
export const SPOT_ALLOCATION_STRATEGIES = [
  'price-capacity-optimized',
  'capacity-optimized',
  'capacity-optimized-prioritized',
  'lowest-price',
] as const;

/** Current-generation x86_64 types with 2 vCPU / 8 GiB, diverse enough for Spot. */
export const DEFAULT_INSTANCE_TYPES = [
  'm6i.large',
  'm6a.large',
  'm5.large',
  'm5a.large',
  'm7i.large',
];

/**
 * The variables of the shared ECS-on-EC2 building blocks, declared once per stack with the same names,
 * defaults and meaning in every stack that uses them (so one terraform.tfvars serves them all).
 */
export interface EcsVariables {
  readonly amiParameter: string;
  readonly instanceTypes: string[];
  readonly spotAllocationStrategy: string;
  readonly rootVolumeSizeGib: number;
  readonly containerImage: string;
  readonly containerPort: number;
  readonly containerHealthCheckCommand: string;
  readonly taskCpu: number;
  readonly taskMemoryMib: number;
  readonly taskMemoryReservationMib: number;
  readonly containerStopTimeoutSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly healthCheckPath: string;
  readonly certificateArn: string;
  readonly privateRegistrySecretArn: string;
  readonly desiredCount: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly deploymentMinimumHealthyPercent: number;
  readonly deploymentMaximumPercent: number;
  readonly healthCheckGracePeriodSeconds: number;
}

/** Names of the shared variables (for tests and the tfvars section). */
export const ECS_VARIABLES = [
  'ecs_ami_ssm_parameter',
  'ecs_instance_types',
  'ecs_spot_allocation_strategy',
  'ecs_root_volume_size_gib',
  'ecs_container_image',
  'ecs_container_port',
  'ecs_container_health_check_command',
  'ecs_task_cpu',
  'ecs_task_memory_mib',
  'ecs_task_memory_reservation_mib',
  'ecs_container_stop_timeout_seconds',
  'ecs_deregistration_delay_seconds',
  'ecs_health_check_path',
  'ecs_certificate_arn',
  'ecs_private_registry_secret_arn',
  'ecs_desired_count',
  'ecs_min_tasks',
  'ecs_max_tasks',
  'ecs_deployment_minimum_healthy_percent',
  'ecs_deployment_maximum_percent',
  'ecs_health_check_grace_period_seconds',
] as const;

export interface EcsVariableOptions {
  /**
   * The service's minimumHealthyPercent, when the stack has its own (the Spot stack's must stay below
   * 100): ecs_deployment_minimum_healthy_percent is then not declared. @default the shared variable
   */
  readonly deploymentMinimumHealthyPercent?: number;
}

export function declareEcsVariables(
  stack: OpsStack,
  options: EcsVariableOptions = {},
): EcsVariables {
  const amiParameter = new TerraformVariable(stack, 'ecs_ami_ssm_parameter', {
    type: 'string',
    default: ECS_AL2023_AMI_PARAMETER,
    description:
      'SSM parameter holding the AMI id of the container instances, resolved by EC2 at launch (resolve:ssm:); the default is the recommended ECS-optimized Amazon Linux 2023 x86_64 AMI.',
    validation: [
      {
        condition: '${can(regex("^/[A-Za-z0-9_./-]+$", var.ecs_ami_ssm_parameter))}',
        errorMessage:
          'ecs_ami_ssm_parameter must be an SSM parameter path like "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id".',
      },
    ],
  });
  const instanceTypes = new TerraformVariable(stack, 'ecs_instance_types', {
    type: 'list(string)',
    default: DEFAULT_INSTANCE_TYPES,
    description:
      'Instance types the Auto Scaling groups may launch (mixed instances overrides), in priority order; the architecture must match the AMI (x86_64 for the default). Several types of similar size make Spot capacity more available.',
    validation: [
      {
        condition:
          '${length(var.ecs_instance_types) >= 1 && length(var.ecs_instance_types) <= 40 && alltrue([for t in var.ecs_instance_types : can(regex("^[a-z][a-z0-9-]*[.][a-z0-9]+$", t))])}',
        errorMessage: 'ecs_instance_types must list 1 to 40 instance types like "m6i.large".',
      },
    ],
  });
  const spotAllocationStrategy = new TerraformVariable(stack, 'ecs_spot_allocation_strategy', {
    type: 'string',
    default: 'price-capacity-optimized',
    description:
      'How Auto Scaling picks Spot pools among ecs_instance_types: price-capacity-optimized (AWS recommended), capacity-optimized, capacity-optimized-prioritized or lowest-price.',
    validation: [
      {
        condition: `\${contains([${SPOT_ALLOCATION_STRATEGIES.map((s) => `"${s}"`).join(', ')}], var.ecs_spot_allocation_strategy)}`,
        errorMessage: `ecs_spot_allocation_strategy must be one of ${SPOT_ALLOCATION_STRATEGIES.join(', ')}.`,
      },
    ],
  });
  const containerImage = new TerraformVariable(stack, 'ecs_container_image', {
    type: 'string',
    default: 'public.ecr.aws/nginx/nginx:stable',
    description:
      'Container image of the service. An image on ECR Public (public.ecr.aws/...) is pulled through the stack\'s ECR pull through cache, an image of this account\'s ECR in this region directly; other registries need egress_mode "nat" (the plan refuses them otherwise), and a private one ecs_private_registry_secret_arn.',
    validation: [
      {
        condition:
          '${length(var.ecs_container_image) > 0 && !can(regex("\\\\s", var.ecs_container_image))}',
        errorMessage: 'ecs_container_image must be an image reference without spaces.',
      },
    ],
  });
  const healthCheckCommand = new TerraformVariable(stack, 'ecs_container_health_check_command', {
    type: 'string',
    default: 'curl -fsS http://localhost/ > /dev/null || exit 1',
    description:
      'Container health check, run with CMD-SHELL inside the container; the default needs curl in the image.',
    validation: [
      {
        condition: '${length(trimspace(var.ecs_container_health_check_command)) > 0}',
        errorMessage: 'ecs_container_health_check_command must not be empty.',
      },
    ],
  });
  const healthCheckPath = new TerraformVariable(stack, 'ecs_health_check_path', {
    type: 'string',
    default: '/',
    description: 'Path the load balancer health check requests; 200-399 counts as healthy.',
    validation: [
      {
        condition:
          '${length(var.ecs_health_check_path) <= 1024 && can(regex("^/[^ ]*$", var.ecs_health_check_path))}',
        errorMessage:
          'ecs_health_check_path must start with "/" and have no spaces (at most 1024 characters).',
      },
    ],
  });
  const certificateArn = new TerraformVariable(stack, 'ecs_certificate_arn', {
    type: 'string',
    default: '',
    description:
      'ACM certificate ARN for an HTTPS listener; when set, HTTP redirects to HTTPS. Empty: HTTP only.',
    validation: [
      {
        condition:
          '${var.ecs_certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.ecs_certificate_arn))}',
        errorMessage: 'ecs_certificate_arn must be empty or an ACM certificate ARN.',
      },
    ],
  });
  const secretArn = new TerraformVariable(stack, 'ecs_private_registry_secret_arn', {
    type: 'string',
    default: '',
    description:
      'Secrets Manager secret (ARN) with {"username", "password"} for a private registry (repositoryCredentials); the task execution role may read only this secret. Empty: no registry credentials.',
    validation: [
      {
        condition:
          '${var.ecs_private_registry_secret_arn == "" || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.ecs_private_registry_secret_arn))}',
        errorMessage:
          'ecs_private_registry_secret_arn must be empty or a Secrets Manager secret ARN.',
      },
    ],
  });

  return {
    amiParameter: amiParameter.stringValue,
    instanceTypes: instanceTypes.listValue,
    spotAllocationStrategy: spotAllocationStrategy.stringValue,
    rootVolumeSizeGib: numberVar(stack, 'ecs_root_volume_size_gib', {
      default: 30,
      min: 30,
      max: 16384,
      description:
        'Size of the encrypted gp3 root volume of each container instance, in GiB (the ECS-optimized AL2023 AMI needs 30).',
      unit: ' GiB',
    }),
    containerImage: containerImage.stringValue,
    containerPort: numberVar(stack, 'ecs_container_port', {
      default: 80,
      min: 1,
      max: 65535,
      description:
        'Port the container listens on; the host port is dynamic (bridge mode, hostPort 0).',
    }),
    containerHealthCheckCommand: healthCheckCommand.stringValue,
    taskCpu: numberVar(stack, 'ecs_task_cpu', {
      default: 256,
      min: 128,
      max: 10240,
      description: 'CPU units reserved for the container (1024 = one vCPU).',
    }),
    taskMemoryMib: numberVar(stack, 'ecs_task_memory_mib', {
      default: 512,
      min: 64,
      max: 122880,
      description:
        'Hard memory limit of the container (memory), in MiB: the container is killed above it.',
      unit: ' MiB',
    }),
    taskMemoryReservationMib: numberVar(stack, 'ecs_task_memory_reservation_mib', {
      default: 256,
      min: 6,
      max: 122880,
      description:
        'Soft memory limit of the container (memoryReservation), in MiB: what placement reserves; at most ecs_task_memory_mib.',
      unit: ' MiB',
    }),
    containerStopTimeoutSeconds: numberVar(stack, 'ecs_container_stop_timeout_seconds', {
      default: 30,
      min: 2,
      max: 120,
      description:
        'Seconds between SIGTERM and SIGKILL when a task stops (ECS_CONTAINER_STOP_TIMEOUT and the container stopTimeout). With ecs_deregistration_delay_seconds it must fit in the 2-minute Spot notice.',
      unit: ' seconds',
    }),
    deregistrationDelaySeconds: numberVar(stack, 'ecs_deregistration_delay_seconds', {
      default: 30,
      min: 0,
      max: 3600,
      description:
        'Seconds the load balancer keeps draining a deregistered task; with ecs_container_stop_timeout_seconds it must fit in the 2-minute Spot notice.',
      unit: ' seconds',
    }),
    healthCheckPath: healthCheckPath.stringValue,
    certificateArn: certificateArn.stringValue,
    privateRegistrySecretArn: secretArn.stringValue,
    desiredCount: numberVar(stack, 'ecs_desired_count', {
      default: 2,
      min: 0,
      max: 1000,
      description:
        'Tasks the service starts with (the seed runs 2); service auto scaling moves it between ecs_min_tasks and ecs_max_tasks afterwards.',
    }),
    minTasks: numberVar(stack, 'ecs_min_tasks', {
      default: 2,
      min: 0,
      max: 1000,
      description: 'Fewest tasks service auto scaling keeps.',
    }),
    maxTasks: numberVar(stack, 'ecs_max_tasks', {
      default: 10,
      min: 1,
      max: 1000,
      description: 'Most tasks service auto scaling starts; at least ecs_min_tasks.',
    }),
    deploymentMinimumHealthyPercent:
      options.deploymentMinimumHealthyPercent ??
      numberVar(stack, 'ecs_deployment_minimum_healthy_percent', {
        default: 100,
        min: 0,
        max: 100,
        description:
          'Share of the desired tasks that must stay healthy during a deployment or while an instance drains, in percent (ecs-autoscaling-drain; ecs-spot-api has ecs_spot_minimum_healthy_percent).',
        unit: ' percent',
      }),
    deploymentMaximumPercent: numberVar(stack, 'ecs_deployment_maximum_percent', {
      default: 200,
      min: 100,
      max: 400,
      description: 'Most tasks during a deployment, in percent of the desired count.',
      unit: ' percent',
    }),
    healthCheckGracePeriodSeconds: numberVar(stack, 'ecs_health_check_grace_period_seconds', {
      default: 60,
      min: 0,
      max: 2147483647,
      description: 'Seconds ECS ignores failing load balancer health checks of a new task.',
      unit: ' seconds',
    }),
  };
}
