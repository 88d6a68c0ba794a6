import { ALARM_NAME, CLUSTER_ID, STATE_MACHINE_ARN } from '../fixtures/env';
import { DescribeAlarmsCommand, type DescribeAlarmsCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  ListExecutionsCommand,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { executionNameFor } from '../../../functions/redshift-resize/identifiers';
import { cloudwatch, handler, sfn } from '../../../functions/redshift-resize/trigger.handler';
import { ForeignScheduleError } from '../../../functions/shared/parse';
import { arn } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { scheduledEvent } from '../fixtures/events';

const sfnMock = mockClient(sfn);
const cwMock = mockClient(cloudwatch);
recordIamCalls('redshift-resize-trigger', [sfnMock, cwMock]);

const TICK = '2024-03-04T06:00:00Z';
const IN_ALARM_SINCE = new Date('2024-03-04T05:06:07.891Z');
let alarmState: 'ALARM' | 'OK';

beforeEach(() => {
  alarmState = 'ALARM';
  sfnMock.reset();
  cwMock.reset();
  // DescribeAlarms with StateValue returns only the alarms in that state.
  cwMock.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => ({
    MetricAlarms:
      input.StateValue === undefined || input.StateValue === alarmState
        ? [
            {
              AlarmName: ALARM_NAME,
              StateValue: alarmState,
              StateReason: 'Threshold Crossed',
              StateUpdatedTimestamp: IN_ALARM_SINCE,
            },
          ]
        : [],
  }));
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

const starts = () => sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

describe('a re-check tick of its own schedule', () => {
  it('asks CloudWatch for the alarm in state ALARM only', async () => {
    // Act
    await handler(scheduledEvent(TICK));

    // Assess
    expect(cwMock.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNames: [ALARM_NAME], StateValue: 'ALARM' },
    ]);
  });

  it('starts a run marked as a re-check while the alarm stays in ALARM', async () => {
    // Act
    const outcomes = await handler(scheduledEvent(TICK));

    // Assess
    const name = executionNameFor(CLUSTER_ID, new Date(TICK), 'recheck');
    expect(outcomes).toEqual([
      { outcome: 'STARTED', executionName: name, executionArn: expect.stringContaining(name) },
    ]);
    expect(JSON.parse(starts()[0]?.input ?? '{}')).toEqual({
      clusterId: CLUSTER_ID,
      source: 'recheck',
      alarmName: ALARM_NAME,
      stateChangeTime: IN_ALARM_SINCE.toISOString(),
      reason: 'Threshold Crossed',
    });
  });

  it('starts nothing once the alarm is back to OK', async () => {
    // Prepare
    alarmState = 'OK';

    // Act
    const outcomes = await handler(scheduledEvent(TICK));

    // Assess
    expect(outcomes).toEqual([{ outcome: 'IGNORED', reason: expect.stringContaining('ALARM') }]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('starts nothing while a run is in progress (at most one at a time)', async () => {
    // Prepare
    const running = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:earlier`;
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: running,
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'earlier',
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });

    // Act
    const outcomes = await handler(scheduledEvent(TICK));

    // Assess
    expect(outcomes).toEqual([{ outcome: 'ALREADY_RUNNING', runningExecutionArn: running }]);
    expect(starts()).toHaveLength(0);
  });

  it('names a re-check run apart from an alarm transition at the same instant', () => {
    // Act
    const names = [
      executionNameFor(CLUSTER_ID, new Date(TICK)),
      executionNameFor(CLUSTER_ID, new Date(TICK), 'recheck'),
    ];

    // Assess
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('a scheduled event of another rule', () => {
  it('is refused before any AWS call', async () => {
    // Act
    const result = handler(scheduledEvent(TICK, arn('events', 'rule/someone-elses-rule')));

    // Assess
    await expect(result).rejects.toThrow(ForeignScheduleError);
    expect(cwMock.calls()).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
