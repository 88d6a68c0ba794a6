/**
 * Events as AWS and its console really send them: the handler judges only what it uses, and ignores what
 * is not its own (another transition, a plain group notification) before judging any detail.
 */
import type { Context, SNSEvent } from 'aws-lambda';
import { InvalidEventError } from '../../../functions/shared/errors';
import { WORLD } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { DRAIN_ENV } from '../fixtures/env';
import { LAUNCHING_MESSAGE, snsEvent, TERMINATING_MESSAGE } from '../fixtures/events';
import consoleSample from '../fixtures/sns-console-sample.json';
import { createMocks, DrainWorld, resourceTags } from '../fixtures/world';

type Handler = typeof import('../../../functions/ecs-drain/drain.handler').handler;

const mocks = createMocks();
recordIamCalls('ecs-drain-drain', Object.values(mocks), resourceTags);
const context = { functionName: 'ecs-drain-drain', awsRequestId: 'req-1' } as Context;
const savedEnv = { ...process.env };
let handler: Handler;
let world: DrainWorld;

const awsCalls = () => [...world.ecs.calls(), ...world.autoScaling.calls(), ...world.sqs.calls()];

/** The Lambda console's "SNS Topic Notification" sample event, carrying `message`. */
function consoleEvent(message: object): SNSEvent {
  const event = structuredClone(consoleSample) as unknown as SNSEvent;
  event.Records[0]!.Sns.Message = JSON.stringify(message);
  return event;
}

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: WORLD.region }, DRAIN_ENV);
  ({ handler } = await import('../../../functions/ecs-drain/drain.handler'));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  world = new DrainWorld(mocks);
});

describe('validate only what is used', () => {
  test("the Lambda console's sample event (placeholders in SigningCertUrl, UnsubscribeUrl) drains", async () => {
    // Act
    await handler(consoleEvent(TERMINATING_MESSAGE), context);

    // Assess: the instance is not in the cluster, so the action is completed at once.
    expect(world.completions).toHaveLength(1);
  });

  test('fields the drain never reads (Service, AccountId, Origin) are not judged', async () => {
    // Prepare
    const message = { ...TERMINATING_MESSAGE, Service: 'x', AccountId: 'none', Origin: 7 };

    // Act
    await handler(snsEvent(message), context);

    // Assess
    expect(world.completions).toHaveLength(1);
  });

  test.each([
    ['LifecycleActionToken', 'not-a-guid'],
    ['LifecycleHookName', 'bad hook name!'],
    ['Time', 'yesterday'],
  ])(
    'a terminating notification with a bad %s is refused, naming it, before any AWS call',
    async (field, value) => {
      // Act
      const result = handler(snsEvent({ ...TERMINATING_MESSAGE, [field]: value }), context);

      // Assess
      await expect(result).rejects.toThrow(InvalidEventError);
      await expect(result).rejects.toThrow(field);
      expect(awsCalls()).toHaveLength(0);
    },
  );

  test('an SNS record without its MessageId is refused, naming it', async () => {
    // Prepare
    const event = snsEvent(TERMINATING_MESSAGE);
    delete (event.Records[0]!.Sns as Partial<SNSEvent['Records'][0]['Sns']>).MessageId;

    // Act
    const result = handler(event, context);

    // Assess
    await expect(result).rejects.toThrow(/Records\.0\.Sns\.MessageId/);
  });
});

describe('ignore what is not ours before judging its details', () => {
  test('a launching notification whose token is not a GUID is ignored, without error or AWS call', async () => {
    // Prepare
    const message = { ...LAUNCHING_MESSAGE, LifecycleActionToken: 'token-of-another-format' };

    // Act
    const result = await handler(snsEvent(message), context);

    // Assess
    expect(result).toBeUndefined();
    expect(awsCalls()).toHaveLength(0);
  });

  test('a plain Auto Scaling group notification (Event: EC2_INSTANCE_LAUNCH) is ignored', async () => {
    // Prepare: the shape of a group's own notifications, if someone points them at the hook's topic.
    const message = {
      Progress: 50,
      AccountId: WORLD.account,
      Description: 'Launching a new EC2 instance: i-0598c7d356eba48d7',
      RequestId: 'b1c4d55c-6a24-4b28-b1b5-8f1c0a2e3f4d',
      EndTime: '2016-09-30T19:00:36.414Z',
      AutoScalingGroupARN: 'arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:x',
      ActivityId: 'b1c4d55c-6a24-4b28-b1b5-8f1c0a2e3f4d',
      StartTime: '2016-09-30T18:59:38.740Z',
      Service: 'AWS Auto Scaling',
      Time: '2016-09-30T19:00:36.414Z',
      EC2InstanceId: 'i-0598c7d356eba48d7',
      StatusCode: 'InProgress',
      StatusMessage: '',
      Details: { 'Subnet ID': 'subnet-id', 'Availability Zone': 'us-west-2b' },
      AutoScalingGroupName: 'my-asg',
      Cause: 'At 2016-09-30T18:59:38Z a user request created an AutoScalingGroup...',
      Event: 'autoscaling:EC2_INSTANCE_LAUNCH',
    };

    // Act
    const result = await handler(snsEvent(message), context);

    // Assess
    expect(result).toBeUndefined();
    expect(awsCalls()).toHaveLength(0);
  });

  test('a message that names no transition at all is refused, saying so', async () => {
    // Act
    const result = handler(snsEvent({ hello: 'world' }), context);

    // Assess
    await expect(result).rejects.toThrow(/LifecycleTransition/);
  });
});
