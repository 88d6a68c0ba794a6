import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { OpsStack } from '../platform/ops-stack';
import { checkSpotNoticeFit, spotNoticePrecondition } from './spot-notice';
import { numText } from './expr';

/** Docker's ephemeral host ports: where bridge-mode tasks with hostPort 0 listen on the instance. */
export const DYNAMIC_PORTS = { from: 32768, to: 65535 } as const;

/** The target group's health check: a new task turns healthy after healthyThreshold x interval seconds. */
export const TARGET_HEALTH_CHECK = { intervalSeconds: 15, healthyThreshold: 2 } as const;

/** TLS 1.3 with TLS 1.2 fallback, AWS's recommended ALB policy. */
const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** Where the load balancer and the container instances live. */
export interface EcsNetworkRefs {
  readonly vpcId: string;
  /** Container instances; at least two subnets in different AZs. */
  readonly privateSubnetIds: string[];
  /** The internet-facing load balancer; at least two subnets in different AZs. */
  readonly publicSubnetIds: string[];
}

export interface EcsLoadBalancerProps {
  readonly network: EcsNetworkRefs;
  /** Name suffix of the load balancer, target group and security groups (`<name_prefix>-<name>`). */
  readonly name: string;
  /** Path of the target group health check. @default '/' */
  readonly healthCheckPath?: string;
  /** Seconds the target group drains a deregistered task. @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /** Stop timeout of the containers behind it; with the delay it must fit in the Spot notice. */
  readonly containerStopTimeoutSeconds: number;
  /**
   * ACM certificate ARN: non-empty adds an HTTPS listener and redirects HTTP to it (a Terraform count
   * switch, so a variable works). @default '' (HTTP only)
   */
  readonly certificateArn?: string;
}

function countIf(condition: string): number {
  return Token.asNumber(`\${${condition} ? 1 : 0}`);
}

/** Load balancer and target group names: at most 32 characters. */
const MAX_ELB_NAME = 32;

/**
 * Internet-facing ALB in the public subnets (80, and 443 with a certificate), one target group for
 * bridge-mode tasks on dynamic host ports, and the two security groups: the ALB's (80/443 from the
 * internet, out only to the instances' dynamic ports) and the instances' (dynamic ports from the ALB only).
 */
