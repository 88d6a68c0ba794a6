import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { Construct } from 'constructs';
import type { NodeFunction } from './node-function';
import { OpsStack } from './ops-stack';

export interface ScheduleProps {
  /** Name suffix of the EventBridge rule: `<name_prefix>-<name>`. */
  readonly name: string;
  readonly description: string;
  /** An EventBridge schedule expression, `cron(...)` or `rate(...)`. */
  readonly expression: string;
}

/** EventBridge retries a failed delivery twice within an hour; later ones are dropped, not queued. */
const RETRY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } as const;

/**
 * Runs a function on a schedule: an EventBridge rule, its target, and the permission for EventBridge to
 * invoke the function from that rule only. Not a Construct: the resources are added to `scope` as
 * 'schedule', 'schedule-target' and 'schedule-invoke', the addresses the stacks had with the block inline.
 */
export class FunctionSchedule {
  readonly rule: CloudwatchEventRule;
  /** The rule's name and ARN, built from inputs and known at plan time. */
  readonly ruleName: string;
  readonly ruleArn: string;

  /**
   * The ARN of the rule a schedule named `name` will have, known at plan time: the function's environment
   * carries it before the rule exists, so the handler can refuse events of any other rule.
   */
  static ruleArnOf(scope: Construct, name: string): string {
    const stack = OpsStack.of(scope);
    return stack.arn('events', `rule/${stack.name(name)}`);
  }

  constructor(scope: Construct, fn: NodeFunction, props: ScheduleProps) {
    const stack = OpsStack.of(scope);
    this.ruleName = stack.name(props.name);
    this.ruleArn = FunctionSchedule.ruleArnOf(scope, props.name);
    this.rule = new CloudwatchEventRule(scope, 'schedule', {
      name: this.ruleName,
      description: props.description,
      scheduleExpression: props.expression,
    });
    new CloudwatchEventTarget(scope, 'schedule-target', {
      rule: this.rule.name,
      arn: fn.function.arn,
      retryPolicy: RETRY,
    });
    new LambdaPermission(scope, 'schedule-invoke', {
      statementId: 'AllowEventBridgeSchedule',
      action: 'lambda:InvokeFunction',
      functionName: fn.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: this.rule.arn,
    });
  }
}
