import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import {
  AssetType,
  type ITerraformDependable,
  TerraformAsset,
  type TerraformResource,
  Token,
} from 'cdktf';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/shared/metric-spec';
import { type PolicyStatement } from './iam';
import { OpsStack } from './ops-stack';
import { platformGrant } from './platform-grants';
import { ServiceRole } from './service-role';

export interface NodeFunctionProps {
  /** Bundle name from the build step: functions/<group>/<name>.handler.ts -> "<group>-<name>". */
  readonly asset: string;
  /** Function name suffix; the full name is `<name_prefix>-<name>`. */
  readonly name: string;
  readonly description: string;
  /** Exactly what the handler's code calls; nothing else is granted (plus log delivery). */
  readonly statements: readonly PolicyStatement[];
  /** @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default undefined (unreserved) */
  readonly reservedConcurrency?: number;
  /**
   * The SQS queue or SNS topic that receives failed asynchronous invocations: its ARN (known at plan time, for
   * the policy) and its resource, which the destination setting waits for. @default none
   */
  readonly onFailure?: {
    readonly arn: string;
    readonly kind: 'sqs' | 'sns';
    readonly resource: ITerraformDependable;
  };
  /** Runs the function in these subnets with these security groups. @default not in a VPC */
  readonly vpc?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** Terraform `count` of every resource (a function that exists only with an option). @default always */
  readonly count?: number;
}

/**
 * A reference to `attr` of `resource`; with a count, the resource is a list: one() reads the attribute of
 * the one that exists, if any (null when the count is 0).
 */
export function countedRef(
  resource: TerraformResource,
  attr: string,
  plain: string,
  count: number | undefined,
): string {
  return count === undefined ? plain : Token.asString(`\${one(${resource.fqn}[*].${attr})}`);
}

const MAX_TIMEOUT_SECONDS = 900;

/** A bundled Node.js 22 Lambda on arm64 with its own least-privilege role and a log group with retention. */
export class NodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly policy: IamRolePolicy;
  readonly functionName: string;
  /** ARN built from inputs, known at plan time (for policies that name this function). */
  readonly arn: string;
  readonly statements: readonly PolicyStatement[];
  /** The `count` of its resources, if it exists only with an option. */
  readonly count?: number;
  /** The function's ARN and name as references, usable whether or not it has a count. */
  readonly ref: { readonly arn: string; readonly name: string };

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const timeout = props.timeoutSeconds ?? 60;
    const memory = props.memoryMb ?? 256;
    validate(props, timeout, memory);
    const count = props.count !== undefined ? { count: props.count } : {};
    if (props.count !== undefined) this.count = props.count;

    this.functionName = stack.name(props.name);
    this.arn = stack.arn('lambda', `function:${this.functionName}`);
    const logGroupName = `/aws/lambda/${this.functionName}`;

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      ...count,
      name: logGroupName,
      retentionInDays: stack.logRetentionDays,
    });

    this.statements = [
      ...props.statements,
      platformGrant('lambda-logs', {
        sid: 'WriteOwnLogs',
        resources: [stack.arn('logs', `log-group:${logGroupName}:*`)],
      }),
      ...(props.vpc
        ? [
            platformGrant('vpc-network-interfaces', {
              sid: 'VpcNetworkInterfaces',
              resources: ['*'],
              wildcardReason:
                'Lambda creates the ENIs before they exist; AWSLambdaVPCAccessExecutionRole grants the same on "*".',
            }),
          ]
        : []),
      ...(props.onFailure
        ? [
            platformGrant(
              props.onFailure.kind === 'sqs'
                ? 'failure-destination-sqs'
                : 'failure-destination-sns',
              { sid: 'OnFailureDestination', resources: [props.onFailure.arn] },
            ),
          ]
        : []),
    ];

    const role = new ServiceRole(this, {
      name: this.functionName,
      service: 'lambda.amazonaws.com',
      policyName: 'least-privilege',
      statements: this.statements,
      iamSubject: props.asset,
      ...count,
    });
    this.role = role.role;
    this.policy = role.policy;
    const policy = role.policy;

    const code = stack.codeSource.code(props.asset);
    const archive = code.kind === 'directory';
    const asset = new TerraformAsset(this, 'code', {
      path: code.zipPath,
      type: archive ? AssetType.ARCHIVE : AssetType.FILE,
    });

    this.function = new LambdaFunction(this, 'function', {
      ...count,
      functionName: this.functionName,
      description: props.description,
      role: countedRef(this.role, 'arn', this.role.arn, props.count),
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: archive ? asset.assetHash : code.sha256Base64,
      timeout,
      memorySize: memory,
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      loggingConfig: {
        logFormat: 'JSON',
        logGroup: countedRef(this.logGroup, 'name', this.logGroup.name, props.count),
        applicationLogLevel: 'INFO',
        systemLogLevel: 'WARN',
      },
      environment: {
        variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: props.asset,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          AWS_MAX_ATTEMPTS: '8',
          ...props.environment,
        },
      },
      ...(props.vpc
        ? {
            vpcConfig: {
              subnetIds: props.vpc.subnetIds,
              securityGroupIds: props.vpc.securityGroupIds,
            },
          }
        : {}),
      // The role's policy must exist before the first invocation can log or call anything.
      dependsOn: [policy, this.logGroup],
    });
    this.ref = {
      arn: countedRef(this.function, 'arn', this.function.arn, props.count),
      name: countedRef(this.function, 'function_name', this.function.functionName, props.count),
    };

    if (props.onFailure) {
      new LambdaFunctionEventInvokeConfig(this, 'async', {
        ...count,
        functionName: this.ref.name,
        maximumRetryAttempts: 2,
        destinationConfig: { onFailure: { destination: props.onFailure.arn } },
        // The ARN is known before the queue exists, so nothing else orders the two; Lambda checks the
        // destination when the setting is put (PutFunctionEventInvokeConfig: InvalidParameterValueException).
        dependsOn: [props.onFailure.resource],
      });
    }
  }
}

function validate(props: NodeFunctionProps, timeout: number, memory: number): void {
  if (!/^[a-z0-9-]+$/.test(props.asset))
    throw new Error(
      `NodeFunction asset "${props.asset}" must be the bundle name, like "ebs-snapshot-create"`,
    );
  if (
    !Token.isUnresolved(timeout) &&
    (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_SECONDS)
  ) {
    throw new Error(
      `NodeFunction timeoutSeconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS}, got ${timeout}`,
    );
  }
  if (
    !Token.isUnresolved(memory) &&
    (!Number.isInteger(memory) || memory < 128 || memory > 10240)
  ) {
    throw new Error(
      `NodeFunction memoryMb must be a whole number from 128 to 10240, got ${memory}`,
    );
  }
  const rc = props.reservedConcurrency;
  if (rc !== undefined && !Token.isUnresolved(rc) && (!Number.isInteger(rc) || rc < 0)) {
    throw new Error(`NodeFunction reservedConcurrency must be a whole number >= 0, got ${rc}`);
  }
  if (props.statements.length === 0)
    throw new Error(`NodeFunction "${props.name}" needs at least one policy statement`);
}
