import '../fixtures/env';
import { StopReplicationTaskCommand } from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { dms, handler } from '../../../functions/redshift-resize/replication.handler';
import type { SelectResult } from '../../../functions/redshift-resize/replication';
import { ResizeWorld, wireDms } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

// DMS MigrationType is full-load | cdc | full-load-and-cdc
// (https://docs.aws.amazon.com/dms/latest/APIReference/API_ReplicationTask.html); a full load's progress is in
// ReplicationTaskStats (FullLoadFinishDate, TablesLoading, TablesQueued;
// https://docs.aws.amazon.com/dms/latest/APIReference/API_ReplicationTaskStats.html).
const dmsMock = mockClient(dms);
recordIamCalls('redshift-resize-replication', [dmsMock]);

let world: ResizeWorld;
beforeEach(() => {
  world = new ResizeWorld();
  wireDms(world, dmsMock);
});

const select = () => handler({ action: 'select' }) as Promise<SelectResult>;
const FINISHED = {
  FullLoadProgressPercent: 100,
  TablesLoaded: 12,
  TablesLoading: 0,
  TablesQueued: 0,
  FullLoadStartDate: new Date('2024-03-01T00:00:00Z'),
  FullLoadFinishDate: new Date('2024-03-01T02:00:00Z'),
};
const LOADING = {
  FullLoadProgressPercent: 40,
  TablesLoaded: 5,
  TablesLoading: 2,
  TablesQueued: 5,
  FullLoadStartDate: new Date('2024-03-04T04:00:00Z'),
};

describe('select leaves full loads alone', () => {
  it('pauses CDC tasks and full-load-and-CDC tasks whose full load finished', async () => {
    // Prepare
    const cdc = world.addTask('CDCONLY000000000000000001', 'running');
    const done = world.addTask('FULLLOADANDCDCDONE0000001', 'running');
    world.setMigration(done, 'full-load-and-cdc', FINISHED);

    // Act
    const result = await select();

    // Assess
    expect(result.taskArns).toEqual([cdc, done].sort());
    expect(result.leftRunning).toEqual([]);
  });

  it.each([
    ['a full-load-only task', 'full-load' as const, FINISHED, 'full-load task'],
    ['a task still in its full load', 'full-load-and-cdc' as const, LOADING, 'full load'],
    [
      'a task whose full load reports no finish yet',
      'full-load-and-cdc' as const,
      { ...FINISHED, FullLoadFinishDate: undefined },
      'full load',
    ],
  ])('leaves %s running and says why', async (_, migrationType, stats, reason) => {
    // Prepare
    const task = world.addTask('FULLLOAD00000000000000001', 'running');
    world.setMigration(task, migrationType, stats);

    // Act
    const result = await select();

    // Assess
    expect(result.taskArns).toEqual([]);
    expect(result.leftRunning).toEqual([
      { arn: task, migrationType, reason: expect.stringContaining(reason) },
    ]);
  });

  it('never stops a task it left running', async () => {
    // Prepare
    const task = world.addTask('FULLLOAD00000000000000001', 'running');
    world.setMigration(task, 'full-load-and-cdc', LOADING);

    // Act
    const { taskArns } = await select();
    await handler({ action: 'stop', taskArns });

    // Assess
    expect(dmsMock.commandCalls(StopReplicationTaskCommand)).toHaveLength(0);
    expect(world.taskStatus(task)).toBe('running');
  });
});
