import {
  buildResizeDefinition,
  maxPollAttempts,
  maxReplicationPauseSeconds,
  minimumExecutionTimeoutSeconds,
  NumericExpression,
  PHASES,
  renderResizeDefinition,
  ResizeDefinitionInputError,
  S,
  STATE_MACHINE_SDK_ACTIONS,
  stateMachineSdkStatements,
  type AslChoiceState,
  type AslDefinition,
  type AslState,
  type AslTaskState,
  type Phase,
} from '../../../stacks/redshift-resize/asl';
import { substituteTf } from '../../../scripts/tf-values';
import { validateDefinition } from '../../support/local-sfn';
import { DEFINITION_INPUT as INPUT } from '../fixtures/definition-input';

const RECOVERY = new Set<string>([
  S.recover,
  S.resumeAfterFailure,
  S.isRecoveryDone,
  S.countRecoveryPoll,
  S.waitForRecovery,
  S.summarizeFailure,
  S.notifyFailure,
  S.failed,
]);

/** States reachable from `start` by normal transitions (Next, Choices, Default), not by Catch. */
function reachable(
  def: AslDefinition,
  start: string,
  stopAt: ReadonlySet<string> = new Set(),
): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name) || stopAt.has(name)) continue;
    seen.add(name);
    const state = def.States[name] as AslState;
    if ('Next' in state && state.Next) queue.push(state.Next);
    if (state.Type === 'Choice') queue.push(state.Default, ...state.Choices.map((c) => c.Next));
  }
  return seen;
}

const tasksIn = (def: AslDefinition, names: Iterable<string>) =>
  [...names]
    .map((n) => [n, def.States[n]] as const)
    .filter((e): e is readonly [string, AslTaskState] => e[1]?.Type === 'Task');

