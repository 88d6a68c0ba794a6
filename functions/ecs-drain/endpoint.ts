/** An environment (process.env, or the parsed function environment); only the SDK's endpoint keys are read. */
type Env = Readonly<Record<string, unknown>>;

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The SQS endpoint the SDK was pointed at through the environment: AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL,
 * none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Never set on a deployed function.
 */
export function configuredSqsEndpoint(env: Env = process.env): string | undefined {
  if (text(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)?.toLowerCase() === 'true') return undefined;
  return text(env.AWS_ENDPOINT_URL_SQS) ?? text(env.AWS_ENDPOINT_URL);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A queue URL the function may send to: https, as every SQS queue URL is; http only for a queue on this
 * machine (a local emulator's) while an endpoint override points the SDK there.
 */
export function isAcceptedQueueUrl(url: string, env: Env = process.env): boolean {
  const parsed = URL.parse(url);
  if (parsed?.protocol === 'https:') return true;
  return (
    parsed?.protocol === 'http:' &&
    LOOPBACK_HOSTS.has(parsed.hostname) &&
    configuredSqsEndpoint(env) !== undefined
  );
}
