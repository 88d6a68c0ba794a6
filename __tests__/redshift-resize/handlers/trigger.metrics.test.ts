import { STATE_MACHINE_ARN } from '../fixtures/env';
import {
  ListExecutionsCommand,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import {
  TRIGGER_METRIC_SPECS,
  TRIGGER_METRICS,
} from '../../../functions/redshift-resize/metric-names';
import { alarm, ALARM_MESSAGE, snsEvent } from '../fixtures/events';
import { captureEmf, distinctSpecs, enableEmf, specOf } from '../../support/emf';
import { recordIamCalls } from '../../support/iam-recorder';

/** The trigger's EMF output as CloudWatch reads it from the log (the dashboard graphs these metrics). */

const SERVICE = 'redshift-resize-trigger';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const mocks: AwsStub<any, any, any>[] = [];
recordIamCalls(SERVICE, mocks);

type Module = typeof import('../../../functions/redshift-resize/trigger.handler');
const savedEnv = { ...process.env };
let handler: Module['handler'];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let sfnMock: AwsStub<any, any, any>;

beforeAll(async () => {
  enableEmf({ service: SERVICE });
  const mod: Module = await import('../../../functions/redshift-resize/trigger.handler');
  handler = mod.handler;
  sfnMock = mockClient(mod.sfn);
  mocks.push(sfnMock);
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

const valueOf = (metrics: { name: string; value: number }[], name: string) =>
  metrics.filter((m) => m.name === name).map((m) => m.value);

describe('trigger EMF metrics', () => {
  it('counts a started execution as ResizeRequested, in namespace OpsAutopilot with dimension service only', async () => {
    // Act
    const { metrics } = await captureEmf(() => handler(snsEvent(ALARM_MESSAGE)));

    // Assess
    expect(valueOf(metrics, TRIGGER_METRICS.requested)).toEqual([1]);
    expect(valueOf(metrics, TRIGGER_METRICS.skippedRunning)).toEqual([0]);
    for (const m of metrics) {
      expect(m).toMatchObject({ namespace: 'OpsAutopilot', unit: 'Count' });
      expect(m.dimensions).toEqual({ service: SERVICE });
    }
  });

  it('counts an ALARM that finds an execution running as ResizeSkippedRunning', async () => {
    // Prepare
    sfnMock.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:earlier`,
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'earlier',
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });

    // Act
    const { metrics } = await captureEmf(() => handler(snsEvent(ALARM_MESSAGE)));

    // Assess
    expect(valueOf(metrics, TRIGGER_METRICS.requested)).toEqual([0]);
    expect(valueOf(metrics, TRIGGER_METRICS.skippedRunning)).toEqual([1]);
  });

  it('counts an OK notification as neither', async () => {
    // Act
    const { metrics } = await captureEmf(() =>
      handler(snsEvent(alarm({ NewStateValue: 'OK', OldStateValue: 'ALARM' }))),
    );

    // Assess
    expect(metrics.map((m) => [m.name, m.value])).toEqual([
      [TRIGGER_METRICS.requested, 0],
      [TRIGGER_METRICS.skippedRunning, 0],
    ]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('still counts the execution it started when StartExecution fails for a later record', async () => {
    // Prepare: two records, the second one's StartExecution is refused.
    const event = snsEvent(ALARM_MESSAGE);
    const second = structuredClone(event.Records[0]!);
    second.Sns.MessageId = 'second-message';
    second.Sns.Message = JSON.stringify(alarm({ StateChangeTime: '2024-03-04T06:00:00.000+0000' }));
    event.Records.push(second);
    sfnMock.on(ListExecutionsCommand).resolvesOnce({ executions: [] }).resolves({ executions: [] });
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:started', startDate: new Date() })
      .rejects(new Error('boom'));

    // Act
    const { metrics, error } = await captureEmf(() => handler(event));

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(valueOf(metrics, TRIGGER_METRICS.requested)).toEqual([1]);
  });

  it('emits no metric for an event that is not an SNS alarm notification', async () => {
    // Act
    const { metrics, error } = await captureEmf(() => handler({ Records: 'nope' }));

    // Assess
    expect(error).toBeDefined();
    expect(metrics).toEqual([]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('emits exactly the metrics functions/redshift-resize/metric-names.ts declares for the trigger', async () => {
    // Act
    const { metrics } = await captureEmf(() => handler(snsEvent(ALARM_MESSAGE)));

    // Assess
    expect(distinctSpecs(metrics.map(specOf))).toEqual(distinctSpecs(TRIGGER_METRIC_SPECS));
  });
});
