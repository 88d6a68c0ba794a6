import { LISTED_TASK_ARNS } from '../fixtures/env-task-list';
import { DescribeReplicationTasksCommand } from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { ReplicationTaskNotFoundError } from '../../../functions/redshift-resize/errors';
import { dms, handler } from '../../../functions/redshift-resize/replication.handler';
import { ResizeWorld, wireDms } from '../fixtures/world';
import { recordIamCalls } from '../../support/iam-recorder';

const dmsMock = mockClient(dms);
recordIamCalls('redshift-resize-replication', [dmsMock]);

const [first, second] = LISTED_TASK_ARNS as [string, string];
const idOf = (arn: string) => arn.split(':task:')[1] ?? '';

let world: ResizeWorld;
beforeEach(() => {
  world = new ResizeWorld();
  wireDms(world, dmsMock);
});

describe('select (REPLICATION_TASK_ARNS)', () => {
  it('considers exactly the listed tasks, by ARN, and picks the running ones', async () => {
    // Prepare
    world.addTask(idOf(first), 'running');
    world.addTask(idOf(second), 'stopped');
    world.addTask('NOTLISTED0000000000000001', 'running');

    // Act
    const result = await handler({ action: 'select' });

    // Assess
    expect(result).toEqual({
      taskArns: [first],
      ignored: [{ arn: second, status: 'stopped' }],
      leftRunning: [],
    });
    expect(dmsMock.commandCalls(DescribeReplicationTasksCommand)[0]?.args[0].input.Filters).toEqual(
      [{ Name: 'replication-task-arn', Values: LISTED_TASK_ARNS }],
    );
  });

  it('fails loudly when a listed task does not exist', async () => {
    // Prepare
    world.addTask(idOf(first), 'running');

    // Act
    const result = handler({ action: 'select' });

    // Assess
    await expect(result).rejects.toThrow(ReplicationTaskNotFoundError);
  });
});
