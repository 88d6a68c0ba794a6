import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';
import { ReplyLostError } from '../../../functions/redshift-resize/errors';
import { buildResizeDefinition, type AslTaskState } from '../../../stacks/redshift-resize/asl';
import { DEFINITION_INPUT as INPUT } from '../fixtures/definition-input';

const lambdaTasks = () =>
  Object.entries(buildResizeDefinition(INPUT).States).filter(
    (entry): entry is [string, AslTaskState] =>
      entry[1].Type === 'Task' && Object.values(INPUT.functionArns).includes(entry[1].Resource),
  );

/** An error a function throws when its SDK call ran out of retries, as the JS SDK names it. */
const sdkError = (name: string): SdkError =>
  Object.assign(new Error(name), { name, $metadata: {} }) as SdkError;

describe('the Lambda tasks retry a function whose SDK retries ran out', () => {
  it.each(['ThrottlingException', 'Throttling', 'TimeoutError', 'InternalFailure'])(
    'every Lambda task retries %s',
    (name) => {
      // Act
      const missing = lambdaTasks()
        .filter(([, task]) => !(task.Retry ?? []).some((r) => r.ErrorEquals.includes(name)))
        .map(([state]) => state);

      // Assess
      expect(lambdaTasks().length).toBeGreaterThan(0);
      expect(missing).toEqual([]);
    },
  );

  it('every Lambda task retries a request whose every reply was lost (ReplyLostError)', () => {
    // Act
    const missing = lambdaTasks()
      .filter(
        ([, task]) => !(task.Retry ?? []).some((r) => r.ErrorEquals.includes(ReplyLostError.name)),
      )
      .map(([state]) => state);

    // Assess
    expect(missing).toEqual([]);
  });

  it('lists only errors the SDK itself treats as throttling or transient (5xx by status)', () => {
    // Prepare
    const retried = new Set(
      lambdaTasks().flatMap(([, task]) =>
        (task.Retry ?? []).flatMap((r) => r.ErrorEquals.filter((e) => !e.startsWith('Lambda.'))),
      ),
    );
    const fiveHundreds = new Set(['InternalFailure', 'InternalError', 'ServiceUnavailable']);

    // Act
    const unknown = [...retried].filter(
      (name) =>
        !fiveHundreds.has(name) &&
        name !== ReplyLostError.name &&
        !isThrottlingError(sdkError(name)) &&
        !isTransientError(sdkError(name)),
    );

    // Assess
    expect(retried.size).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });
});
