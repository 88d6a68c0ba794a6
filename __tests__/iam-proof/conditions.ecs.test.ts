import { arn, resourceName, WORLD } from '../support/deployment';
import { decide } from './engine';
import { subject } from './conditions-support';

// The conditions must bite: requests the handlers never make are denied.
describe('ECS container instance role', () => {
  const cluster = resourceName('ecs-spot-api');
  const own = arn('ecs', `cluster/${cluster}`);
  const otherCluster = arn('ecs', 'cluster/someone-elses');
  const role = () => subject('ecs-spot-api-instance-role').policy;

  test('an instance may not register with another cluster', async () => {
    const request = { action: 'ecs:RegisterContainerInstance', resource: otherCluster };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('an instance may not poll for another cluster', async () => {
    const request = {
      action: 'ecs:Poll',
      resource: arn('ecs', 'container-instance/someone-elses/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7'),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('draining needs the ecs:cluster of its own cluster', async () => {
    const request = {
      action: 'ecs:UpdateContainerInstancesState',
      resource: arn('ecs', `container-instance/${cluster}/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7`),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
    await expect(decide(role(), { ...request, context: { 'ecs:cluster': own } })).resolves.toBe(
      'Allowed',
    );
  });

  test('images come only from this account and region', async () => {
    const request = {
      action: 'ecr:BatchGetImage',
      resource: `arn:aws:ecr:${WORLD.region}:210987654321:repository/app`,
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('logs go only to the service log group', async () => {
    const request = {
      action: 'logs:PutLogEvents',
      resource: arn('logs', 'log-group:/aws/lambda/other:log-stream:x'),
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('the other ECS stack has its own cluster', async () => {
    const request = { action: 'ecs:RegisterContainerInstance', resource: own };
    await expect(
      decide(subject('ecs-autoscaling-drain-instance-role').policy, request),
    ).resolves.toBe('ImplicitlyDenied');
  });
});

describe('ECS drain policy', () => {
  const drain = () => subject('ecs-drain-drain').policy;
  const cluster = resourceName('ecs');
  const otherCluster = arn('ecs', 'cluster/someone-elses');

  test('stopping a task of another cluster is denied', async () => {
    const request = {
      action: 'ecs:StopTask',
      resource: arn('ecs', 'task/someone-elses/9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d'),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('draining a container instance needs its cluster to be ours', async () => {
    const request = {
      action: 'ecs:UpdateContainerInstancesState',
      resource: arn('ecs', `container-instance/${cluster}/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7`),
      context: { 'ecs:cluster': otherCluster },
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('lifecycle actions of another Auto Scaling group are denied', async () => {
    const request = {
      action: 'autoscaling:CompleteLifecycleAction',
      resource: arn(
        'autoscaling',
        'autoScalingGroup:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:autoScalingGroupName/other-asg',
      ),
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('re-checks go only to its own queue', async () => {
    const request = {
      action: 'sqs:SendMessage',
      resource: arn('sqs', resourceName('other-queue')),
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('it may not publish to SNS at all', async () => {
    const request = {
      action: 'sns:Publish',
      resource: arn('sns', resourceName('ecs-drain-lifecycle')),
    };
    await expect(decide(drain(), request)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('Spot signal function', () => {
  const cluster = resourceName('ecs-spot-api');
  const role = () => subject('ecs-drain-spot-signal').policy;
  const ci = (clusterName: string) =>
    arn('ecs', `container-instance/${clusterName}/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7`);

  test('it may list container instances of its own cluster only', async () => {
    const request = { action: 'ecs:ListContainerInstances', resource: arn('ecs', 'cluster/other') };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test("it may list the tasks of its own cluster's container instances only", async () => {
    const request = {
      action: 'ecs:ListTasks',
      resource: ci('other'),
      context: { 'ecs:cluster': arn('ecs', 'cluster/other') },
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
    const own = {
      ...request,
      resource: ci(cluster),
      context: { 'ecs:cluster': arn('ecs', `cluster/${cluster}`) },
    };
    await expect(decide(role(), own)).resolves.toBe('Allowed');
  });

  test('it changes nothing: no drain, no stop', async () => {
    const request = {
      action: 'ecs:UpdateContainerInstancesState',
      resource: ci(cluster),
      context: { 'ecs:cluster': arn('ecs', `cluster/${cluster}`) },
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('Spot fallback function', () => {
  const cluster = resourceName('ecs-spot-api');
  const role = () => subject('ecs-drain-spot-fallback').policy;
  const inCluster = { 'ecs:cluster': arn('ecs', `cluster/${cluster}`) };
  const provider = (name: string) => arn('ecs', `capacity-provider/${resourceName(name)}`);
  const update = (service: string, providers: string[]) => ({
    action: 'ecs:UpdateService',
    resource: arn('ecs', `service/${cluster}/${service}`),
    context: { ...inCluster, 'ecs:capacity-provider': providers },
  });

  test('it may shift its own service between its two capacity providers', async () => {
    const own = update(cluster, [
      provider('ecs-spot-api-on-demand'),
      provider('ecs-spot-api-spot'),
    ]);
    await expect(decide(role(), own)).resolves.toBe('Allowed');
  });

  test('it may not update another service of the cluster', async () => {
    const other = update('other', [provider('ecs-spot-api-on-demand')]);
    await expect(decide(role(), other)).resolves.toBe('ImplicitlyDenied');
  });

  test('it may not put its service on another capacity provider', async () => {
    const foreign = update(cluster, [provider('ecs-spot-api-on-demand'), provider('someone-else')]);
    await expect(decide(role(), foreign)).resolves.toBe('ImplicitlyDenied');
  });

  test('it may not list the tasks of another cluster', async () => {
    const request = {
      action: 'ecs:ListTasks',
      resource: '*',
      context: { 'ecs:cluster': arn('ecs', 'cluster/other') },
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });

  test('it may not stop tasks', async () => {
    const request = {
      action: 'ecs:StopTask',
      resource: arn('ecs', `task/${cluster}/0f4a7b2c9d8e41f6a5b3c2d1e0f9a8b7`),
      context: inCluster,
    };
    await expect(decide(role(), request)).resolves.toBe('ImplicitlyDenied');
  });
});
