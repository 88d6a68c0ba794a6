import type { MiddlewareStack } from '@smithy/types';

/**
 * Config every SDK client in this project is built with: the SDK's own retry in standard mode
 * (exponential backoff with jitter on throttling, 5xx and timeouts). Adaptive mode's client-side rate
 * limiter was measured slower: 1,000 snapshots at a 200 req/s limit took 2.5x the rate bound, against
 * 1.1x in standard mode (bench/ebs-snapshot.bench.ts).
 */
export function clientConfig(maxAttempts = Number(process.env.AWS_MAX_ATTEMPTS ?? 8)) {
  return { maxAttempts, retryMode: 'standard' as const };
}

interface HasMiddleware {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewareStack: MiddlewareStack<any, any>;
}

/**
 * Marks further error codes as throttling, so the SDK's retry strategy backs off and retries them
 * (e.g. EC2's SnapshotCreationPerVolumeRateExceeded, which the SDK does not list).
 */
export function retryAlsoOn<C extends HasMiddleware>(client: C, codes: readonly string[]): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && codes.includes(error.name)) {
          Object.assign(error, { $retryable: { throttling: true } });
        }
        throw error;
      }
    },
    // The deserializer (which turns an error response into the named error) is itself a deserialize-step
    // middleware added by the client's constructor, so a default-priority entry added here would sit
    // *inside* it and only ever see raw HTTP responses. Priority 'high' puts this wrapper outside the
    // deserializer (and still inside finalizeRequest's retry middleware), where the named error exists.
    { step: 'deserialize', priority: 'high', name: 'retryAlsoOnThrottlingCodes', override: true },
  );
  return client;
}
