import { DRAIN_ENV } from '../ecs-autoscaling-drain/fixtures/env';
import { enableEmf } from '../support/emf';
import { synthStack } from '../support/synth';
import { useHarnessEnvironment } from './harness/environment';
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
