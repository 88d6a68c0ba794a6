import { DRAIN_ENV } from '../ecs-autoscaling-drain/fixtures/env';
import { FakeLedgerTable } from '../ecs-autoscaling-drain/fixtures/ledger-table';
import { enableEmf } from '../support/emf';
import { synthStack } from '../support/synth';
import { useHarnessEnvironment } from './harness/environment';
import { baselineOf, judge, runOnce } from './harness/matrix';
import type { Handler } from './harness/platform';
import { describeFaultCases } from './harness/suite';
import { drainScenario } from './scenarios/drain';

useHarnessEnvironment();
enableEmf({ service: 'ecs-drain' });
Object.assign(process.env, DRAIN_ENV, { AWS_MAX_ATTEMPTS: '8' });

let drain: Handler;
beforeAll(async () => {
  ({ handler: drain } = await import('../../functions/ecs-drain/drain.handler'));
});

/** The checks queue as the stack deploys it (visibility timeout, redrive after maxReceiveCount receives). */
const checksQueue = Object.values(
  synthStack('ecs-autoscaling-drain').json.resource.aws_sqs_queue ?? {},
).find((q) => String((q as { name?: string }).name).includes('ecs-drain-checks')) as {
  visibility_timeout_seconds: number;
  redrive_policy: string;
};
const queue = {
  visibilitySeconds: checksQueue.visibility_timeout_seconds,
  maxReceiveCount: Number(/"maxReceiveCount":\s*(\d+)/.exec(checksQueue.redrive_policy)?.[1]),
};

describeFaultCases(() => drainScenario(() => drain, queue));

test('a ledger that let every copy of a re-check through would be judged a forked chain', async () => {
  // Prepare: claims without their condition, so a duplicate copy acts like the original.
  const scenario = drainScenario(() => drain, queue);
  const baseline = await baselineOf(scenario);
  const send = baseline.wire.calls.find((c) => c.operation === 'SendMessage');
  const update = FakeLedgerTable.prototype.update;
  jest.spyOn(FakeLedgerTable.prototype, 'update').mockImplementation(function (
    this: FakeLedgerTable,
    input,
  ) {
    const claim = input.UpdateExpression?.includes('check_owner') === true;
    return update.call(this, claim ? { ...input, ConditionExpression: undefined } : input);
  });

  // Act
  const outcome = await runOnce(scenario, {
    site: send?.site ?? '',
    occurrence: 1,
    kind: 'lost-reply',
    mode: 'first-attempt',
  });
  jest.restoreAllMocks();

  // Assess
  expect(judge(baseline, outcome)).toMatch(/messagesActingOnACheck: expected 1, got [2-9]/);
});