describe('buildResizeDefinition', () => {
  it('builds a valid definition from Terraform references, without any account or region of its own', () => {
    // Act
    const json = JSON.stringify(buildResizeDefinition(INPUT));

    // Assess
    expect(
      validateDefinition(
        json
          .replaceAll('${aws_lambda_function.', 'arn:aws:lambda:us-east-1:123456789012:function:x-')
          .replaceAll('.arn}', ''),
      ),
    ).toEqual({
      isValid: true,
      errors: '',
    });
    expect(json).not.toMatch(/\d{12}/);
    expect(json).not.toMatch(
      /(us|eu|ap|sa|ca|me|af|il)-(north|south|east|west|central|northeast|southeast)-\d/,
    );
  });

  it('sets the execution TimeoutSeconds', () => {
    // Act
    const def = buildResizeDefinition(INPUT);

    // Assess
    expect(def.TimeoutSeconds).toBe(INPUT.timeoutSeconds);
  });

  it('makes every Task after the stop catch everything into the resume-on-failure path', () => {
    // Prepare
    const def = buildResizeDefinition(INPUT);

    // Act
    const afterStop = tasksIn(def, reachable(def, S.stopTasks, RECOVERY));

    // Assess
    expect(afterStop.map(([n]) => n)).toEqual(
      expect.arrayContaining([
        S.stopTasks,
        S.createSnapshot,
        S.checkSnapshot,
        S.startResize,
        S.checkResize,
        S.resumeTasks,
        S.notifySucceeded,
      ]),
    );
    // The read-only notices never resume DMS; the measurements only go unknown (deployed-report.test.ts).
    const own: string[] = [S.notifyResizeOverdue, S.notifyGaveUp, S.noteEarlyResume, S.reportRun];
    for (const [name, task] of afterStop.filter(([n]) => !own.includes(n))) {
      expect({
        name,
        catchAll: task.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next,
      }).toEqual({ name, catchAll: S.recover });
    }
  });

  it('makes every Task before the stop catch into notify-and-fail, away from DMS', () => {
    // Prepare
    const def = buildResizeDefinition(INPUT);

    // Act
    const beforeStop = tasksIn(def, reachable(def, S.guard, new Set([S.initStopPoll])));

    // Assess
    expect(beforeStop.map(([n]) => n).sort()).toEqual(
      [S.guard, S.notifySkipped, S.selectTasks, S.notifyDryRun].sort(),
    );
    for (const [name, task] of beforeStop) {
      expect({ name, next: task.Catch?.[0]?.Next }).toEqual({
        name,
        next: S.summarizeEarlyFailure,
      });
    }
  });

  it('ends the recovery path in a notification and a Fail carrying the cause', () => {
    // Act
    const def = buildResizeDefinition(INPUT);

    // Assess
    const recovery = reachable(def, S.recover);
    expect([...recovery].filter((n) => !RECOVERY.has(n))).toEqual([]);
    expect(def.States[S.notifyFailure]).toMatchObject({
      Resource: 'arn:aws:states:::sns:publish',
      Next: S.failed,
    });
    expect(def.States[S.failed]).toEqual({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  it('bounds every polling loop by timeout / interval attempts and waits the configured interval', () => {
    // Prepare
    const def = buildResizeDefinition(INPUT);
    const loops = [
      { choice: S.areTasksStopped, wait: S.waitForStop, phase: 'stop' },
      { choice: S.isSnapshotAvailable, wait: S.waitForSnapshot, phase: 'snapshot' },
      { choice: S.isResizeDone, wait: S.waitForResize, phase: 'resize' },
      { choice: S.areTasksRunning, wait: S.waitForResume, phase: 'resume' },
      { choice: S.isRecoveryDone, wait: S.waitForRecovery, phase: 'resume' },
    ] as const;

    // Act
    const bounds = loops.map(({ choice, wait, phase }) => ({
      phase,
      attempts: (def.States[choice] as AslChoiceState).Choices.find(
        (c) => 'NumericGreaterThanEquals' in c && c.Variable === '$.poll.attempts',
      ),
      wait: def.States[wait],
    }));

    // Assess
    for (const { phase, attempts, wait } of bounds) {
      expect({
        phase,
        max:
          attempts && 'NumericGreaterThanEquals' in attempts
            ? attempts.NumericGreaterThanEquals
            : undefined,
      }).toEqual({
        phase,
        max: maxPollAttempts(INPUT, phase),
      });
      expect(wait).toMatchObject({ Type: 'Wait', Seconds: INPUT.pollIntervalsSeconds[phase] });
    }
    expect(maxPollAttempts(INPUT, 'resize')).toBe(72);
  });

  it('names the snapshot from the Guard output and treats finding its own snapshot as created', () => {
    // Act
    const task = buildResizeDefinition(INPUT).States[S.createSnapshot] as AslTaskState;

    // Assess
    expect(task.Parameters).toEqual({
      'ClusterIdentifier.$': '$.guard.clusterId',
      'SnapshotIdentifier.$': '$.guard.snapshotIdentifier',
    });
    expect(task.Retry?.[0]).toEqual({
      ErrorEquals: ['Redshift.ClusterSnapshotAlreadyExistsException'],
      MaxAttempts: 0,
    });
    expect(task.Catch?.[0]).toEqual({
      ErrorEquals: ['Redshift.ClusterSnapshotAlreadyExistsException'],
      Next: S.initSnapshotPoll,
      ResultPath: null,
    });
  });

  it('passes an optional snapshot retention to CreateClusterSnapshot', () => {
    // Act
    const task = buildResizeDefinition({ ...INPUT, snapshotRetentionDays: 14 }).States[
      S.createSnapshot
    ] as AslTaskState;

    // Assess
    expect(task.Parameters).toMatchObject({ ManualSnapshotRetentionPeriod: 14 });
  });
});

describe('STATE_MACHINE_SDK_ACTIONS', () => {
  /** The IAM action of a Step Functions service-integration Resource (aws-sdk or optimized). */
  const actionOf = (resource: string) => {
    const [service, api] = resource.replace(/^arn:aws:states:::(aws-sdk:)?/, '').split(':');
    return `${service}:${(api ?? '').charAt(0).toUpperCase()}${(api ?? '').slice(1)}`;
  };

  it("lists exactly the IAM actions of the definition's own (non-Lambda) tasks", () => {
    // Prepare
    const def = buildResizeDefinition(INPUT);

    // Act
    const called = Object.values(def.States)
      .filter((state): state is AslTaskState => state.Type === 'Task')
      .map((task) => task.Resource)
      .filter((resource) => resource.startsWith('arn:aws:states:::'))
      .map(actionOf);

    // Assess
    expect(new Set(called)).toEqual(new Set(STATE_MACHINE_SDK_ACTIONS.map((a) => a.action)));
  });

  it('gives each action one statement on the resources of its scope', () => {
    // Act
    const statements = stateMachineSdkStatements({
      cluster: ['cluster'],
      snapshot: ['cluster', 'snap'],
      topic: ['topic'],
    });

    // Assess
    expect(statements).toEqual([
      {
        sid: 'SnapshotBeforeResize',
        actions: ['redshift:CreateClusterSnapshot'],
        resources: ['cluster', 'snap'],
      },
      {
        sid: 'WatchResizeSnapshot',
        actions: ['redshift:DescribeClusterSnapshots'],
        resources: ['cluster'],
      },
      { sid: 'Notify', actions: ['sns:Publish'], resources: ['topic'] },
    ]);
  });
});

describe('input validation', () => {
  it('refuses an execution timeout that could cut a bounded path (and strand stopped DMS tasks)', () => {
    // Prepare
    const tooShort = { ...INPUT, timeoutSeconds: minimumExecutionTimeoutSeconds(INPUT) - 1 };

    // Act
    const build = () => buildResizeDefinition(tooShort);

    // Assess
    expect(build).toThrow(ResizeDefinitionInputError);
    expect(build).toThrow(/timeoutSeconds/);
  });

  it.each([
    [
      'a poll interval longer than its phase',
      { pollIntervalsSeconds: { ...INPUT.pollIntervalsSeconds, stop: 1000 } },
      /pollIntervalsSeconds.stop/,
    ],
    [
      'a fractional timeout',
      { phaseTimeoutsSeconds: { ...INPUT.phaseTimeoutsSeconds, resize: 10.5 } },
      /phaseTimeoutsSeconds.resize/,
    ],
    [
      'an empty function ARN',
      { functionArns: { ...INPUT.functionArns, guard: '' } },
      /functionArns.guard/,
    ],
    ['an empty topic ARN', { topicArn: ' ' }, /topicArn/],
    ['a snapshot retention of 0 days', { snapshotRetentionDays: 0 }, /snapshotRetentionDays/],
  ])('refuses %s', (_, change, message) => {
    // Act
    const build = () => buildResizeDefinition({ ...INPUT, ...change });

    // Assess
    expect(build).toThrow(message);
  });

  it('bounds the longest replication pause above the sum of the phases', () => {
    // Act
    const pause = maxReplicationPauseSeconds(INPUT);

    // Assess
    const t = INPUT.phaseTimeoutsSeconds;
    expect(pause).toBeGreaterThanOrEqual(t.stop + t.snapshot + t.resize + 2 * t.resume);
    expect(minimumExecutionTimeoutSeconds(INPUT)).toBeGreaterThan(pause);
  });
});

describe('renderResizeDefinition: phase timeouts as Terraform expressions', () => {
  const timeouts = Object.fromEntries(
    PHASES.map((phase) => [phase, new NumericExpression(`var.${phase}`)]),
  ) as Record<Phase, NumericExpression>;
  const minimum = minimumExecutionTimeoutSeconds({ phaseTimeoutsSeconds: timeouts });
  /** Plain ARNs here, so the whole template can be rendered with substituteTf. */
  const PLAIN = {
    ...INPUT,
    functionArns: {
      guard: 'arn:aws:lambda:us-east-1:123456789012:function:guard',
      replication: 'arn:aws:lambda:us-east-1:123456789012:function:replication',
      resize: 'arn:aws:lambda:us-east-1:123456789012:function:resize',
    },
    topicArn: 'arn:aws:sns:us-east-1:123456789012:notifications',
  };
  const TEMPLATE_INPUT = {
    ...PLAIN,
    phaseTimeoutsSeconds: timeouts,
    timeoutSeconds: new NumericExpression(
      `max(172800, ${(minimum as NumericExpression).terraform})`,
    ),
  };
  const VALUES = { stop: 900, snapshot: 3600, resize: 21_600, overdue: 21_600, resume: 900 };
  /** Terraform's rendering of the template with these variable values. */
  const render = (text: string, vars: Record<string, number>) => substituteTf(text, vars, {});

  test('with plain numbers it is the JSON of buildResizeDefinition', () => {
    expect(renderResizeDefinition(INPUT)).toBe(JSON.stringify(buildResizeDefinition(INPUT)));
  });

  test('writes attempt bounds and TimeoutSeconds as unquoted interpolations', () => {
    // Act
    const text = renderResizeDefinition(TEMPLATE_INPUT);

    // Assess
    expect(text).toContain('"NumericGreaterThanEquals":${max(1, ceil(var.stop / 30))}');
    expect(text).toContain('"NumericGreaterThanEquals":${max(1, ceil(var.resize / 300))}');
    expect(text).toMatch(/"TimeoutSeconds":\$\{max\(172800, ceil\(/);
    expect(text).toContain('did not stop within ${var.stop} s');
    expect(text).not.toContain('__TF_NUM_');
  });

  test('rendered with the same values, it equals the plain-number definition', () => {
    // Act
    const rendered = render(renderResizeDefinition(TEMPLATE_INPUT), VALUES);

    // Assess
    expect(JSON.parse(rendered)).toEqual(buildResizeDefinition(PLAIN));
  });

  test('a smaller stop timeout gives a smaller stop bound', () => {
    const rendered = JSON.parse(
      render(renderResizeDefinition(TEMPLATE_INPUT), { ...VALUES, stop: 61 }),
    ) as AslDefinition;
    const choice = rendered.States[S.areTasksStopped] as AslChoiceState;
    expect(choice.Choices[1]).toMatchObject({ NumericGreaterThanEquals: 3 });
  });

  test('refuses a plain TimeoutSeconds with expression phase timeouts (it could cut a bounded run)', () => {
    expect(() => renderResizeDefinition({ ...TEMPLATE_INPUT, timeoutSeconds: 172_800 })).toThrow(
      ResizeDefinitionInputError,
    );
  });

  test('refuses an expression that is not a bare Terraform expression', () => {
    expect(() => new NumericExpression('${var.stop}')).toThrow(ResizeDefinitionInputError);
    expect(() => new NumericExpression('"900"')).toThrow(ResizeDefinitionInputError);
  });
});
