import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { Construct } from 'constructs';
import {
  SIGNAL_DIMENSION,
  SPOT_SIGNAL_METRICS,
  SPOT_SIGNAL_SERVICE_NAME,
  SPOT_SIGNALS,
  type SpotSignal,
} from '../../functions/ecs-drain/spot-metric-names';
import type { EcsAutoScalingGroup } from '../ecs/auto-scaling-group';
import type { Alerts } from '../platform/alerts';
import { METRICS_NAMESPACE } from '../platform/dashboard';
import { FailureQueue } from '../platform/failure-queue';
import type { PolicyStatement } from '../platform/iam';
import { NodeFunction } from '../platform/node-function';
import { OpsStack } from '../platform/ops-stack';

/** Construct-id part and rule-name part of each signal's rule. */
const RULE_KEYS: Readonly<Record<SpotSignal, string>> = {
  InterruptionWarning: 'spot-interruption',
  RebalanceRecommendation: 'spot-rebalance',
};
/** EventBridge retries a failed delivery for up to an hour; an interruption is over in two minutes anyway. */
const RETRY = { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 } as const;

export interface SpotSignalsProps {
  readonly clusterName: string;
  readonly clusterArn: string;
  /** Signals about instances of other groups are ignored. */
  readonly groups: readonly EcsAutoScalingGroup[];
  readonly alerts: Alerts;
  /** Interruption warnings in one hour above which the alarm fires (variable). */
  readonly interruptionThreshold: number;
}

/**
 * Spot interruption warnings and rebalance recommendations, made visible: an EventBridge rule per signal ->
 * the signal function, which keeps only instances of this stack's groups (by Auto Scaling's own tag: the
 * events carry nothing but the instance id, so no event pattern can tell), logs the container instance and
 * its running tasks, and counts the signal per instance type and zone. Failed invocations go to a queue; an
 * alarm fires on too many interruptions in an hour. Not a Construct: resources are added to `scope`.
 */
export class SpotSignals {
  readonly fn: NodeFunction;
  readonly failures: FailureQueue;
  readonly interruptionAlarm: CloudwatchMetricAlarm;
  /** The small table of counted event ids; the fallback keeps its one state item there too. */
  readonly seenTableName: string;

  constructor(scope: Construct, props: SpotSignalsProps) {
    const stack = OpsStack.of(scope);
    const failures = (this.failures = new FailureQueue(scope, 'spot-signal-failures', {
      name: 'ecs-spot-signal-failures',
    }));
    // The event ids already counted: EventBridge delivers at least once, and a signal is counted once.
    const seenName = (this.seenTableName = stack.name('ecs-spot-signals-seen'));
    new DynamodbTable(scope, 'spot-signals-seen', {
      name: seenName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'event_id',
      attribute: [{ name: 'event_id', type: 'S' }],
      ttl: { attributeName: 'ttl', enabled: true },
      serverSideEncryption: { enabled: true },
    });
    const inCluster = { ArnEquals: { 'ecs:cluster': props.clusterArn } };
    const statements: PolicyStatement[] = [
      {
        sid: 'DescribeSignalledInstance',
        actions: ['ec2:DescribeInstances'],
        resources: ['*'],
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
        wildcardReason: 'ec2:DescribeInstances supports no resource-level permissions.',
      },
      {
        sid: 'FindContainerInstance',
        actions: ['ecs:ListContainerInstances'],
        resources: [props.clusterArn],
      },
      {
        sid: 'ContainerInstancesOfCluster',
        actions: ['ecs:DescribeContainerInstances', 'ecs:ListTasks'],
        resources: [stack.arn('ecs', `container-instance/${props.clusterName}/*`)],
        conditions: inCluster,
      },
      {
        sid: 'CountEachEventOnce',
        actions: ['dynamodb:PutItem'],
        resources: [stack.arn('dynamodb', `table/${seenName}`)],
      },
    ];
    const fn = (this.fn = new NodeFunction(scope, 'spot-signal', {
      asset: 'ecs-drain-spot-signal',
      name: 'ecs-spot-signal',
      description: 'Logs and counts Spot interruption warnings and rebalance recommendations',
      timeoutSeconds: 60,
      memoryMb: 256,
      onFailure: failures.destination,
      environment: {
        CLUSTER_NAME: props.clusterName,
        GROUP_NAMES: props.groups.map((g) => g.groupName).join(','),
        SEEN_TABLE_NAME: seenName,
        POWERTOOLS_SERVICE_NAME: SPOT_SIGNAL_SERVICE_NAME,
      },
      statements,
    }));

    // Event shapes: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
    // and https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
    for (const [detailType, signal] of Object.entries(SPOT_SIGNALS) as Array<
      [keyof typeof SPOT_SIGNALS, SpotSignal]
    >) {
      const key = RULE_KEYS[signal];
      const rule = new CloudwatchEventRule(scope, key, {
        name: stack.name(`ecs-${key}`),
        description: `${detailType} events: counted and logged by ${fn.functionName} for this stack's instances`,
        eventPattern: JSON.stringify({ source: ['aws.ec2'], 'detail-type': [detailType] }),
      });
      new CloudwatchEventTarget(scope, `${key}-target`, {
        rule: rule.name,
        arn: fn.function.arn,
        retryPolicy: RETRY,
      });
      // A delivery that failed after the retries is dropped (no dead-letter queue on the target): counted
      // per rule as FailedInvocations, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
      props.alerts.alarm(`${key}-failed-deliveries`, {
        alarmName: `${stack.name(`ecs-${key}`)}-failed-deliveries`,
        alarmDescription: `EventBridge could not deliver ${detailType} events to ${fn.functionName}`,
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensions: { RuleName: rule.name },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
      new LambdaPermission(scope, `${key}-invoke`, {
        statementId: `AllowEventBridge-${key}`,
        action: 'lambda:InvokeFunction',
        functionName: fn.function.functionName,
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      });
    }

    props.alerts.functionErrors('spot-signal-errors', fn);
    props.alerts.queueNotEmpty('spot-signal-failures-not-empty', failures.name);
    this.interruptionAlarm = props.alerts.alarm('spot-interruptions', {
      alarmName: `${fn.functionName}-interruptions`,
      alarmDescription:
        "More Spot interruption warnings in an hour than ecs_spot_interruption_alarm_threshold for this stack's instances",
      namespace: METRICS_NAMESPACE,
      metricName: SPOT_SIGNAL_METRICS.signals,
      dimensions: { service: SPOT_SIGNAL_SERVICE_NAME, [SIGNAL_DIMENSION]: 'InterruptionWarning' },
      statistic: 'Sum',
      period: 3600,
      evaluationPeriods: 1,
      threshold: props.interruptionThreshold,
      comparisonOperator: 'GreaterThanThreshold',
    });
  }
}
