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

export interface HasMiddleware {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  middlewareStack: MiddlewareStack<any, any>;
}

/**
 * Lets `onError` see (and mark or replace) every error of a call where the retry middleware will judge it.
 * Priority 'high': the deserializer (which turns an error response into the named error) is itself a
 * deserialize-step middleware added by the client's constructor, so a default-priority entry would sit inside
 * it and only see raw HTTP responses; 'high' puts this outside the deserializer and still inside the retry
 * middleware.
 */
export function judgeErrors<C extends HasMiddleware>(
  client: C,
  name: string,
  onError: (error: unknown, commandName: string) => void,
): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        onError(error, String(context.commandName));
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name, override: true },
  );
  return client;
}

/** Rewrites SDK errors with the given codes before the retry middleware judges them. */
function reclassify<C extends HasMiddleware>(
  client: C,
  codes: readonly string[],
  name: string,
  mark: (error: Error) => void,
): C {
  return judgeErrors(client, name, (error) => {
    if (error instanceof Error && codes.includes(error.name)) mark(error);
  });
}

/**
 * Marks further error codes as throttling, so the SDK's retry strategy backs off and retries them
 * (e.g. EC2's SnapshotCreationPerVolumeRateExceeded, which the SDK does not list).
 */
export function retryAlsoOn<C extends HasMiddleware>(client: C, codes: readonly string[]): C {
  return reclassify(client, codes, 'retryAlsoOnThrottlingCodes', (error) =>
    Object.assign(error, { $retryable: { throttling: true } }),
  );
}

/**
 * Stops the SDK from retrying the given error codes. EC2 reports InsufficientInstanceCapacity as a server
 * error (HTTP 500), which the SDK retries as transient: up to AWS_MAX_ATTEMPTS calls with backoff, each
 * spending retry quota that throttled calls then lack. The status code is moved to `$originalHttpStatusCode`
 * so the error is no longer classified as transient; name, message and request id are unchanged.
 */
export function withoutSdkRetryOn<C extends HasMiddleware>(client: C, codes: readonly string[]): C {
  return reclassify(client, codes, 'withoutSdkRetryOnCodes', (error) => {
    const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata ?? {};
    Object.assign(error, {
      $metadata: { ...meta, httpStatusCode: undefined },
      $originalHttpStatusCode: meta.httpStatusCode,
    });
  });
}
