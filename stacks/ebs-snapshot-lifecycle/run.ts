import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Construct } from 'constructs';
import type { Alerts } from '../platform/alerts';
import { NodeFunction } from '../platform/node-function';
import type { OpsStack } from '../platform/ops-stack';
import { ServiceRole } from '../platform/service-role';
import { runDefinition } from './run-workflow';

/** IAM proof subject of the run state machine's role. */
export const RUN_STATE_MACHINE_SUBJECT = 'ebs-snapshot-run';

export interface SnapshotRunProps {
  /** The page function (ebs-snapshot-create), a task of the state machine. */
  readonly page: NodeFunction;
  readonly failureQueueArn: string;
  readonly failureQueueUrl: string;
  /** ARN of the schedule rule whose events start a run. */
  readonly scheduleRuleArn: string;
}

/**
 * A snapshot run as a Step Functions state machine, started by the `start` function on the schedule:
 * a run of any size outlives any one Lambda invocation, resumes where a failed page stopped, and never
 * overlaps the next scheduled run (the start function skips while one is running).
 */
export class SnapshotRun extends Construct {
  readonly start: NodeFunction;
  readonly stateMachine: SfnStateMachine;
  readonly stateMachineArn: string;

  constructor(stack: OpsStack, id: string, props: SnapshotRunProps) {
    super(stack, id);
    const name = stack.name('ebs-snapshot-run');
    this.stateMachineArn = stack.arn('states', `stateMachine:${name}`);
    const role = new ServiceRole(this, {
      name,
      service: 'states.amazonaws.com',
      // Only this account's state machines may assume it (confused-deputy guard).
      trustPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'states.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'aws:SourceAccount': stack.accountId },
              ArnLike: { 'aws:SourceArn': stack.arn('states', 'stateMachine:*') },
            },
          },
        ],
      }),
      policyName: 'least-privilege',
      statements: [
        {
          sid: 'InvokePageFunction',
          actions: ['lambda:InvokeFunction'],
          resources: [props.page.arn],
        },
        {
          sid: 'ReportFailedRuns',
          actions: ['sqs:SendMessage'],
          resources: [props.failureQueueArn],
        },
      ],
      iamSubject: RUN_STATE_MACHINE_SUBJECT,
      ids: { role: 'state-machine-role', policy: 'state-machine-policy' },
    });
    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name,
      type: 'STANDARD',
      roleArn: role.role.arn,
      definition: runDefinition({ page: props.page.arn, failureQueueUrl: props.failureQueueUrl }),
      dependsOn: [role.policy],
    });
    this.start = new NodeFunction(this, 'start', {
      asset: 'ebs-snapshot-start',
      name: 'ebs-snapshot-start',
      description: 'Starts a scheduled snapshot run, or skips it while the previous one still runs',
      timeoutSeconds: 60,
      environment: {
        STATE_MACHINE_ARN: this.stateMachineArn,
        SCHEDULE_RULE_ARN: props.scheduleRuleArn,
      },
      statements: [
        {
          sid: 'StartRunsOfThisStateMachine',
          actions: ['states:ListExecutions', 'states:StartExecution'],
          resources: [this.stateMachineArn],
        },
      ],
    });
  }

  /** A run that failed, timed out or was stopped notifies the topic (its state is in the failure queue). */
  alarms(alerts: Alerts): void {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      alerts.alarm(`run-${metric}`, {
        alarmName: `${this.stateMachine.name}-${metric}`,
        alarmDescription: `${this.stateMachine.name}: a snapshot run ended in ${metric}`,
        namespace: 'AWS/States',
        metricName: metric,
        dimensions: { StateMachineArn: this.stateMachineArn },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }
    alerts.functionErrors('start-errors', this.start);
  }
}
