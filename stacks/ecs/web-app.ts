import { Construct } from 'constructs';
import type { Alerts } from '../platform/alerts';
import { Network } from '../platform/network';
import { OpsStack } from '../platform/ops-stack';
import { EcsImageSource } from './image-source';
import { EcsInstanceRole } from './instance-role';
import { EcsLaunchTemplate } from './launch-template';
import { EcsLoadBalancer, type EcsNetworkRefs } from './load-balancer';
import { EcsClusterWithInsights, EcsWebService, type EcsWebServiceProps } from './service';
import type { EcsVariables } from './variables';

/** Interface endpoints an ECS-on-EC2 stack needs without a NAT gateway (plus the S3 gateway endpoint). */
export const ECS_INTERFACE_ENDPOINTS = [
  'ecs',
  'ecs-agent',
  'ecs-telemetry',
  'ecr.api',
  'ecr.dkr',
  'logs',
] as const;

/** The network of an ECS-on-EC2 stack: public subnets for the load balancer, ECS and ECR endpoints, S3 for image layers. */
export function ecsNetwork(stack: OpsStack): Network {
  return new Network(stack, 'network', {
    publicSubnets: true,
    interfaceEndpoints: ECS_INTERFACE_ENDPOINTS,
    gatewayEndpoints: ['s3'],
  });
}

export interface EcsWebAppProps {
  readonly network: EcsNetworkRefs;
  readonly vars: EcsVariables;
  /** Cluster name suffix (`<name_prefix>-<clusterName>`). */
  readonly clusterName: string;
  /**
   * Suffix of the service, task family, log group, load balancer, target group, security groups, launch
   * template and instance role names; at most 22 characters (load balancer names are short).
   */
  readonly name: string;
}

/**
 * The part both ECS stacks share, built from the shared building blocks and the shared variables:
 * cluster (Container Insights), ALB + target group + security groups, the agent's instance role and the
 * launch template. Capacity (Auto Scaling groups) and the service's placement are the stacks' own.
 */
export class EcsWebApp extends Construct {
  readonly cluster: EcsClusterWithInsights;
  readonly loadBalancer: EcsLoadBalancer;
  readonly instanceRole: EcsInstanceRole;
  readonly launchTemplate: EcsLaunchTemplate;
  readonly imageSource: EcsImageSource;
  /** `<name_prefix>-<name>`: the service's name. */
  readonly serviceName: string;
  readonly logGroupName: string;
  private readonly props: EcsWebAppProps;

  constructor(scope: Construct, id: string, props: EcsWebAppProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    this.props = props;
    const { vars } = props;
    this.serviceName = stack.name(props.name);
    this.logGroupName = `/ecs/${this.serviceName}`;

    this.cluster = new EcsClusterWithInsights(this, 'cluster', { name: props.clusterName });
    this.loadBalancer = new EcsLoadBalancer(this, 'lb', {
      network: props.network,
      name: props.name,
      healthCheckPath: vars.healthCheckPath,
      deregistrationDelaySeconds: vars.deregistrationDelaySeconds,
      containerStopTimeoutSeconds: vars.containerStopTimeoutSeconds,
      certificateArn: vars.certificateArn,
    });
    this.imageSource = new EcsImageSource(this, 'image', {
      image: vars.containerImage,
      name: props.name,
    });
    this.instanceRole = new EcsInstanceRole(this, 'instance-role', {
      name: `${props.name}-instances`,
      clusterName: this.cluster.clusterName,
      logGroupNames: [this.logGroupName],
      pullThroughCachePrefix: this.imageSource.cachePrefix,
    });
    this.launchTemplate = new EcsLaunchTemplate(this, 'launch-template', {
      name: props.name,
      clusterName: this.cluster.clusterName,
      instanceRole: this.instanceRole,
      securityGroupIds: [this.loadBalancer.instanceSecurityGroup.id],
      containerStopTimeoutSeconds: vars.containerStopTimeoutSeconds,
      amiParameter: vars.amiParameter,
      rootVolumeSizeGib: vars.rootVolumeSizeGib,
    });
  }

  /** The load-balanced service, placed as given; created after `dependsOn` and the listeners. */
  service(
    id: string,
    placement: EcsWebServiceProps['placement'],
    dependsOn: EcsWebServiceProps['dependsOn'] = [],
  ): EcsWebService {
    const { vars } = this.props;
    const service = new EcsWebService(this, id, {
      name: this.props.name,
      cluster: this.cluster,
      targetGroup: this.loadBalancer.targetGroup,
      dependsOn: [
        this.loadBalancer.httpListener,
        this.loadBalancer.httpsListener,
        this.loadBalancer.redirectRule,
        ...dependsOn,
      ],
      placement,
      image: this.imageSource.image,
      imagePrecondition: this.imageSource.precondition,
      containerPort: vars.containerPort,
      healthCheckCommand: vars.containerHealthCheckCommand,
      cpu: vars.taskCpu,
      memoryMib: vars.taskMemoryMib,
      memoryReservationMib: vars.taskMemoryReservationMib,
      stopTimeoutSeconds: vars.containerStopTimeoutSeconds,
      desiredCount: vars.desiredCount,
      deploymentMinimumHealthyPercent: vars.deploymentMinimumHealthyPercent,
      deploymentMaximumPercent: vars.deploymentMaximumPercent,
      healthCheckGracePeriodSeconds: vars.healthCheckGracePeriodSeconds,
      privateRegistrySecretArn: vars.privateRegistrySecretArn,
    });
    if (service.logGroupName !== this.logGroupName)
      throw new Error(
        `EcsWebApp: the service logs to ${service.logGroupName}, but the instance role may write only to ${this.logGroupName}`,
      );
    return service;
  }

  /** Alarms to the alerts topic: targets failing health checks, and no healthy target at all. */
  alarms(alerts: Alerts, service: EcsWebService): void {
    const lb = this.loadBalancer;
    const dimensions = {
      LoadBalancer: lb.loadBalancer.arnSuffix,
      TargetGroup: lb.targetGroup.arnSuffix,
    };
    alerts.alarm('unhealthy-targets', {
      alarmName: `${service.serviceName}-unhealthy-targets`,
      alarmDescription: `Tasks of ${service.serviceName} fail load balancer health checks`,
      namespace: 'AWS/ApplicationELB',
      metricName: 'UnHealthyHostCount',
      dimensions,
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
    });
    alerts.alarm('no-healthy-targets', {
      alarmName: `${service.serviceName}-no-healthy-targets`,
      alarmDescription: `${service.serviceName} has no healthy task behind its load balancer`,
      namespace: 'AWS/ApplicationELB',
      metricName: 'HealthyHostCount',
      dimensions,
      statistic: 'Minimum',
      period: 60,
      evaluationPeriods: 3,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
    });
  }
}
