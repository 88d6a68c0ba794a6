import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { START_METRICS } from '../../../functions/ebs-snapshot/metric-names';
import { metrics } from '../../../functions/shared/metrics';
import { arn, resourceName } from '../../support/deployment';
import { recordIamCalls } from '../../support/iam-recorder';
import { RUN_KEY, scheduledEvent } from '../fixtures/world';

type Handler = typeof import('../../../functions/ebs-snapshot/start.handler').handler;
const MACHINE = arn('states', `stateMachine:${resourceName('ebs-snapshot-run')}`);
const START_ENV = {
  STATE_MACHINE_ARN: MACHINE,
  SCHEDULE_RULE_ARN: arn('events', `rule/${resourceName('ebs-snapshot-schedule')}`),
};
const sfnMock = mockClient(SFNClient);
recordIamCalls('ebs-snapshot-start', [sfnMock]);
const savedEnv = { ...process.env };
let handler: Handler;
let runName: (runKey: string) => string;

beforeAll(async () => {
  Object.assign(process.env, START_ENV);
  ({ handler, runName } = await import('../../../functions/ebs-snapshot/start.handler'));
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
  sfnMock
    .on(StartExecutionCommand)
    .resolves({ executionArn: `${MACHINE}:x`, startDate: new Date() });
});
afterEach(() => jest.restoreAllMocks());

const started = () => sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

test('starts the run as an execution named after the event time, with the first page state', async () => {
  // Act
  const outcome = await handler(scheduledEvent());

  // Assess
  expect(outcome).toBe('started');
  expect(started()).toEqual([
    {
      stateMachineArn: MACHINE,
      name: 'run-2015-10-08T16-53-06Z',
      input: JSON.stringify({
        runKey: RUN_KEY,
        pass: 1,
        totals: { volumes: 0, created: 0, skipped: 0, failed: 0, strays: 0 },
      }),
    },
  ]);
});

test('a run still going makes the next one skip, with a log line and RunsSkippedOverlap', async () => {
  // Prepare
  sfnMock.on(ListExecutionsCommand).resolves({
    executions: [
      {
        name: runName('2015-10-07T16:53:06Z'),
        executionArn: `${MACHINE}:y`,
        stateMachineArn: MACHINE,
        status: 'RUNNING',
        startDate: new Date(),
      },
    ],
  });
  const addMetric = jest.spyOn(metrics, 'addMetric');

  // Act
  const outcome = await handler(scheduledEvent());

  // Assess
  expect(outcome).toBe('skipped-overlap');
  expect(started()).toEqual([]);
  expect(addMetric).toHaveBeenCalledWith(START_METRICS.skippedOverlap, 'Count', 1);
});

test('a replayed event of a run already started or finished starts nothing new', async () => {
  // Prepare
  sfnMock
    .on(StartExecutionCommand)
    .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

  // Act
  const outcome = await handler(scheduledEvent());

  // Assess
  expect(outcome).toBe('already-started');
});

test('a scheduled event of another rule makes no AWS call and fails clearly', async () => {
  // Prepare
  const event = { ...scheduledEvent(), resources: [arn('events', 'rule/other-automation')] };

  // Act
  const run = handler(event);

  // Assess
  await expect(run).rejects.toMatchObject({ name: 'ForeignScheduleError' });
  expect(sfnMock.calls()).toHaveLength(0);
});
