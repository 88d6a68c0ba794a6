import { TARGET_ENDPOINT_ARN, taskArn } from '../fixtures/env';
import {
  DescribeReplicationTasksCommand,
  InvalidResourceStateFault,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { dms, handler } from '../../../functions/redshift-resize/replication.handler';
import type {
  ReplicationStepResult,
  SelectResult,
} from '../../../functions/redshift-resize/replication';
import { InvalidEventError } from '../../../functions/shared/errors';
import { ResizeWorld, wireDms } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

const dmsMock = mockClient(dms);
recordIamCalls('redshift-resize-replication', [dmsMock]);

let world: ResizeWorld;
beforeEach(() => {
  world = new ResizeWorld();
  wireDms(world, dmsMock);
});

const select = () => handler({ action: 'select' }) as Promise<SelectResult>;
const stop = (taskArns: string[]) =>
  handler({ action: 'stop', taskArns }) as Promise<ReplicationStepResult>;
const resume = (taskArns: string[]) =>
  handler({ action: 'resume', taskArns }) as Promise<ReplicationStepResult>;
const stopped = () =>
  dmsMock.commandCalls(StopReplicationTaskCommand).map((c) => c.args[0].input.ReplicationTaskArn);
const started = () => dmsMock.commandCalls(StartReplicationTaskCommand).map((c) => c.args[0].input);

describe('select (TARGET_ENDPOINT_ARN)', () => {
  it('picks the running tasks that target the endpoint, across pages, and reports the others', async () => {
    // Prepare
    const a = world.addTask('INTOCLUSTER00000000000001', 'running');
    const b = world.addTask('INTOCLUSTER00000000000002', 'running');
    const parked = world.addTask('INTOCLUSTER00000000000003', 'stopped');
    world.addTask('INTOS3ARCHIVE000000000001', 'running', 'S3ARCHIVETARGETENDPOINT01');
    world.addTask(
      'UNLOADFROMCLUSTER00000001',
      'running',
      'S3ARCHIVETARGETENDPOINT01',
      'REDSHIFTTARGETENDPOINT0001',
    );

    // Act
    const result = await select();

    // Assess
    expect(result).toEqual({
      taskArns: [a, b].sort(),
      ignored: [{ arn: parked, status: 'stopped' }],
      leftRunning: [],
    });
    const calls = dmsMock.commandCalls(DescribeReplicationTasksCommand).map((c) => c.args[0].input);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls[0]).toMatchObject({
      Filters: [{ Name: 'endpoint-arn', Values: [TARGET_ENDPOINT_ARN] }],
      WithoutSettings: true,
    });
  });

  it('returns no task when DMS has none for the endpoint', async () => {
    // Act
    const result = await select();

    // Assess
    expect(result).toEqual({ taskArns: [], ignored: [], leftRunning: [] });
    expect(dmsMock.commandCalls(DescribeReplicationTasksCommand)).toHaveLength(1);
  });
});

