import { TEST_ENV } from '../fixtures/env';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { GuardConfig, TriggerEnv } from '../../../functions/redshift-resize/env';
import { evaluateGuard } from '../../../functions/redshift-resize/guard';
import { redshift } from '../../../functions/redshift-resize/guard.handler';
import { recheck } from '../../../functions/redshift-resize/recheck';
import { handleAlarm, parseAlarmEvent } from '../../../functions/redshift-resize/trigger';
import { ALARM_MESSAGE, snsEvent } from '../fixtures/events';
import { ResizeWorld, wireRedshift } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';
import { DEPLOYED_GUARD } from '../fixtures/guard-config';

// Issue 17 §3: the operator chooses what starts a run (redshift_trigger), and RA3 refuses the disk alarm.
const redshiftMock = mockClient(redshift);
const sfnClient = new SFNClient({});
const sfnMock = mockClient(sfnClient);
const cwClient = new CloudWatchClient({});
const cwMock = mockClient(cwClient);
recordIamCalls('redshift-resize-guard', [redshiftMock]);

const CONFIG: GuardConfig = { ...DEPLOYED_GUARD, maxResizesPerDay: 2, trigger: 'disk' };
const EXECUTION = 'ops-autopilot-analytics-20240304T050607891Z-1a2b3c4d';
let world: ResizeWorld;
beforeEach(() => {
  world = ResizeWorld.standard();
  wireRedshift(world, redshiftMock);
  sfnMock.reset();
  cwMock.reset();
});
const decide = (trigger: GuardConfig['trigger']) =>
  evaluateGuard(
    { redshift },
    { ...CONFIG, trigger },
    { executionName: EXECUTION, now: new Date() },
  );

describe('the disk trigger on RA3', () => {
  test('is refused by the guard with a message that names the fix', async () => {
    // Act
    const result = await decide('disk');

    // Assess
    expect(result).toMatchObject({ decision: 'SKIP', reason: 'DISK_TRIGGER_ON_RA3' });
    expect(result.message).toContain('redshift_trigger = "alarm"');
    expect(result.message).toContain('managed storage quota');
  });

  test('is accepted on DC2, where the disk is the node storage', async () => {
    // Prepare
    world.cluster = { status: 'available', nodeType: 'dc2.large', nodes: 4 };

    // Act
    const result = await decide('disk');

    // Assess
    expect(result).toMatchObject({ decision: 'RESIZE', targetNodeCount: 8 });
  });

  test('an operator-named alarm resizes an RA3 cluster', async () => {
    // Act
    const result = await decide('alarm');

    // Assess
    expect(result).toMatchObject({
      decision: 'RESIZE',
      nodeType: 'ra3.4xlarge',
      targetNodeCount: 8,
    });
  });
});

describe('redshift_trigger = "none"', () => {
  const NONE: TriggerEnv = { ...TEST_ENV, TRIGGER: 'none' };
  const clients = { sfn: sfnClient, cloudwatch: cwClient };

  test('an ALARM transition starts nothing', async () => {
    // Prepare
    const [alarm] = parseAlarmEvent(snsEvent(ALARM_MESSAGE));

    // Act
    const outcome = await handleAlarm(clients, NONE, alarm as NonNullable<typeof alarm>);

    // Assess
    expect(outcome).toEqual({
      outcome: 'IGNORED',
      reason: 'redshift_trigger is "none": runs start only by hand',
    });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('a re-check tick reads no alarm and starts nothing', async () => {
    // Act
    const outcome = await recheck(clients, NONE, { time: '2024-03-04T06:00:00Z' });

    // Assess
    expect(outcome).toMatchObject({ outcome: 'IGNORED' });
    expect(cwMock.calls()).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
