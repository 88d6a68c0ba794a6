/**
 * Writes that AWS applied but whose reply was lost (the connection reset after the server acted), retried
 * by the SDK as transient errors: the drain must still end as without the fault, outcome recorded once,
 * and one drain must keep one chain of re-checks.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { checkDrain, startDrain } from '../../../functions/ecs-drain/drain';
import { LifecycleNotificationSchema } from '../../../functions/ecs-drain/schemas';
import { recordIamCalls } from '../../support/iam-recorder';
import { TERMINATING_MESSAGE } from '../fixtures/events';
import { WireWorld } from '../fixtures/wire-world';
import { resourceTags, TOKEN } from '../fixtures/world';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const recorded: Array<import('aws-sdk-client-mock').AwsStub<any, any, any>> = [];
recordIamCalls('ecs-drain-drain', recorded, resourceTags);

const NOTIFICATION = LifecycleNotificationSchema.parse(TERMINATING_MESSAGE);
const SNS_MESSAGE_ID = '95df01b4-ee98-5cb9-9903-4c221d41eb5e';
let world: WireWorld;
let addMetric: jest.SpyInstance;

const outcomes = () =>
  addMetric.mock.calls.filter((c: unknown[]) => c[0] === 'DrainOutcome').map((c) => c[2]);

beforeEach(() => {
  world = new WireWorld();
  recorded.splice(0, recorded.length, ...world.recorded);
  addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
});
afterEach(() => {
  world.restore();
  jest.restoreAllMocks();
});

describe('a lost reply to CompleteLifecycleAction', () => {
  test('the retry told "no active action" still ends the drain as completed, outcome recorded once', async () => {
    // Prepare: the instance never joined; the completion is applied but its reply is lost.
    world.joined = false;
    world.asHttp.loseReplyNext('CompleteLifecycleAction');

    // Act
    const result = await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);

    // Assess
    expect(result).toEqual({ status: 'completed', outcome: 'NotInCluster', remainingTasks: 0 });
    expect(world.asHttp.count('CompleteLifecycleAction')).toBe(2);
    expect(world.completions).toBe(1);
    expect(outcomes()).toEqual([1]);
  });

  test('when every attempt loses its reply the check fails, and the redelivery records the outcome', async () => {
    // Prepare: the drain is over (tasks stopped); all three attempts of the completion lose their reply.
    world.tasksStop();
    world.asHttp.loseReplyNext('CompleteLifecycleAction', 3);
    const failed = await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID).then(
      () => undefined,
      (e: Error) => e,
    );

    // Act: Lambda retries the failed SNS invocation with the same message.
    const retried = await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(retried).toEqual({ status: 'completed', outcome: 'Completed', remainingTasks: 0 });
    expect(world.completions).toBe(1);
    expect(outcomes()).toEqual([1]);
  });

  test('an action that ended without this chain (hook timeout) records no outcome', async () => {
    // Prepare: the hook timed out before the first check.
    world.openActions.clear();

    // Act
    const result = await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);

    // Assess
    expect(result).toEqual({ status: 'already-finished' });
    expect(outcomes()).toEqual([]);
  });
});

describe('a lost reply to the outcome write', () => {
  const outcomeWrite = (input: { UpdateExpression?: string }) =>
    input.UpdateExpression?.includes('outcome_owner') === true;

  test('every reply lost: a consistent read finds the write its own, outcome recorded once', async () => {
    // Prepare: the drain is over; the write that takes the outcome is applied, its every reply lost.
    world.tasksStop();
    world.ledger.loseReplyOf = outcomeWrite;

    // Act
    const result = await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);

    // Assess
    expect(result).toEqual({ status: 'completed', outcome: 'Completed', remainingTasks: 0 });
    expect(world.completions).toBe(1);
    expect(outcomes()).toEqual([1]);
  });

  test('every reply lost while another invocation holds the outcome: not recorded twice', async () => {
    // Prepare
    world.tasksStop();
    world.ledger.items.set(TOKEN, {
      action_token: { S: TOKEN },
      outcome_owner: { S: 'another-invocation' },
    });
    world.ledger.loseReplyOf = outcomeWrite;

    // Act
    const result = await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);

    // Assess
    expect(result.status).toBe('completed');
    expect(outcomes()).toEqual([]);
  });
});

describe('a lost reply to the re-check SendMessage', () => {
  test('the duplicate message the SDK retry sent is dropped at its claim: one drain, one chain', async () => {
    // Prepare: tasks still stopping; the first send is applied but its reply is lost, so the SDK sends again.
    world.sqsHttp.loseReplyNext('SendMessage');
    await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);
    const [first, second] = world.queuedChecks();
    const heartbeatsBefore = world.heartbeats;

    // Act: SQS delivers both copies.
    world.nowMs += 30_000;
    const results = [
      await checkDrain(world.deps, first!.check, first!.messageId),
      await checkDrain(world.deps, second!.check, second!.messageId),
    ];

    // Assess
    expect(world.queue).toHaveLength(3);
    expect(world.queuedChecks().map((q) => q.check.check)).toEqual([2, 2, 3]);
    expect(results.map((r) => r.status)).toEqual(['waiting', 'duplicate']);
    expect(world.heartbeats - heartbeatsBefore).toBe(1);
  });

  test('a redelivered copy of the message that holds the check is not a duplicate', async () => {
    // Prepare
    await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);
    const [next] = world.queuedChecks();
    world.nowMs += 30_000;
    world.ecsHttp.failNext('ListTasks', { status: 500, code: 'ServerException', message: 'x' });
    world.ecsHttp.failNext('ListTasks', { status: 500, code: 'ServerException', message: 'x' });
    world.ecsHttp.failNext('ListTasks', { status: 500, code: 'ServerException', message: 'x' });
    const failed = await checkDrain(world.deps, next!.check, next!.messageId).then(
      () => undefined,
      (e: Error) => e.name,
    );

    // Act: SQS redelivers the same message after its visibility timeout.
    const result = await checkDrain(world.deps, next!.check, next!.messageId);

    // Assess
    expect(failed).toBe('ServerException');
    expect(result.status).toBe('waiting');
    expect(world.queuedChecks().map((q) => q.check.check)).toEqual([2, 3]);
  });

  test('a late check of an earlier number (its chain moved on) is dropped', async () => {
    // Prepare
    await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);
    const [second] = world.queuedChecks();
    await checkDrain(world.deps, second!.check, second!.messageId);

    // Act: the SNS notification is delivered again, much later.
    const result = await startDrain(world.deps, NOTIFICATION, SNS_MESSAGE_ID);

    // Assess
    expect(result.status).toBe('duplicate');
    expect(world.queue).toHaveLength(2);
  });
});
