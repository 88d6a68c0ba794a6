import { StandardRetryStrategy } from '@smithy/core/retry';
import type {
  RetryErrorInfo,
  RetryStrategyV2,
  RetryToken,
  StandardRetryToken,
} from '@smithy/types';

/**
 * The SDK's standard retry strategy (what clientConfig() selects) with millisecond backoff, recording each
 * retry decision: the error code, the SDK's classification, and whether it retried.
 */
export class FastRecordingRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  readonly decisions: Array<{ code: string; errorType: string; retried: boolean }> = [];
  private readonly inner: StandardRetryStrategy;

  constructor(maxAttempts: number) {
    this.inner = new StandardRetryStrategy({
      maxAttempts,
      backoff: { computeNextBackoffDelay: () => 1, setDelayBase: () => undefined },
    });
  }

  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope);
  }

  async refreshRetryTokenForRetry(
    token: RetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<RetryToken> {
    const code = (errorInfo.error as Error | undefined)?.name ?? '';
    try {
      const next = await this.inner.refreshRetryTokenForRetry(
        token as StandardRetryToken,
        errorInfo,
      );
      this.decisions.push({ code, errorType: errorInfo.errorType, retried: true });
      return next;
    } catch (error) {
      this.decisions.push({ code, errorType: errorInfo.errorType, retried: false });
      throw error;
    }
  }

  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token as StandardRetryToken);
  }
}
