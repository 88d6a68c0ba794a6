import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  runDefinition as runLocally,
  type LambdaHandler,
  type SendingClient,
} from '../../../__tests__/support/local-sfn';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION } from '../aws/call';
import type { LocalFunction } from './invoke';

export interface DeployedRun {
  readonly status: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Top-level states in the order they were entered. */
  readonly visitedStates: string[];
}

/** The emulator's client for each SDK-integration service a deployed definition may use. */
export function emulatorClients(endpoint: string): Record<string, SendingClient> {
  const config = { endpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS };
  return {
    databasemigration: new DatabaseMigrationServiceClient(config),
    redshift: new RedshiftClient(config),
    sfn: new SFNClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
  };
}

/**
 * Runs a deployed state machine definition with the project's aws-local-stepfunctions runner
 * (__tests__/support/local-sfn.ts): Task states whose Resource is a deployed function's ARN invoke that
 * function's zip (LocalFunction); SDK integrations go to the emulator (`clients` replaces some, e.g. to inject
 * a fault); every Wait and Retry interval is 0. Nothing is recorded for the IAM proof.
 */
export async function runDefinition(
  definition: string,
  input: unknown,
  functions: Readonly<Record<string, LocalFunction>>,
  endpoint: string,
  options: { clients?: Record<string, SendingClient>; executionName?: string } = {},
): Promise<DeployedRun> {
  const lambdas: Record<string, LambdaHandler> = {};
  for (const [arn, fn] of Object.entries(functions)) {
    lambdas[arn] = async (event) => {
      const r = await fn.invoke(event);
      if (r.ok) return r.result;
      throw Object.assign(new Error(r.error.message), { name: r.error.name });
    };
  }
  const run = await runLocally(definition, {
    input,
    lambdas,
    sdkClients: { ...emulatorClients(endpoint), ...options.clients },
    ...(options.executionName ? { executionName: options.executionName } : {}),
  });
  return {
    status: run.status,
    visitedStates: run.visitedStates,
    ...(run.output !== undefined ? { output: run.output } : {}),
    ...(run.error !== undefined ? { error: run.error } : {}),
    ...(run.cause !== undefined ? { cause: run.cause } : {}),
  };
}
