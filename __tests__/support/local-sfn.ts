import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { IAM_CALLS_DIR, type RecordedCall } from './iam-recorder';

/**
 * Runs a state machine definition offline with aws-local-stepfunctions, the way a deployed one would run:
 *  - the definition is given as the JSON string a synthesized stack holds;
 *  - Task states whose Resource is a Lambda function ARN run the project's real handler (from `lambdas`),
 *    with Lambda's JSON round trip and its error shape (Error = errorType, Cause = {errorType, errorMessage});
 *  - SDK-integration tasks (arn:aws:states:::aws-sdk:<service>:<action>) and optimized integrations
 *    (arn:aws:states:::sns:publish, ...) send the matching SDK v3 command through the client given for the
 *    service in `sdkClients` (a client the test mocks with aws-sdk-client-mock), and fail with Step Functions'
 *    error names (<Service>.<Name>Exception);
 *  - every Wait and every Retry pause is 0;
 *  - every SDK call the state machine itself makes is recorded for the IAM proof under `iamSubject`.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SendingClient = { send(command: any): Promise<unknown> };
export type LambdaHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

export interface LocalLambdaContext {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  readonly getRemainingTimeInMillis: () => number;
}

export interface LocalRunOptions {
  /** Execution input (the trigger's StartExecution input). */
  readonly input?: unknown;
  /** $$.Execution.Name. */
  readonly executionName?: string;
  /** Handlers by the function ARN used as a Task Resource (or as FunctionName of lambda:invoke). */
  readonly lambdas: Readonly<Record<string, LambdaHandler>>;
  /** SDK clients by the service name of the integration ARN: "redshift", "sns", "databasemigration", ... */
  readonly sdkClients: Readonly<Record<string, SendingClient>>;
  /** IAM subject the state machine's own SDK calls are recorded under (its role). Default: not recorded. */
  readonly iamSubject?: string;
}

export interface SdkCall {
  readonly stateName: string;
  readonly client: string;
  readonly command: string;
  readonly input: unknown;
}

export interface LocalExecution {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Top-level states in the order they were entered (a state entered twice appears twice). */
  readonly visitedStates: string[];
  /** Calls made by SDK-integration / optimized-integration tasks. */
  readonly sdkCalls: SdkCall[];
  readonly lambdaCalls: {
    readonly stateName: string;
    readonly functionArn: string;
    readonly input: unknown;
  }[];
}

interface ValidationResult {
  isValid: boolean;
  errorsText: (separator?: string) => string;
}
// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => ValidationResult;

/** asl-validator over the JSON string (parsed afresh: the validator annotates what it is given). */
export function validateDefinition(definitionJson: string): { isValid: boolean; errors: string } {
  const result = aslValidator(JSON.parse(definitionJson), { checkArn: true, checkPaths: true });
  return { isValid: result.isValid, errors: result.isValid ? '' : result.errorsText('\n') };
}

/** SDK v3 package and Step Functions error prefix for each integration service name. */
const SERVICES: Record<string, { pkg: string; errorPrefix: string }> = {
  redshift: { pkg: '@aws-sdk/client-redshift', errorPrefix: 'Redshift' },
  sns: { pkg: '@aws-sdk/client-sns', errorPrefix: 'SNS' },
  databasemigration: {
    pkg: '@aws-sdk/client-database-migration-service',
    errorPrefix: 'DatabaseMigration',
  },
  sfn: { pkg: '@aws-sdk/client-sfn', errorPrefix: 'Sfn' },
  sqs: { pkg: '@aws-sdk/client-sqs', errorPrefix: 'Sqs' },
};

interface AnyState {
  Type: string;
  Resource?: string;
  Retry?: unknown[];
  Branches?: { States: Record<string, AnyState> }[];
  ItemProcessor?: { States: Record<string, AnyState> };
  Iterator?: { States: Record<string, AnyState> };
}

function* allStates(states: Record<string, AnyState>): Generator<[string, AnyState]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    for (const branch of state.Branches ?? []) yield* allStates(branch.States);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) yield* allStates(processor.States);
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** JSON as Step Functions passes it on: no SDK $metadata, dates as ISO strings. */
const asJson = (value: unknown): unknown =>
  value === undefined
    ? null
    : JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === '$metadata' ? undefined : v)));

class TaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Step Functions names SDK-integration errors <Service>.<Name>, always with the Exception suffix. */
function sfnErrorName(prefix: string, error: unknown): string {
  const name = error instanceof Error ? error.name : 'UnknownError';
  return `${prefix}.${name.replace(/(Fault|Exception)$/, '')}Exception`;
}

