import { jsonCall, queryCall, restCall } from './aws/call';
import { MotoServer, type MotoCommand } from './moto';
import { allStandIns } from './stand-ins';
import { StandInServer } from './stand-ins/server';

/** moto behind the stand-ins: `endpoint` is what clients use, `moto` the emulator itself. */
export interface Emulator {
  readonly endpoint: string;
  readonly moto: MotoServer;
  readonly standIns: StandInServer;
  stop(): Promise<void>;
}

/**
 * moto loads a service's backend on the first request to it (EC2's takes seconds): one cheap read per service
 * the stacks use, started while Terraform initializes, takes that off the apply's critical path.
 */
export async function warmUp(endpoint: string): Promise<void> {
  await Promise.allSettled([
    queryCall(endpoint, 'ec2', '2016-11-15', 'DescribeVpcs'),
    queryCall(endpoint, 'iam', '2010-05-08', 'ListRoles'),
    queryCall(endpoint, 'rds', '2014-10-31', 'DescribeDBClusters'),
    queryCall(endpoint, 'elasticloadbalancing', '2015-12-01', 'DescribeLoadBalancers'),
    queryCall(endpoint, 'autoscaling', '2011-01-01', 'DescribeAutoScalingGroups'),
    queryCall(endpoint, 'monitoring', '2010-08-01', 'DescribeAlarms'),
    queryCall(endpoint, 'sns', '2010-03-31', 'ListTopics'),
    jsonCall(endpoint, 'ecs', 'AmazonEC2ContainerServiceV20141113.ListClusters'),
    jsonCall(endpoint, 'kms', 'TrentService.ListKeys'),
    jsonCall(endpoint, 'logs', 'Logs_20140328.DescribeLogGroups'),
    jsonCall(endpoint, 'events', 'AWSEvents.ListRules'),
    jsonCall(endpoint, 'sqs', 'AmazonSQS.ListQueues', {}, '1.0'),
    jsonCall(endpoint, 'dynamodb', 'DynamoDB_20120810.ListTables', {}, '1.0'),
    jsonCall(endpoint, 'states', 'AWSStepFunctions.ListStateMachines', {}, '1.0'),
    jsonCall(
      endpoint,
      'application-autoscaling',
      'AnyScaleFrontendService.DescribeScalableTargets',
      {
        ServiceNamespace: 'ecs',
      },
    ),
    restCall(endpoint, 'lambda', 'GET', '/2015-03-31/functions/'),
  ]);
}

/** Starts moto on a free loopback port (or `motoPort`) and the stand-ins in front of it. */
export async function startEmulator(
  moto: MotoCommand,
  options: { motoPort?: number; port?: number } = {},
): Promise<Emulator> {
  const server = await MotoServer.start(moto, {
    ...(options.motoPort ? { port: options.motoPort } : {}),
  });
  let standIns: StandInServer;
  try {
    standIns = await StandInServer.start(server.endpoint, allStandIns(), {
      ...(options.port ? { port: options.port } : {}),
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    endpoint: standIns.endpoint,
    moto: server,
    standIns,
    async stop() {
      await standIns.stop();
      await server.stop();
    },
  };
}
