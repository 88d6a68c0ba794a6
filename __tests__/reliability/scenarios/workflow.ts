import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsStub } from 'aws-sdk-client-mock';
import { CLUSTER_ID, functionArn, TEST_ENV } from '../../redshift-resize/fixtures/env';
import {
  ResizeWorld,
  wireCloudWatch,
  wireDms,
  wireRedshift,
  wireSns,
} from '../../redshift-resize/fixtures/world';
import { STATE_MACHINE_SUBJECT } from '../../../stacks/redshift-resize/stack';
import { runDefinition, type LambdaHandler } from '../../support/local-sfn';
import { AnswerBook } from '../harness/answers';
import type { Scenario } from '../harness/matrix';

export interface WorkflowFunctions {
  readonly guard: LambdaHandler;
  readonly replication: LambdaHandler;
  readonly resize: LambdaHandler;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const asStub = (book: AnswerBook) => book as unknown as AwsStub<any, any, any>;

/**
 * The resize workflow as the stack deploys it (the synthesized definition, run by the local interpreter with
 * its Retry and Catch; waits are 0), its three functions and its own SDK calls on the wire. The state
 * machine's SDK clients make one attempt: Step Functions retries by the definition, not like the JS SDK.
 * Final state: the execution's status, the cluster, the replication tasks, and whether the end was notified.
 */
export function workflowScenario(
  definitionJson: string,
  executionName: string,
  functions: () => WorkflowFunctions,
): Scenario {
  let world: ResizeWorld;
  return {
    name: 'redshift-resize-workflow',
    start: new Date('2024-03-04T05:06:17.891Z'),
    operations: [
      'RedshiftClient.DescribeClusters',
      'RedshiftClient.ResizeCluster',
      'RedshiftClient.CreateClusterSnapshot',
      'DatabaseMigrationServiceClient.StopReplicationTask',
      'DatabaseMigrationServiceClient.StartReplicationTask',
      'SNSClient.Publish',
    ],
    async prepare(wire) {
      world = ResizeWorld.standard();
      const redshift = new AnswerBook();
      const dms = new AnswerBook();
      const sns = new AnswerBook();
      const cloudwatch = new AnswerBook();
      wireRedshift(world, asStub(redshift));
      wireCloudWatch(world, asStub(cloudwatch));
      wireDms(world, asStub(dms));
      wireSns(world, asStub(sns));
      wire
        .serve(RedshiftClient, redshift)
        .serve(DatabaseMigrationServiceClient, dms)
        .serve(SNSClient, sns)
        .serve(CloudWatchClient, cloudwatch);
    },
    async run(platform) {
      const { guard, replication, resize } = functions();
      await platform.execution(() =>
        runDefinition(definitionJson, {
          executionName,
          input: {
            clusterId: CLUSTER_ID,
            alarmName: TEST_ENV.ALARM_NAME,
            stateChangeTime: '2024-03-04T05:06:07.891Z',
            reason: null,
          },
          lambdas: {
            [functionArn('guard')]: guard,
            [functionArn('replication')]: replication,
            [functionArn('resize')]: resize,
          },
          sdkClients: {
            redshift: new RedshiftClient({ maxAttempts: 1 }),
            sns: new SNSClient({ maxAttempts: 1 }),
          },
          // Its own calls are the role's calls, faults or not: the IAM proof may judge them too.
          iamSubject: STATE_MACHINE_SUBJECT,
        }),
      );
    },
    state() {
      return {
        cluster: world.cluster,
        tasks: [...world.tasks.values()].map((t) => t.status),
        // A standard topic deduplicates nothing (only FIFO topics do), so subscribers take duplicates: what
        // counts is that the end was told.
        // https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html
        notified: world.published.length > 0,
      };
    },
  };
}