describe('stop', () => {
  it('stops the running tasks and is settled only once they are all stopped', async () => {
    // Prepare
    const a = world.addTask('INTOCLUSTER00000000000001', 'running');
    const b = world.addTask('INTOCLUSTER00000000000002', 'running');

    // Act
    const first = await stop([a, b]);
    const second = await stop([a, b]);
    const third = await stop([a, b]);

    // Assess
    expect(first).toMatchObject({
      settled: false,
      tasks: [
        { arn: a, action: 'stop-requested' },
        { arn: b, action: 'stop-requested' },
      ],
    });
    expect(second).toMatchObject({
      settled: false,
      tasks: [
        { status: 'stopping', action: 'none' },
        { status: 'stopping', action: 'none' },
      ],
    });
    expect(third).toMatchObject({ settled: true });
    expect(stopped()).toEqual([a, b]);
  });

  it('is idempotent: a retried invocation does not stop anything twice', async () => {
    // Prepare
    const a = world.addTask('INTOCLUSTER00000000000001', 'running');
    await stop([a]);

    // Act
    await stop([a]);

    // Assess
    expect(stopped()).toEqual([a]);
  });

  it('treats a task that changed state under it (InvalidResourceState) as not yet settled', async () => {
    // Prepare
    const a = world.addTask('INTOCLUSTER00000000000001', 'running');
    dmsMock
      .on(StopReplicationTaskCommand)
      .rejects(new InvalidResourceStateFault({ message: 'task is stopping', $metadata: {} }));

    // Act
    const result = await stop([a]);

    // Assess
    expect(result.settled).toBe(false);
  });

  it('every StopReplicationTask reply lost: fails as ReplyLostError; the re-run stops nothing twice', async () => {
    // Prepare: DMS applies the stop, then the connection resets (what the SDK throws when it gives up)
    const a = world.addTask('INTOCLUSTER00000000000001', 'running');
    dmsMock.on(StopReplicationTaskCommand).callsFake(() => {
      world.tasks.get(a)!.status = 'stopping';
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });
    });
    const failed = await stop([a]).then(
      () => undefined,
      (e: Error) => e.name,
    );

    // Act: the workflow's Retry invokes the step again
    const retried = await stop([a]);

    // Assess
    expect(failed).toBe('ReplyLostError');
    expect(retried.tasks).toEqual([{ arn: a, status: 'stopping', action: 'none' }]);
    expect(stopped()).toEqual([a]);
  });

  it('describes the tasks in chunks of at most 10 ARNs', async () => {
    // Prepare
    const arns = Array.from({ length: 12 }, (_, i) =>
      world.addTask(`INTOCLUSTER0000000000000${String(i).padStart(2, '0')}`, 'stopped'),
    );

    // Act
    const result = await stop(arns);

    // Assess
    expect(result.settled).toBe(true);
    const filters = dmsMock
      .commandCalls(DescribeReplicationTasksCommand)
      .map((c) => c.args[0].input.Filters?.[0]?.Values?.length);
    expect(filters.every((n) => (n ?? 0) <= 10)).toBe(true);
    expect(stopped()).toHaveLength(0);
  });
});

describe('resume', () => {
  it('resumes stopped tasks with resume-processing, leaves running ones alone, and settles once all run', async () => {
    // Prepare
    const a = world.addTask('INTOCLUSTER00000000000001', 'stopped');
    const b = world.addTask('INTOCLUSTER00000000000002', 'running');

    // Act
    const first = await resume([a, b]);
    const second = await resume([a, b]);
    const third = await resume([a, b]);

    // Assess
    expect(started()).toEqual([
      { ReplicationTaskArn: a, StartReplicationTaskType: 'resume-processing' },
    ]);
    expect(first.settled).toBe(false);
    expect(second.settled).toBe(false);
    expect(third.settled).toBe(true);
    expect(world.taskStatus(a)).toBe('running');
  });

  it('waits for a task that is still stopping instead of failing', async () => {
    // Prepare
    const a = world.addTask('INTOCLUSTER00000000000001', 'stopping');

    // Act
    const result = await resume([a]);

    // Assess
    expect(result).toEqual({
      settled: false,
      tasks: [{ arn: a, status: 'stopping', action: 'none' }],
    });
    expect(started()).toHaveLength(0);
  });

  it('also resumes a task that failed while paused', async () => {
    // Prepare
    const a = world.addTask('INTOCLUSTER00000000000001', 'failed');

    // Act
    await resume([a]);

    // Assess
    expect(started()).toEqual([
      { ReplicationTaskArn: a, StartReplicationTaskType: 'resume-processing' },
    ]);
  });

  it('counts a task DMS no longer knows as settled rather than looping on it', async () => {
    // Prepare
    const gone = taskArn('DELETEDMEANWHILE000000001');

    // Act
    const result = await resume([gone]);

    // Assess
    expect(result).toEqual({
      settled: true,
      tasks: [{ arn: gone, status: 'missing', action: 'none' }],
    });
  });
});

describe('invalid payloads', () => {
  it.each([
    [{}],
    [{ action: 'explode' }],
    [{ action: 'stop' }],
    [{ action: 'resume', taskArns: 'all' }],
    [undefined],
  ])('rejects %j with InvalidEventError before any AWS call', async (event) => {
    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toThrow(InvalidEventError);
    expect(dmsMock.calls()).toHaveLength(0);
  });
});
