/** The Redshift resize workflow as Amazon States Language: what the stack and the tests use. */
export { S, STATE_MACHINE_SDK_ACTIONS, stateMachineSdkStatements } from './blocks';
export {
  isSnapshotRetentionDays,
  NumericExpression,
  PHASES,
  ResizeDefinitionInputError,
  type Phase,
  type ResizeDefinitionInput,
  type ResizePhaseSeconds,
} from './input';
export { buildResizeDefinition, renderResizeDefinition } from './render';
export {
  backstopTimeoutSeconds,
  MAX_EXECUTION_TIMEOUT_SECONDS,
  maxPollAttempts,
  maxReplicationPauseSeconds,
  minimumExecutionTimeoutSeconds,
} from './timing';
export type { AslChoiceState, AslDefinition, AslState, AslTaskState } from './types';
