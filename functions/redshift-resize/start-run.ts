import { ListExecutionsCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '../shared/logger';
import type { TriggerEnv } from './env';

export interface TriggerClients {
  readonly sfn: SFNClient;
}

export type TriggerOutcome =
  | { readonly outcome: 'STARTED'; readonly executionName: string; readonly executionArn: string }
  | { readonly outcome: 'DUPLICATE'; readonly executionName: string }
  | { readonly outcome: 'ALREADY_RUNNING'; readonly runningExecutionArn: string }
  | { readonly outcome: 'IGNORED'; readonly reason: string };

/** Who asked for the run: an ALARM transition, or the schedule that finds the alarm still in ALARM. */
export type RunSource = 'alarm' | 'recheck';

interface RunRequest {
  /** Deterministic, so a repeated delivery of the same request cannot start a second run. */
  readonly executionName: string;
  readonly input: { readonly clusterId: string; readonly source: RunSource } & Record<
    string,
    unknown
  >;
}

/**
 * Starts one resize execution unless one is running: at most one runs at a time (the state machine serves
 * one cluster, and the trigger's reserved concurrency of 1 serializes the SNS and schedule paths).
 * StartExecution with the same name and input is idempotent while the first runs; ExecutionAlreadyExists
 * (same name, other input, or an execution that has ended) means this request was served already.
 */
export async function startRun(
  clients: TriggerClients,
  env: TriggerEnv,
  request: RunRequest,
): Promise<TriggerOutcome> {
  const { executionName } = request;
  const running = await clients.sfn.send(
    new ListExecutionsCommand({
      stateMachineArn: env.STATE_MACHINE_ARN,
      statusFilter: 'RUNNING',
      maxResults: 1,
    }),
  );
  const current = running.executions?.[0];
  const runningArn = current?.executionArn;
  // Our own name running: an earlier attempt's StartExecution was applied and its reply lost (the async
  // retry comes here), so this request did start the run. Execution names are unique per state machine:
  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
  if (runningArn !== undefined && current?.name === executionName) {
    logger.info('our execution is already running (an earlier attempt started it)', {
      executionName,
      runningArn,
    });
    return { outcome: 'STARTED', executionName, executionArn: runningArn };
  }
  if (runningArn !== undefined) {
    logger.info('a resize execution is already running; not starting another', {
      runningArn,
      executionName,
    });
    return { outcome: 'ALREADY_RUNNING', runningExecutionArn: runningArn };
  }
  try {
    const started = await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env.STATE_MACHINE_ARN,
        name: executionName,
        input: JSON.stringify(request.input),
      }),
    );
    logger.info('resize execution started', {
      executionName,
      executionArn: started.executionArn,
      source: request.input.source,
    });
    return { outcome: 'STARTED', executionName, executionArn: started.executionArn ?? '' };
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionAlreadyExists') {
      logger.info('execution for this request already exists (duplicate delivery)', {
        executionName,
      });
      return { outcome: 'DUPLICATE', executionName };
    }
    throw error;
  }
}
