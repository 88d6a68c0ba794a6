import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { type IResolvable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { SPOT_FALLBACK_SERVICE_NAME } from '../../functions/ecs-drain/spot-fallback-metric-names';
import { PLACEMENT_FAILURE } from '../../functions/ecs-drain/spot-fallback-events';
import type { Alerts } from '../platform/alerts';
import type { PolicyStatement } from '../platform/iam';
import { countedRef, NodeFunction } from '../platform/node-function';
import { OpsStack } from '../platform/ops-stack';
import { encryptedTopicGrant } from '../platform/platform-grants';
import { FunctionSchedule } from '../platform/scheduled-function';

const SCHEDULE_NAME = 'ecs-spot-fallback';

export interface SpotFallbackProps {
  /** Variable ecs_spot_fallback_enabled: false creates nothing. */
  readonly enabled: boolean | IResolvable;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly onDemandProvider: string;
  readonly spotProvider: string;
  /** The configured split (variables), which the function restores after a shortage. */
  readonly split: {
    readonly onDemandBase: number;
    readonly onDemandWeight: number;
    readonly spotWeight: number;
  };
  readonly afterSeconds: number;
  readonly recoverAfterSeconds: number;
  readonly minIntervalSeconds: number;
  /** The stack's small DynamoDB table (hash key `event_id`) that holds the one state item. */
  readonly stateTableName: string;
  readonly alerts: Alerts;
}

/**
 * The On-Demand fallback (off by default): a function every minute, and on the service's task placement
 * failures, that shifts the service's capacity provider strategy to On-Demand while Spot tasks wait for
 * capacity, and back after a healthy period. Terraform keeps owning the configured split (no
 * ignore_changes): a shift is a temporary override that an apply undoes; see the stack README.
 */
export class SpotFallback extends Construct {
  readonly fn: NodeFunction;

  constructor(scope: Construct, id: string, props: SpotFallbackProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    const count = Token.asNumber(`\${${Token.asString(props.enabled)} ? 1 : 0}`);
    const serviceArn = stack.arn('ecs', `service/${props.clusterName}/${props.serviceName}`);
    const providerArn = (name: string) => stack.arn('ecs', `capacity-provider/${name}`);
    const inCluster = { ArnEquals: { 'ecs:cluster': props.clusterArn } };
    const statements: PolicyStatement[] = [
      {
        sid: 'ListServiceTasks',
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: inCluster,
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
        wildcardReason:
          'ListTasks by service names no container instance, the only resource type the reference lists for it; ecs:cluster (documented for ListTasks) limits it to the cluster.',
      },
      {
        sid: 'DescribeServiceTasks',
        actions: ['ecs:DescribeTasks'],
        resources: [stack.arn('ecs', `task/${props.clusterName}/*`)],
        conditions: inCluster,
      },
      {
        sid: 'ReadService',
        actions: ['ecs:DescribeServices'],
        resources: [serviceArn],
        conditions: inCluster,
      },
      {
        sid: 'ShiftServiceStrategy',
        actions: ['ecs:UpdateService'],
        resources: [serviceArn],
        // ecs:capacity-provider (ArrayOfARN) is documented for UpdateService: only these two providers.
        conditions: {
          ...inCluster,
          'ForAllValues:ArnEquals': {
            'ecs:capacity-provider': [
              providerArn(props.onDemandProvider),
              providerArn(props.spotProvider),
            ],
          },
        },
      },
      {
        sid: 'FallbackState',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [stack.arn('dynamodb', `table/${props.stateTableName}`)],
      },
      { sid: 'NotifyShift', actions: ['sns:Publish'], resources: [props.alerts.topicArn] },
      // SNS encrypts the message with the topic's key on the publisher's behalf; the key's id is known only
      // after apply, its alias from the inputs.
      encryptedTopicGrant({
        sid: 'EncryptForTopic',
        keyArnPattern: stack.arn('kms', 'key/*'),
        region: stack.region,
        keyAlias: `alias/${stack.name(stack.stackName)}`,
      }),
    ];
    const fn = (this.fn = new NodeFunction(this, 'function', {
      asset: 'ecs-drain-spot-fallback',
      name: 'ecs-spot-fallback',
      description: 'Shifts the Spot service to On-Demand while Spot capacity is short, and back',
      timeoutSeconds: 60,
      memoryMb: 256,
      count,
      environment: {
        CLUSTER_NAME: props.clusterName,
        SERVICE_NAME: props.serviceName,
        SCHEDULE_RULE_ARN: FunctionSchedule.ruleArnOf(this, SCHEDULE_NAME),
        ON_DEMAND_PROVIDER: props.onDemandProvider,
        SPOT_PROVIDER: props.spotProvider,
        ON_DEMAND_BASE: Token.asString(props.split.onDemandBase),
        ON_DEMAND_WEIGHT: Token.asString(props.split.onDemandWeight),
        SPOT_WEIGHT: Token.asString(props.split.spotWeight),
        AFTER_SECONDS: Token.asString(props.afterSeconds),
        RECOVER_AFTER_SECONDS: Token.asString(props.recoverAfterSeconds),
        MIN_INTERVAL_SECONDS: Token.asString(props.minIntervalSeconds),
        STATE_TABLE_NAME: props.stateTableName,
        TOPIC_ARN: props.alerts.topicArn,
        POWERTOOLS_SERVICE_NAME: SPOT_FALLBACK_SERVICE_NAME,
      },
      statements,
    }));
    new FunctionSchedule(this, fn, {
      name: SCHEDULE_NAME,
      description: `Every minute: ${fn.functionName} checks for Spot tasks waiting for capacity`,
      expression: 'rate(1 minute)',
    });

    // An earlier trigger than the schedule: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html
    const rule = new CloudwatchEventRule(this, 'placement-failure', {
      count,
      name: stack.name('ecs-spot-fallback-placement'),
      description: `${PLACEMENT_FAILURE} of ${props.serviceName}: ${fn.functionName} checks at once`,
      eventPattern: JSON.stringify({
        source: ['aws.ecs'],
        'detail-type': ['ECS Service Action'],
        resources: [serviceArn],
        detail: { eventName: [PLACEMENT_FAILURE] },
      }),
    });
    new CloudwatchEventTarget(this, 'placement-failure-target', {
      count,
      rule: countedRef(rule, 'name', rule.name, count),
      arn: fn.ref.arn,
    });
    new LambdaPermission(this, 'placement-failure-invoke', {
      count,
      statementId: 'AllowEventBridgePlacementFailure',
      action: 'lambda:InvokeFunction',
      functionName: fn.ref.name,
      principal: 'events.amazonaws.com',
      sourceArn: countedRef(rule, 'arn', rule.arn, count),
    });
    props.alerts.functionErrors('spot-fallback-errors', fn);
  }
}
