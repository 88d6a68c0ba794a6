import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import type { LocalFunction } from './invoke';

/** A Task failure as Step Functions reports a Lambda error: Error = errorType, Cause = its JSON. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

type States = Record<string, { Type: string; Resource?: string; Retry?: unknown }>;

/**
 * Runs a deployed state machine definition with aws-local-stepfunctions: Task states whose Resource is a
 * deployed function's ARN invoke that function's zip (LocalFunction), `aws-sdk:sqs:sendMessage` goes to the
 * emulator's SQS; every Wait and Retry interval is 0. Other resources are refused.
 */
export async function runDefinition(
  definition: string,
  input: unknown,
  functions: Readonly<Record<string, LocalFunction>>,
  endpoint: string,
): Promise<{ status: string; output?: unknown; error?: string; cause?: string }> {
  const parsed = JSON.parse(definition) as StateMachineDefinition & { States: States };
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  const sqs = new SQSClient({
    endpoint,
    region: EMULATOR_REGION,
    credentials: EMULATOR_CREDENTIALS,
  });
  for (const [name, state] of Object.entries(parsed.States)) {
    if (state.Retry) retries[name] = 0;
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Type !== 'Task' || !state.Resource) continue;
    const fn = functions[state.Resource];
    if (fn) {
      handlers[name] = async (payload) => {
        const r = await fn.invoke(payload);
        if (r.ok) return r.result;
        throw new TaskError(
          r.error.name,
          JSON.stringify({ errorType: r.error.name, errorMessage: r.error.message }),
        );
      };
    } else if (/:states:::aws-sdk:sqs:sendMessage$/.test(state.Resource)) {
      handlers[name] = async (params) => sqs.send(new SendMessageCommand(params as never));
    } else {
      throw new Error(`state ${name}: no local emulation for Resource ${state.Resource}`);
    }
  }
  const machine = new StateMachine(parsed, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: waits,
      retryIntervalOverrides: retries,
    },
  });
  try {
    return { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: unknown };
    return {
      status: 'FAILED',
      error: e.name ?? 'Error',
      cause: String(e.message ?? e.cause ?? ''),
    };
  }
}