export async function runDefinition(
  definitionJson: string,
  options: LocalRunOptions,
): Promise<LocalExecution> {
  const definition = JSON.parse(definitionJson) as StateMachineDefinition & {
    States: Record<string, AnyState>;
  };
  const sdkCalls: SdkCall[] = [];
  const lambdaCalls: { stateName: string; functionArn: string; input: unknown }[] = [];
  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  let requestId = 0;

  const invokeLambda = async (
    stateName: string,
    functionArn: string,
    payload: unknown,
  ): Promise<unknown> => {
    const handler = options.lambdas[functionArn];
    if (!handler) throw new Error(`state ${stateName}: no local handler for Lambda ${functionArn}`);
    lambdaCalls.push({ stateName, functionArn, input: payload });
    const context: LocalLambdaContext = {
      functionName: functionArn.split(':').pop() ?? functionArn,
      invokedFunctionArn: functionArn,
      awsRequestId: `local-${++requestId}`,
      getRemainingTimeInMillis: () => 60_000,
    };
    try {
      return asJson(await handler(asJson(payload), context));
    } catch (error) {
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      throw new TaskError(errorType, JSON.stringify({ errorType, errorMessage }));
    }
  };

  const callService = async (
    stateName: string,
    service: string,
    action: string,
    input: unknown,
  ): Promise<unknown> => {
    const spec = SERVICES[service];
    const client = options.sdkClients[service];
    if (!spec || !client)
      throw new Error(`state ${stateName}: no SDK client for service ${service}`);
    const commandName = pascal(action);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Command = (require(spec.pkg) as Record<string, new (input: unknown) => unknown>)[
      `${commandName}Command`
    ];
    if (!Command) throw new Error(`state ${stateName}: ${spec.pkg} has no ${commandName}Command`);
    // The optimized SNS integration accepts a JSON Message and sends it serialized.
    if (service === 'sns' && action === 'publish') {
      const message = (input as { Message?: unknown }).Message;
      if (message !== undefined && typeof message !== 'string')
        input = { ...(input as object), Message: JSON.stringify(message) };
    }
    sdkCalls.push({ stateName, client: client.constructor.name, command: commandName, input });
    try {
      return asJson(await client.send(new Command(input)));
    } catch (error) {
      throw new TaskError(
        sfnErrorName(spec.errorPrefix, error),
        error instanceof Error ? error.message : String(error),
      );
    }
  };

  for (const [name, state] of allStates(definition.States)) {
    if (state.Retry) retryIntervalOverrides[name] = 0;
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Type !== 'Task' || state.Resource === undefined) continue;
    const resource = state.Resource;
    const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(resource);
    const optimized = /^arn:aws[a-z-]*:states:::(sns):(publish)$/.exec(resource);
    if (sdk?.[1] && sdk[2]) {
      const [service, action] = [sdk[1], sdk[2]];
      taskResourceLocalHandlers[name] = (input) => callService(name, service, action, input);
    } else if (optimized?.[1] && optimized[2]) {
      const [service, action] = [optimized[1], optimized[2]];
      taskResourceLocalHandlers[name] = (input) => callService(name, service, action, input);
    } else if (/^arn:aws[a-z-]*:states:::lambda:invoke$/.test(resource)) {
      taskResourceLocalHandlers[name] = async (input) => {
        const { FunctionName, Payload } = input as { FunctionName: string; Payload?: unknown };
        return { StatusCode: 200, Payload: await invokeLambda(name, FunctionName, Payload ?? {}) };
      };
    } else if (
      /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(
        resource,
      )
    ) {
      taskResourceLocalHandlers[name] = (input) => invokeLambda(name, resource, input);
    } else {
      throw new Error(`state ${name}: no local emulation for Resource ${resource}`);
    }
  }

  const machine = new StateMachine(definition, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const execution = machine.run((options.input ?? {}) as never, {
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      waitTimeOverrides,
      retryIntervalOverrides,
    },
    context: { Execution: { Name: options.executionName ?? 'local-execution' } },
  });

  const visitedStates: string[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs as AsyncIterable<{
      type: string;
      state?: { name: string };
    }>) {
      if (event.type === 'StateEntered' && event.state) visitedStates.push(event.state.name);
    }
  })();

  let result: Omit<LocalExecution, 'visitedStates' | 'sdkCalls' | 'lambdaCalls'>;
  try {
    result = { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    if (error instanceof ExecutionTimeoutError) result = { status: 'TIMED_OUT' };
    else if (error instanceof ExecutionError && error.cause instanceof Error) {
      result = { status: 'FAILED', error: error.cause.name, cause: error.cause.message };
    } else throw error;
  } finally {
    if (options.iamSubject !== undefined) record(options.iamSubject, sdkCalls);
  }
  await collecting;
  return { ...result, visitedStates, sdkCalls, lambdaCalls };
}

function record(functionName: string, calls: readonly SdkCall[]): void {
  if (calls.length === 0) return;
  mkdirSync(IAM_CALLS_DIR, { recursive: true });
  const lines = calls.map((c) => {
    const entry: RecordedCall = {
      functionName,
      client: c.client,
      command: c.command,
      input: c.input,
    };
    return JSON.stringify(entry);
  });
  appendFileSync(
    join(IAM_CALLS_DIR, `${functionName}.${process.pid}.jsonl`),
    lines.join('\n') + '\n',
  );
}
