import { CLUSTER_ID, STATE_MACHINE_ARN } from '../fixtures/env';
import {
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  ListExecutionsCommand,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { executionNameFor } from '../../../functions/redshift-resize/identifiers';
import { handler, sfn } from '../../../functions/redshift-resize/trigger.handler';
import { InvalidEventError } from '../../../functions/shared/errors';
import { alarm, ALARM_MESSAGE, consoleSnsEvent, snsEvent } from '../fixtures/events';
import { recordIamCalls } from '../../support/iam-recorder';

const sfnMock = mockClient(sfn);
recordIamCalls('redshift-resize-trigger', [sfnMock]);

const RUNNING_ARN = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:earlier-run`;
const expectedName = executionNameFor(CLUSTER_ID, new Date('2024-03-04T05:06:07.891Z'));

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

const starts = () => sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

describe('an ALARM notification of the configured alarm', () => {
  it('starts one execution named after the cluster and the state change time, with the alarm as input', async () => {
    // Act
    const outcomes = await handler(snsEvent(ALARM_MESSAGE));

    // Assess
    expect(outcomes).toEqual([
      {
        outcome: 'STARTED',
        executionName: expectedName,
        executionArn: expect.stringContaining(expectedName),
      },
    ]);
    expect(sfnMock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING', maxResults: 1 },
    ]);
    expect(starts()).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, name: expectedName, input: expect.any(String) },
    ]);
    expect(JSON.parse(starts()[0]?.input ?? '{}')).toEqual({
      clusterId: CLUSTER_ID,
      source: 'alarm',
      alarmName: ALARM_MESSAGE.AlarmName,
      stateChangeTime: '2024-03-04T05:06:07.891Z',
      reason: ALARM_MESSAGE.NewStateReason,
    });
  });

  it('uses a valid Step Functions execution name', async () => {
    // Act
    await handler(snsEvent(ALARM_MESSAGE));

    // Assess
    const name = starts()[0]?.name ?? '';
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('treats a duplicate delivery (ExecutionAlreadyExists) as done', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const outcomes = await handler(snsEvent(ALARM_MESSAGE));

    // Assess
    expect(outcomes).toEqual([{ outcome: 'DUPLICATE', executionName: expectedName }]);
  });

  it('gives a repeated delivery of the same notification the same execution name', async () => {
    // Act
    await handler(snsEvent(ALARM_MESSAGE));
    await handler(snsEvent(ALARM_MESSAGE));

    // Assess
    const names = starts().map((s) => s.name);
    expect(names).toHaveLength(2);
    expect(names[0]).toBe(names[1]);
  });

  it('gives a later ALARM transition a different execution name', async () => {
    // Act
    await handler(snsEvent(ALARM_MESSAGE));
    await handler(snsEvent(alarm({ StateChangeTime: '2024-03-05T08:00:00.000+0000' })));

    // Assess
    const names = starts().map((s) => s.name);
    expect(new Set(names).size).toBe(2);
  });

  it('starts nothing while an execution is running', async () => {
    // Prepare
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: RUNNING_ARN,
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'earlier-run',
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });

    // Act
    const outcomes = await handler(snsEvent(ALARM_MESSAGE));

    // Assess
    expect(outcomes).toEqual([{ outcome: 'ALREADY_RUNNING', runningExecutionArn: RUNNING_ARN }]);
    expect(starts()).toHaveLength(0);
  });

  it('counts its own running execution as started: the retry after a lost StartExecution reply', async () => {
    // Prepare: the earlier attempt's StartExecution was applied, its reply lost
    const ownArn = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${expectedName}`;
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: ownArn,
          stateMachineArn: STATE_MACHINE_ARN,
          name: expectedName,
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });

    // Act
    const outcomes = await handler(snsEvent(ALARM_MESSAGE));

    // Assess
    expect(outcomes).toEqual([
      { outcome: 'STARTED', executionName: expectedName, executionArn: ownArn },
    ]);
    expect(starts()).toHaveLength(0);
  });

  it('lets any other StartExecution failure fail the invocation, so SNS retries it', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} }));

    // Act
    const result = handler(snsEvent(ALARM_MESSAGE));

    // Assess
    await expect(result).rejects.toThrow(ExecutionLimitExceeded);
  });
});

describe('notifications that must not resize', () => {
  it.each([
    ['an OK notification', alarm({ NewStateValue: 'OK', OldStateValue: 'ALARM' })],
    ['an INSUFFICIENT_DATA notification', alarm({ NewStateValue: 'INSUFFICIENT_DATA' })],
    ['another alarm', alarm({ AlarmName: 'someone-elses-alarm' })],
    [
      'the alarm watching another cluster',
      alarm({
        Trigger: {
          ...ALARM_MESSAGE.Trigger,
          Dimensions: [{ name: 'ClusterIdentifier', value: 'other-cluster' }],
        },
      }),
    ],
  ])('ignores %s without an AWS call', async (_, message) => {
    // Act
    const outcomes = await handler(snsEvent(message));

    // Assess
    expect(outcomes).toEqual([{ outcome: 'IGNORED', reason: expect.any(String) }]);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('the SNS envelope: only the fields the trigger reads are checked', () => {
  it("accepts the Lambda console's sample SNS event (placeholder URLs and signature) carrying an alarm", async () => {
    // Act
    const outcomes = await handler(consoleSnsEvent(ALARM_MESSAGE));

    // Assess
    expect(outcomes).toEqual([
      { outcome: 'STARTED', executionName: expectedName, executionArn: expect.any(String) },
    ]);
  });

  it('accepts an envelope without the fields it never reads (signature, URLs, topic, timestamp)', async () => {
    // Prepare
    const event = {
      Records: [{ Sns: { MessageId: 'm-1', Message: JSON.stringify(ALARM_MESSAGE) } }],
    };

    // Act
    const outcomes = await handler(event);

    // Assess
    expect(outcomes.map((o) => o.outcome)).toEqual(['STARTED']);
  });

  it.each([
    ['the message', { MessageId: 'm-1' }, 'Records.0.Sns.Message'],
    ['the message id', { Message: JSON.stringify(ALARM_MESSAGE) }, 'Records.0.Sns.MessageId'],
  ])(
    'rejects a record without %s, naming the missing field, before any AWS call',
    async (_, sns, path) => {
      // Act
      const result = handler({ Records: [{ EventSource: 'aws:sns', Sns: sns }] });

      // Assess
      await expect(result).rejects.toThrow(InvalidEventError);
      await expect(handler({ Records: [{ Sns: sns }] })).rejects.toThrow(path);
      expect(sfnMock.calls()).toHaveLength(0);
    },
  );
});

describe('malformed input', () => {
  it.each([
    ['a message that is not JSON', snsEvent('disk is full!')],
    ['a JSON message that is not an alarm notification', snsEvent({ hello: 'world' })],
    [
      'an alarm notification with a bad NewStateValue',
      snsEvent(alarm({ NewStateValue: 'ON_FIRE' as 'ALARM' })),
    ],
    [
      'an alarm notification with a bad StateChangeTime',
      snsEvent(alarm({ StateChangeTime: 'yesterday' })),
    ],
    ['an event that is not from SNS', { Records: [{ eventSource: 'aws:sqs', body: '{}' }] }],
    ['no event at all', undefined],
  ])('rejects %s with InvalidEventError before any AWS call', async (_, event) => {
    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toThrow(InvalidEventError);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
