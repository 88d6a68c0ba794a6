/**
 * Amazon States Language types: the subset the Redshift resize workflow uses (JSONPath query language).
 * https://states-language.net/spec.html
 */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface AslCatcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

interface AslStateBase {
  Comment?: string;
}

type Transition = { Next: string; End?: never } | { End: true; Next?: never };

export type AslTaskState = AslStateBase &
  Transition & {
    Type: 'Task';
    Resource: string;
    Parameters?: { [key: string]: JsonValue };
    ResultSelector?: { [key: string]: JsonValue };
    ResultPath?: string | null;
    TimeoutSeconds?: number;
    Retry?: AslRetrier[];
    Catch?: AslCatcher[];
  };

export type AslPassState = AslStateBase &
  Transition & {
    Type: 'Pass';
    Result?: JsonValue;
    Parameters?: { [key: string]: JsonValue };
    ResultPath?: string | null;
  };

export type AslWaitState = AslStateBase & Transition & { Type: 'Wait'; Seconds: number };

/**
 * `N` is the type of the numbers known only at deploy time (poll-attempt bounds and the execution
 * TimeoutSeconds): `number` for a concrete definition, `number | NumericExpression` for a Terraform template.
 */
export type AslChoiceRule<N = number> =
  | { Variable: string; StringEquals: string }
  | { Variable: string; BooleanEquals: boolean }
  | { Variable: string; IsPresent: boolean }
  | { Variable: string; NumericGreaterThanEquals: N }
  | { Or: AslChoiceRule<N>[] }
  | { And: AslChoiceRule<N>[] };

export interface AslChoiceState<N = number> extends AslStateBase {
  Type: 'Choice';
  Choices: (AslChoiceRule<N> & { Next: string })[];
  Default: string;
}

export interface AslSucceedState extends AslStateBase {
  Type: 'Succeed';
}

export interface AslFailState extends AslStateBase {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export type AslState<N = number> =
  | AslTaskState
  | AslPassState
  | AslWaitState
  | AslChoiceState<N>
  | AslSucceedState
  | AslFailState;

export interface AslDefinition<N = number> {
  Comment: string;
  StartAt: string;
  TimeoutSeconds: N;
  States: Record<string, AslState<N>>;
}
