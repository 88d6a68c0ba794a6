import {
  ExecutionAlreadyExists,
  SFNClient,
  type ListExecutionsCommandInput,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TRIGGER_METRICS } from '../../../functions/redshift-resize/metric-names';
import { STATE_MACHINE_ARN } from '../../redshift-resize/fixtures/env';
import { ALARM_MESSAGE, snsEvent } from '../../redshift-resize/fixtures/events';
import { AnswerBook } from '../harness/answers';
import type { Scenario } from '../harness/matrix';
import type { Handler } from '../harness/platform';

interface Execution {
  readonly name: string;
  readonly input: string;
  readonly arn: string;
  readonly startDate: Date;
}

/**
 * StartExecution as documented: a name already used by a running execution with the same input returns that
 * execution (idempotent); any other reuse of a name is ExecutionAlreadyExists.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
function serveExecutions(book: AnswerBook, executions: Execution[]): void {
  book.on(ListExecutionsCommand).callsFake((input: ListExecutionsCommandInput) => ({
    executions: (input.statusFilter === 'RUNNING' || !input.statusFilter ? executions : [])
      .slice(0, input.maxResults ?? 100)
      .map((e) => ({
        executionArn: e.arn,
        stateMachineArn: STATE_MACHINE_ARN,
        name: e.name,
        status: 'RUNNING',
        startDate: e.startDate,
      })),
  }));
  book.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
    const name = input.name ?? '';
    const same = executions.find((e) => e.name === name);
    if (same && same.input === input.input)
      return { executionArn: same.arn, startDate: same.startDate };
    if (same)
      throw new ExecutionAlreadyExists({
        message: `Execution Already Exists: '${same.arn}'`,
        $metadata: {},
      });
    const execution = {
      name,
      input: input.input ?? '{}',
      arn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
      startDate: new Date(),
    };
    executions.push(execution);
    return { executionArn: execution.arn, startDate: execution.startDate };
  });
}

/**
 * The disk-space alarm's ALARM notification through SNS (an asynchronous invocation) to the trigger. Final
 * state: the executions started (one) and the resize requests the trigger counted (one).
 */
export function redshiftTriggerScenario(handler: () => Handler): Scenario {
  let executions: Execution[];
  return {
    name: 'redshift-resize-trigger',
    start: new Date(Date.parse(ALARM_MESSAGE.StateChangeTime.replace(/\+0000$/, 'Z')) + 10_000),
    operations: ['SFNClient.ListExecutions', 'SFNClient.StartExecution'],
    async prepare(wire) {
      executions = [];
      const sfn = new AnswerBook();
      serveExecutions(sfn, executions);
      wire.serve(SFNClient, sfn);
    },
    async run(platform) {
      await platform.invokeAsync('trigger', handler(), snsEvent(ALARM_MESSAGE));
    },
    state(platform) {
      return {
        executions: executions.map((e) => e.name),
        requested: platform.metrics
          .filter((m) => m.name === TRIGGER_METRICS.requested)
          .reduce((n, m) => n + m.value, 0),
      };
    },
  };
}
