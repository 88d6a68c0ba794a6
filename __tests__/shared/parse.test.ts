import { z } from 'zod';
import { InvalidEventError } from '../../functions/shared/errors';
import {
  ForeignScheduleError,
  parseEvent,
  parseOwnSchedule,
  ScheduledEventSchema,
} from '../../functions/shared/parse';

const scheduledEvent = {
  version: '0',
  id: '89d1a02d-5ec7-412e-82f5-13505f849b41',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2015-10-08T16:53:06Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/SampleRule'],
  detail: {},
};

describe('parseEvent', () => {
  test('returns the parsed event', () => {
    // Act
    const parsed = parseEvent(ScheduledEventSchema, scheduledEvent, 'a Scheduled Event');

    // Assess
    expect(parsed.time).toBe('2015-10-08T16:53:06Z');
  });

  test('one InvalidEventError names every missing or wrong field, with the parse error as cause', () => {
    // Prepare
    const { time: _time, ...withoutTime } = scheduledEvent;

    // Act
    const parse = () =>
      parseEvent(ScheduledEventSchema, { ...withoutTime, source: 'aws.ec2' }, 'a Scheduled Event');

    // Assess
    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(/^expected a Scheduled Event: .*source: .*; time: /);
    expect(parse).toThrow(expect.objectContaining({ cause: expect.any(z.ZodError) }));
  });

  test('a problem with the whole input is reported at (root)', () => {
    // Act
    const parse = () => parseEvent(ScheduledEventSchema, 'not an event', 'a Scheduled Event');

    // Assess
    expect(parse).toThrow(/expected a Scheduled Event: \(root\): /);
  });

  test("an envelope's error reports the issues of the ZodError it carries as cause", () => {
    // Prepare: what a Powertools envelope returns for a bad message in record 0
    const issues = z.object({ Message: z.object({ a: z.string() }) }).safeParse({ Message: {} });
    const envelope = {
      safeParse: () => ({
        success: false as const,
        error: new Error('Failed to parse SNS message at index 0', { cause: issues.error }),
      }),
    };

    // Act
    const parse = () => parseEvent(envelope, {}, 'an SNS event');

    // Assess
    expect(parse).toThrow(/expected an SNS event: Message\.a: /);
  });
});

describe('parseOwnSchedule', () => {
  const own = 'arn:aws:events:us-east-1:123456789012:rule/SampleRule';

  test("accepts a scheduled event of the function's own rule", () => {
    // Act
    const parsed = parseOwnSchedule(scheduledEvent, own);

    // Assess
    expect(parsed.resources).toEqual([own]);
  });

  test('refuses a scheduled event of another rule, naming both rules', () => {
    // Prepare
    const other = {
      ...scheduledEvent,
      resources: ['arn:aws:events:us-east-1:123456789012:rule/Other'],
    };

    // Act
    const act = () => parseOwnSchedule(other, own);

    // Assess
    expect(act).toThrow(ForeignScheduleError);
    expect(act).toThrow(/rule\/Other.*rule\/SampleRule/);
  });

  test('refuses what is not a scheduled event before looking at the rule', () => {
    // Act
    const act = () => parseOwnSchedule({ ...scheduledEvent, source: 'aws.ec2' }, own);

    // Assess
    expect(act).toThrow(InvalidEventError);
    expect(act).not.toThrow(ForeignScheduleError);
  });
});