export class EcsLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  readonly httpListener: LbListener;
  readonly httpsListener: LbListener;
  readonly redirectRule: LbListenerRule;
  readonly albSecurityGroup: SecurityGroup;
  readonly instanceSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: EcsLoadBalancerProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const healthCheckPath = props.healthCheckPath ?? '/';
    const delay = props.deregistrationDelaySeconds ?? 30;
    const certificateArn = props.certificateArn ?? '';
    validate(props, healthCheckPath, delay);
    checkSpotNoticeFit(delay, props.containerStopTimeoutSeconds);
    const name = stack.name(props.name);

    this.albSecurityGroup = new SecurityGroup(this, 'alb-sg', {
      name: `${name}-alb`,
      description: 'Load balancer: HTTP and HTTPS from the internet',
      vpcId: props.network.vpcId,
      tags: { Name: `${name}-alb` },
    });
    this.instanceSecurityGroup = new SecurityGroup(this, 'instance-sg', {
      name: `${name}-instances`,
      description: 'Container instances: task ports from the load balancer only',
      vpcId: props.network.vpcId,
      tags: { Name: `${name}-instances` },
    });
    for (const port of [80, 443]) {
      new VpcSecurityGroupIngressRule(this, `alb-in-${port}`, {
        securityGroupId: this.albSecurityGroup.id,
        description: `Port ${port} from the internet`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
      });
    }
    new VpcSecurityGroupEgressRule(this, 'alb-out-tasks', {
      securityGroupId: this.albSecurityGroup.id,
      description: 'Requests and health checks to tasks on dynamic host ports',
      ipProtocol: 'tcp',
      fromPort: DYNAMIC_PORTS.from,
      toPort: DYNAMIC_PORTS.to,
      referencedSecurityGroupId: this.instanceSecurityGroup.id,
    });
    new VpcSecurityGroupIngressRule(this, 'instance-in-alb', {
      securityGroupId: this.instanceSecurityGroup.id,
      description: 'Dynamic host ports of bridge-mode tasks, from the load balancer only',
      ipProtocol: 'tcp',
      fromPort: DYNAMIC_PORTS.from,
      toPort: DYNAMIC_PORTS.to,
      referencedSecurityGroupId: this.albSecurityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, 'instance-out-https', {
      securityGroupId: this.instanceSecurityGroup.id,
      description: 'HTTPS to AWS APIs (ECS, ECR, S3, CloudWatch Logs) and image registries',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });

    this.loadBalancer = new Lb(this, 'alb', {
      name,
      loadBalancerType: 'application',
      internal: false,
      subnets: props.network.publicSubnetIds,
      securityGroups: [this.albSecurityGroup.id],
      dropInvalidHeaderFields: true,
      tags: { Name: name },
      lifecycle: {
        precondition: [
          {
            condition: `\${length(${stack.namePrefix}) + ${props.name.length + 1} <= ${MAX_ELB_NAME}}`,
            errorMessage: `Load balancer and target group name "${name}" is longer than ${MAX_ELB_NAME} characters: shorten name_prefix.`,
          },
        ],
      },
    });

    const { condition, errorMessage } = spotNoticePrecondition(
      delay,
      props.containerStopTimeoutSeconds,
    );
    this.targetGroup = new LbTargetGroup(this, 'tasks', {
      name,
      // ECS registers each task with its dynamic host port; this port is only the default.
      port: 80,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId: props.network.vpcId,
      deregistrationDelay: numText(delay),
      healthCheck: {
        enabled: true,
        path: healthCheckPath,
        matcher: '200-399',
        protocol: 'HTTP',
        port: 'traffic-port',
        interval: TARGET_HEALTH_CHECK.intervalSeconds,
        timeout: 5,
        healthyThreshold: TARGET_HEALTH_CHECK.healthyThreshold,
        unhealthyThreshold: 3,
      },
      lifecycle: { precondition: [{ condition, errorMessage }] },
      tags: { Name: name },
    });

    // The listener switch compares the value itself, so a variable (or a literal) both work.
    const hasCertificate = Token.isUnresolved(certificateArn)
      ? `${certificateArn} != ""`
      : String(certificateArn !== '');

    this.httpListener = new LbListener(this, 'http', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
    });
    this.httpsListener = new LbListener(this, 'https', {
      count: countIf(hasCertificate),
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: TLS_POLICY,
      certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
    });
    // A rule, not a second port-80 listener: switching the certificate on or off never makes two
    // listeners on one port exist at once.
    this.redirectRule = new LbListenerRule(this, 'http-to-https', {
      count: countIf(hasCertificate),
      listenerArn: this.httpListener.arn,
      priority: 1,
      condition: [{ pathPattern: { values: ['/*'] } }],
      action: [
        {
          type: 'redirect',
          redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
        },
      ],
    });
  }
}

function validate(props: EcsLoadBalancerProps, healthCheckPath: string, delay: number): void {
  if (!/^[a-z0-9-]{1,22}$/.test(props.name))
    throw new Error(
      `EcsLoadBalancer name must be 1-22 lowercase letters, digits or "-" (load balancer names are short), got "${props.name}"`,
    );
  if (!Token.isUnresolved(healthCheckPath) && !healthCheckPath.startsWith('/'))
    throw new Error(
      `EcsLoadBalancer healthCheckPath must start with "/", got "${healthCheckPath}"`,
    );
  if (!Token.isUnresolved(delay) && (!Number.isInteger(delay) || delay < 0 || delay > 3600))
    throw new Error(
      `EcsLoadBalancer deregistrationDelaySeconds must be a whole number from 0 to 3600, got ${delay}`,
    );
  const stop = props.containerStopTimeoutSeconds;
  if (!Token.isUnresolved(stop) && (!Number.isInteger(stop) || stop < 0))
    throw new Error(
      `EcsLoadBalancer containerStopTimeoutSeconds must be a whole number >= 0, got ${stop}`,
    );
  for (const [label, subnets] of [
    ['publicSubnetIds', props.network.publicSubnetIds],
    ['privateSubnetIds', props.network.privateSubnetIds],
  ] as const) {
    if (!Token.isUnresolved(subnets) && subnets.length < 2)
      throw new Error(
        `EcsLoadBalancer network.${label} needs at least two subnets in different AZs, got ${JSON.stringify(subnets)}`,
      );
  }
}
