import { AwsCallError, jsonCall } from '../aws/call';
import { jsonError, jsonReply } from '../aws/wire';
import type { StandInModule } from './types';

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

type Diagnostic = { severity: 'ERROR'; code: string; message: string };

/** asl-validator's verdict on a definition, in ValidateStateMachineDefinition's terms. */
export function validateAsl(definition: string): {
  result: 'OK' | 'FAIL';
  diagnostics: Diagnostic[];
} {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = 'INVALID_JSON_DESCRIPTION';
    return { result: 'FAIL', diagnostics: [{ severity: 'ERROR', code, message }] };
  }
  const verdict = aslValidator(parsed, { checkArn: true, checkPaths: true });
  if (verdict.isValid) return { result: 'OK', diagnostics: [] };
  const message = verdict.errorsText('; ');
  return {
    result: 'FAIL',
    diagnostics: [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message }],
  };
}

const docs = (op: string) =>
  `https://docs.aws.amazon.com/step-functions/latest/apireference/API_${op}.html`;

/**
 * Step Functions operations moto 5.2 lacks. aws_sfn_state_machine calls ValidateStateMachineDefinition while
 * planning (the provider retries the 404 until it times out): checked with asl-validator, so a broken
 * definition still fails the plan. It lists the machine's versions after every create and read
 * (ListStateMachineVersions; moto answers 500).
 */
export function sfnStandIns(): StandInModule {
  return {
    standIns: [
      {
        service: 'states',
        operation: 'ValidateStateMachineDefinition',
        docs: docs('ValidateStateMachineDefinition'),
        handle(req) {
          const verdict = validateAsl(String(req.params.definition ?? ''));
          return Promise.resolve(jsonReply({ ...verdict, truncated: false }));
        },
      },
      {
        service: 'states',
        operation: 'ListStateMachineVersions',
        docs: docs('ListStateMachineVersions'),
        // The stacks never publish a version (publish = false): a machine moto holds has none.
        async handle(req, ctx) {
          const arn = String(req.params.stateMachineArn ?? '');
          try {
            const target = 'AWSStepFunctions.DescribeStateMachine';
            await jsonCall(ctx.moto, 'states', target, { stateMachineArn: arn }, '1.0');
          } catch (error) {
            if (error instanceof AwsCallError && error.code === 'StateMachineDoesNotExist') {
              const message = `State Machine Does Not Exist: '${arn}'`;
              return jsonError(400, 'StateMachineDoesNotExist', message);
            }
            throw error;
          }
          return jsonReply({ stateMachineVersions: [] });
        },
      },
    ],
    fixUps: [],
  };
}
