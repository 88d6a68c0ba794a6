/** In-process AWS endpoints for benchmarks: fixed latency and a token-bucket request limit, answering throttling as AWS does. */
export interface RateLimitedOptions {
  readonly latencyMs: number;
  readonly ratePerSecond: number;
  /** Token bucket size. @default ratePerSecond / 10 */
  readonly burst?: number;
}

type Handle = (request: { body?: unknown }) => Promise<{ response: object }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps an HTTP handler: every request waits `latencyMs`; above the rate it gets `throttle()` instead. */
export function rateLimited(
  inner: Handle,
  options: RateLimitedOptions,
  throttle: () => { statusCode: number; body: string; contentType: string },
) {
  const burst = options.burst ?? Math.max(1, Math.round(options.ratePerSecond / 10));
  let tokens = burst;
  let last = performance.now();
  const stats = { requests: 0, throttled: 0 };
  const handle: Handle = async (request) => {
    stats.requests++;
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * options.ratePerSecond);
    last = now;
    await sleep(options.latencyMs);
    if (tokens < 1) {
      stats.throttled++;
      const t = throttle();
      return {
        response: {
          statusCode: t.statusCode,
          headers: { 'content-type': t.contentType },
          body: Buffer.from(t.body),
        },
      };
    }
    tokens -= 1;
    return inner(request);
  };
  return { handle, stats, updateHttpClientConfig: () => undefined, httpHandlerConfigs: () => ({}) };
}

export const ec2Throttle = () => ({
  statusCode: 503,
  contentType: 'text/xml;charset=UTF-8',
  body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>bench</RequestID></Response>',
});

/** A DynamoDB endpoint that accepts every write ({} body) after a latency. */
export function okDynamoDb(latencyMs: number) {
  return {
    handle: async () => {
      await sleep(latencyMs);
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Buffer.from('{}'),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
}

export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIABENCHEXAMPLE0000',
  secretAccessKey: 'bench-secret-not-real',
};

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
