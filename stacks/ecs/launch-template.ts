import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { OpsStack } from '../platform/ops-stack';
import type { EcsInstanceRole } from './instance-role';
import { ECS_AL2023_AMI_PARAMETER } from './variables';
import { numText } from './expr';

/**
 * IMDSv2 hop limit 1: the agent (host network) and the Docker daemon (awslogs) reach IMDS from the host,
 * while bridge-mode containers, one hop further, do not, so a task cannot take the instance role's
 * credentials. Tasks get AWS credentials from their task role (169.254.170.2, unaffected) and metadata
 * from the ECS task metadata endpoint. Raise it to 2 only for bridge-mode workloads that must read IMDS.
 */
export const DEFAULT_HOP_LIMIT = 1;

/** Root volume of the ECS-optimized AL2023 AMI (its snapshot is 30 GiB). */
const ROOT_DEVICE = '/dev/xvda';
const MIN_ROOT_VOLUME_GIB = 30;

export interface EcsLaunchTemplateProps {
  /** Name suffix of the launch template (`<name_prefix>-<name>`). */
  readonly name: string;
  /** Cluster the instances join (ECS_CLUSTER). */
  readonly clusterName: string;
  readonly instanceRole: EcsInstanceRole;
  readonly securityGroupIds: string[];
  /** ECS_CONTAINER_STOP_TIMEOUT, in seconds. */
  readonly containerStopTimeoutSeconds: number;
  /**
   * SSM parameter with the AMI id, resolved by EC2 at each launch (`resolve:ssm:`).
   * @default ECS_AL2023_AMI_PARAMETER (ECS-optimized Amazon Linux 2023, x86_64)
   */
  readonly amiParameter?: string;
  /** @default 30 */
  readonly rootVolumeSizeGib?: number;
  /** IMDSv2 PUT response hop limit. @default DEFAULT_HOP_LIMIT (1, see there) */
  readonly metadataHopLimit?: number;
}

/** The instance user data: the agent's configuration, no registry credentials (tasks bring their own). */
export function ecsUserData(clusterName: string, containerStopTimeoutSeconds: number): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    "cat > /etc/ecs/ecs.config <<'EOF'",
    `ECS_CLUSTER=${clusterName}`,
    'ECS_ENABLE_SPOT_INSTANCE_DRAINING=true',
    `ECS_CONTAINER_STOP_TIMEOUT=${numText(containerStopTimeoutSeconds)}s`,
    'EOF',
    '',
  ].join('\n');
}

/**
 * Launch template of ECS container instances: the ECS-optimized AMI by SSM parameter (no lookup at plan
 * time), IMDSv2 only, an encrypted gp3 root volume, the agent's instance profile and the ECS config.
 */
export class EcsLaunchTemplate extends Construct {
  readonly launchTemplate: LaunchTemplate;
  readonly userData: string;

  constructor(scope: Construct, id: string, props: EcsLaunchTemplateProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const amiParameter = props.amiParameter ?? ECS_AL2023_AMI_PARAMETER;
    const rootVolume = props.rootVolumeSizeGib ?? MIN_ROOT_VOLUME_GIB;
    const hopLimit = props.metadataHopLimit ?? DEFAULT_HOP_LIMIT;
    validate(props, amiParameter, rootVolume, hopLimit);
    const name = stack.name(props.name);

    this.userData = ecsUserData(props.clusterName, props.containerStopTimeoutSeconds);
    this.launchTemplate = new LaunchTemplate(this, 'template', {
      name,
      description: `ECS container instances of ${props.clusterName}`,
      imageId: `resolve:ssm:${amiParameter}`,
      iamInstanceProfile: { arn: props.instanceRole.instanceProfile.arn },
      vpcSecurityGroupIds: props.securityGroupIds,
      userData: Fn.base64encode(this.userData),
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: hopLimit,
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE,
          ebs: {
            volumeType: 'gp3',
            volumeSize: rootVolume,
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: name } },
        { resourceType: 'volume', tags: { Name: name } },
      ],
    });
  }
}

function validate(
  props: EcsLaunchTemplateProps,
  amiParameter: string,
  rootVolume: number,
  hopLimit: number,
): void {
  if (!Token.isUnresolved(amiParameter) && !/^\/[A-Za-z0-9_./-]+$/.test(amiParameter))
    throw new Error(
      `EcsLaunchTemplate amiParameter must be an SSM parameter path starting with "/", got "${amiParameter}"`,
    );
  if (
    !Token.isUnresolved(rootVolume) &&
    (!Number.isInteger(rootVolume) || rootVolume < MIN_ROOT_VOLUME_GIB)
  )
    throw new Error(
      `EcsLaunchTemplate rootVolumeSizeGib must be a whole number >= ${MIN_ROOT_VOLUME_GIB} (the AMI's snapshot size), got ${rootVolume}`,
    );
  if (
    !Token.isUnresolved(hopLimit) &&
    (!Number.isInteger(hopLimit) || hopLimit < 1 || hopLimit > 64)
  )
    throw new Error(
      `EcsLaunchTemplate metadataHopLimit must be a whole number from 1 to 64, got ${hopLimit}`,
    );
  const stop = props.containerStopTimeoutSeconds;
  if (!Token.isUnresolved(stop) && (!Number.isInteger(stop) || stop < 0))
    throw new Error(
      `EcsLaunchTemplate containerStopTimeoutSeconds must be a whole number >= 0, got ${stop}`,
    );
  if (!Token.isUnresolved(props.clusterName) && !/^[A-Za-z0-9_-]{1,255}$/.test(props.clusterName))
    throw new Error(
      `EcsLaunchTemplate clusterName must be 1-255 letters, digits, "-" or "_", got "${props.clusterName}"`,
    );
}
