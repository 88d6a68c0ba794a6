import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { Construct } from 'constructs';
import { countedRef, type NodeFunction } from './node-function';
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
 * invoke the function from that rule only; with the function's `count`, when the function exists. Not a Construct: the resources are added to `scope` as
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
    const count = fn.count !== undefined ? { count: fn.count } : {};
    this.rule = new CloudwatchEventRule(scope, 'schedule', {
      ...count,
      name: this.ruleName,
      description: props.description,
      scheduleExpression: props.expression,
    });
    new CloudwatchEventTarget(scope, 'schedule-target', {
      ...count,
      rule: countedRef(this.rule, 'name', this.rule.name, fn.count),
      arn: fn.ref.arn,
      retryPolicy: RETRY,
    });
    new LambdaPermission(scope, 'schedule-invoke', {
      ...count,
      statementId: 'AllowEventBridgeSchedule',
      action: 'lambda:InvokeFunction',
      functionName: fn.ref.name,
      principal: 'events.amazonaws.com',
      sourceArn: countedRef(this.rule, 'arn', this.rule.arn, fn.count),
    });
  }
}
