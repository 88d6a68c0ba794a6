/**
 * The faults the harness injects on the wire, and how each AWS protocol puts an error on the wire, so the
 * SDK's own deserializer and retry strategy judge them as they judge AWS's.
 */

/** What goes wrong with one HTTP attempt. */
export type FaultKind =
  /** The service refuses the request as too many: nothing happens; the SDK backs off and retries. */
  | 'throttle'
  /** The service fails inside (HTTP 500): nothing happens; the SDK retries it as transient. */
  | 'server-error'
  /** The request times out before it reaches the service: nothing happens; the SDK retries. */
  | 'timeout'
  /** The service applies the request, then the connection resets before the reply: the SDK retries. */
  | 'lost-reply';

export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'server-error',
  'timeout',
  'lost-reply',
];

/** Whether only the first SDK attempt of the call fails, or every attempt (the SDK then gives up). */
export type FaultMode = 'first-attempt' | 'every-attempt';
export const FAULT_MODES: readonly FaultMode[] = ['first-attempt', 'every-attempt'];

export type WireProtocol = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'ec2Query' | 'restJson1';

export interface WireError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  /**
   * The error's own members, sent in a JSON body: e.g. the Item of a ConditionalCheckFailedException asked
   * for with ReturnValuesOnConditionCheckFailure ALL_OLD
   * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).
   */
  readonly members?: Readonly<Record<string, unknown>>;
}

/**
 * Each service's throttling error, as its API reference names it. The SDK's standard retry strategy
 * classifies these by code (and 429 by status): https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * - EC2: RequestLimitExceeded, HTTP 503 https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 * - Auto Scaling: Throttling https://docs.aws.amazon.com/autoscaling/ec2/APIReference/CommonErrors.html
 * - SNS: Throttled, HTTP 429 (ThrottledException) https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * - the others: ThrottlingException, HTTP 400 (common errors of each JSON and Query API reference)
 */
const THROTTLING: Readonly<Record<string, WireError>> = {
  EC2Client: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
  AutoScalingClient: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  SNSClient: { code: 'Throttled', status: 429, message: 'Rate exceeded' },
};
const DEFAULT_THROTTLING: WireError = {
  code: 'ThrottlingException',
  status: 400,
  message: 'Rate exceeded',
};

export function throttlingError(client: string): WireError {
  return THROTTLING[client] ?? DEFAULT_THROTTLING;
}

/** HTTP 500: EC2's InternalError, InternalFailure elsewhere (common errors of the API references). */
export function serverError(client: string): WireError {
  return client === 'EC2Client'
    ? { code: 'InternalError', status: 500, message: 'An internal error has occurred.' }
    : { code: 'InternalFailure', status: 500, message: 'Internal failure.' };
}

/** What Node's HTTP handler rejects with when a request times out (the SDK retries TimeoutError). */
export function timeoutError(): Error {
  return Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' });
}

/** What Node's HTTP handler rejects with when the connection resets (the SDK retries ECONNRESET). */
export function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

const REQUEST_ID = '7a62c49f-347e-4fc4-9331-6e8eEXAMPLE';
const xmlEscape = (v: string) => v.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTTP response a service of this protocol sends for an error. */
export function errorResponse(protocol: WireProtocol, error: WireError) {
  const body = (() => {
    if (protocol === 'ec2Query')
      return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error></Errors><RequestID>${REQUEST_ID}</RequestID></Response>`;
    if (protocol === 'awsQuery')
      return `<ErrorResponse><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`;
    return JSON.stringify({ ...error.members, __type: error.code, message: error.message });
  })();
  const contentType =
    protocol === 'awsJson1_0'
      ? 'application/x-amz-json-1.0'
      : protocol === 'awsJson1_1'
        ? 'application/x-amz-json-1.1'
        : protocol === 'restJson1'
          ? 'application/json'
          : 'text/xml';
  return {
    statusCode: error.status,
    reason: undefined,
    headers: {
      'content-type': contentType,
      'x-amzn-requestid': REQUEST_ID,
      ...(protocol === 'restJson1' ? { 'x-amzn-errortype': error.code } : {}),
    },
    body: new TextEncoder().encode(body),
  };
}

/** What every thrown error carries; anything else is a member of that service error's shape. */
const ERROR_FIELDS = new Set([
  'name',
  'message',
  'Message',
  'code',
  'statusCode',
  '$fault',
  '$metadata',
  '$retryable',
  '$response',
  'stack',
]);

/**
 * The wire error a world's thrown error stands for: an SDK service exception (name, $metadata) or an error
 * with `code` and `statusCode` (the capacity world's Ec2ApiError). Anything else is a bug of the world.
 */
export function worldError(error: unknown): WireError | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & {
    code?: unknown;
    statusCode?: unknown;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const status =
    e.$metadata?.httpStatusCode ??
    (typeof e.statusCode === 'number' ? e.statusCode : undefined) ??
    (e.$fault === 'server' ? 500 : e.$fault === 'client' ? 400 : undefined);
  if (status === undefined) return undefined;
  const code = typeof e.code === 'string' ? e.code : e.name;
  const members = Object.fromEntries(
    Object.entries(e).filter(([k, v]) => v !== undefined && !ERROR_FIELDS.has(k)),
  );
  return { code, status, message: e.message, members };
}
