import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { Alerts } from '../platform/alerts';
import { FailureQueue } from '../platform/failure-queue';
import { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';
import { policyDocument } from '../platform/iam';
import { FunctionSchedule } from '../platform/scheduled-function';
import { spliceResources } from '../platform/policy-splice';

export const TRIGGER_ASSET = 'redshift-resize-trigger';
/** Placeholder for the trigger alarm in JSON documents, replaced by a Terraform expression. */
const ALARM_PLACEHOLDER = 'TRIGGER_ALARM';
/** Name suffix of the re-check schedule's EventBridge rule. */
export const RECHECK_RULE = 'redshift-resize-recheck';

interface TriggerProps {
  readonly alerts: Alerts;
  readonly stateMachineArn: string;
  readonly clusterId: string;
  /**
   * The alarm whose ALARM state starts runs, as a bare Terraform expression (no `${}`): it holds quotes, so it
   * is spliced into JSON documents after they are serialized, never through JSON.stringify.
   */
  readonly alarmNameExpression: string;
  /** redshift_trigger: "none" makes the trigger ignore every alarm and tick. */
  readonly trigger: string;
  /** Minutes between two re-checks of the alarm (a Terraform expression is fine). */
  readonly recheckMinutes: string;
}

/**
 * The trigger: starts a run on each ALARM transition of the alarm (SNS, filtered to that alarm's ALARM
 * transitions), and on each re-check tick while the alarm stays in ALARM (EventBridge schedule), one run at
 * a time. Construct ids are the stack's ('trigger', 'trigger-failures', ...), as before this was split out.
 */
export function resizeTrigger(stack: OpsStack, props: TriggerProps) {
  const failures = new FailureQueue(stack, 'trigger-failures', {
    name: 'redshift-resize-trigger-failures',
  });
  const trigger = new NodeFunction(stack, 'trigger', {
    asset: TRIGGER_ASSET,
    name: TRIGGER_ASSET,
    description:
      'Starts one resize execution per ALARM transition of the Redshift alarm, and re-checks it on a schedule',
    timeoutSeconds: 30,
    // Serializes deliveries and ticks, so two of them cannot both see "nothing running" and start two runs.
    reservedConcurrency: 1,
    onFailure: failures.destination,
    environment: {
      STATE_MACHINE_ARN: props.stateMachineArn,
      ALARM_NAME: `\${${props.alarmNameExpression}}`,
      CLUSTER_ID: props.clusterId,
      RECHECK_RULE_ARN: FunctionSchedule.ruleArnOf(stack, RECHECK_RULE),
      TRIGGER: props.trigger,
    },
    statements: [
      {
        sid: 'StartOneResizeAtATime',
        actions: ['states:ListExecutions', 'states:StartExecution'],
        resources: [props.stateMachineArn],
      },
      {
        sid: 'ReadTheAlarmState',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [ALARM_PLACEHOLDER],
      },
    ],
  });
  const alarmArn = `arn:\${${stack.partition}}:cloudwatch:\${${stack.region}}:\${${stack.accountId}}:alarm:\${${props.alarmNameExpression}}`;
  trigger.policy.policy = spliceResources(
    policyDocument(trigger.statements),
    ALARM_PLACEHOLDER,
    `jsonencode("${alarmArn}")`,
  );
  new FunctionSchedule(stack, trigger, {
    name: RECHECK_RULE,
    description: 'Re-checks the Redshift resize alarm: starts a run while it stays in ALARM',
    expression: `rate(${props.recheckMinutes} minutes)`,
  });
  new LambdaPermission(stack, 'trigger-invoke', {
    statementId: 'AllowAlertsTopic',
    action: 'lambda:InvokeFunction',
    functionName: trigger.function.functionName,
    principal: 'sns.amazonaws.com',
    sourceArn: props.alerts.topic.arn,
  });
  new SnsTopicSubscription(stack, 'trigger-subscription', {
    topicArn: props.alerts.topic.arn,
    protocol: 'lambda',
    endpoint: trigger.function.arn,
    filterPolicyScope: 'MessageBody',
    filterPolicy: spliceResources(
      JSON.stringify({ AlarmName: [ALARM_PLACEHOLDER], NewStateValue: ['ALARM'] }),
      ALARM_PLACEHOLDER,
      `jsonencode(${props.alarmNameExpression})`,
    ),
  });
  return { trigger, failures };
}
