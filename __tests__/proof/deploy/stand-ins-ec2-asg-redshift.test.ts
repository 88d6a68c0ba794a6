import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeLifecycleHooksCommand,
  PutLifecycleHookCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  DescribeCapacityReservationsCommand,
  EC2Client,
  ModifyCapacityReservationCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeEventsCommand,
  DescribeNodeConfigurationOptionsCommand,
  DescribeResizeCommand,
  RedshiftClient,
  ResizeClusterCommand,
} from '@aws-sdk/client-redshift';
import type { Emulator } from '../../../scripts/emulator/emulator';
import { clientConfig, describeEmulator, emulatorForTests, hook } from '../../support/emulator';

describeEmulator(
  'stand-ins: EC2 capacity reservations, Auto Scaling lifecycle actions, Redshift resize',
  () => {
    let emulator: Emulator;
    beforeAll(async () => {
      emulator = await emulatorForTests();
    }, 60_000);
    afterAll(() => emulator?.stop());

    describe('EC2 capacity reservations', () => {
      const create = (token: string, count = 2) =>
        new CreateCapacityReservationCommand({
          ClientToken: token,
          InstanceType: 'm5.large',
          InstancePlatform: 'Linux/UNIX',
          AvailabilityZone: 'us-east-1a',
          InstanceCount: count,
          TagSpecifications: [
            { ResourceType: 'capacity-reservation', Tags: [{ Key: 'managed-by', Value: 't' }] },
          ],
        });

      test('create is idempotent per ClientToken, and active at once', async () => {
        const ec2 = new EC2Client(clientConfig(emulator.endpoint));
        const first = await ec2.send(create('token-1'));
        const again = await ec2.send(create('token-1'));
        expect(first.CapacityReservation).toMatchObject({ State: 'active', TotalInstanceCount: 2 });
        expect(again.CapacityReservation?.CapacityReservationId).toBe(
          first.CapacityReservation?.CapacityReservationId,
        );
        await expect(ec2.send(create('token-1', 3))).rejects.toMatchObject({
          name: 'IdempotentParameterMismatch',
        });
      });

      test('describe filters by tag and state; modify and cancel move the documented states', async () => {
        const ec2 = new EC2Client(clientConfig(emulator.endpoint));
        const id = (await ec2.send(create('token-2'))).CapacityReservation!.CapacityReservationId!;
        await ec2.send(
          new ModifyCapacityReservationCommand({ CapacityReservationId: id, InstanceCount: 1 }),
        );
        await ec2.send(new CancelCapacityReservationCommand({ CapacityReservationId: id }));
        const live = await ec2.send(
          new DescribeCapacityReservationsCommand({
            Filters: [
              { Name: 'tag:managed-by', Values: ['t'] },
              { Name: 'state', Values: ['active'] },
            ],
          }),
        );
        const cancelled = await ec2.send(
          new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }),
        );
        expect(live.CapacityReservations?.map((r) => r.CapacityReservationId)).not.toContain(id);
        expect(cancelled.CapacityReservations?.[0]).toMatchObject({
          State: 'cancelled',
          TotalInstanceCount: 1,
        });
      });

      test('a hook makes a pool answer InsufficientInstanceCapacity, as EC2 does when it has none', async () => {
        const ec2 = new EC2Client(clientConfig(emulator.endpoint));
        await hook(emulator.endpoint, 'POST', 'ec2/capacity-reservations/insufficient-capacity', {
          instanceType: 'm5.large',
          availabilityZone: 'us-east-1a',
        });
        await expect(ec2.send(create('token-3'))).rejects.toMatchObject({
          name: 'InsufficientInstanceCapacity',
        });
      });
    });

    describe('Auto Scaling lifecycle hooks and actions', () => {
      const group = 'drain-group';
      const ref = {
        AutoScalingGroupName: group,
        LifecycleHookName: 'drain',
        InstanceId: 'i-0123456789abcdef0',
      };
      let token = '';

      beforeAll(async () => {
        const asg = new AutoScalingClient(clientConfig(emulator.endpoint));
        await asg.send(
          new CreateLaunchConfigurationCommand({
            LaunchConfigurationName: 'lc',
            ImageId: 'ami-12c6146b',
            InstanceType: 't3.micro',
          }),
        );
        await asg.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: group,
            LaunchConfigurationName: 'lc',
            MinSize: 0,
            MaxSize: 1,
            AvailabilityZones: ['us-east-1a'],
          }),
        );
        await asg.send(
          new PutLifecycleHookCommand({
            AutoScalingGroupName: group,
            LifecycleHookName: 'drain',
            LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
            NotificationTargetARN: 'arn:aws:sns:us-east-1:123456789012:lifecycle',
            RoleARN: 'arn:aws:iam::123456789012:role/hook',
          }),
        );
        const started = await hook(emulator.endpoint, 'POST', 'autoscaling/lifecycle-actions', {
          AutoScalingGroupName: group,
          LifecycleHookName: 'drain',
          EC2InstanceId: ref.InstanceId,
        });
        token = String(started.body.LifecycleActionToken);
      }, 60_000);

      test('the hook keeps the notification target and role it was put with', async () => {
        const asg = new AutoScalingClient(clientConfig(emulator.endpoint));
        const out = await asg.send(
          new DescribeLifecycleHooksCommand({ AutoScalingGroupName: group }),
        );
        expect(out.LifecycleHooks?.[0]).toMatchObject({
          NotificationTargetARN: 'arn:aws:sns:us-east-1:123456789012:lifecycle',
          RoleARN: 'arn:aws:iam::123456789012:role/hook',
        });
      });

      test('heartbeat, then CONTINUE; a second completion finds no active action', async () => {
        const asg = new AutoScalingClient(clientConfig(emulator.endpoint));
        await asg.send(
          new RecordLifecycleActionHeartbeatCommand({ ...ref, LifecycleActionToken: token }),
        );
        await asg.send(
          new CompleteLifecycleActionCommand({
            ...ref,
            LifecycleActionToken: token,
            LifecycleActionResult: 'CONTINUE',
          }),
        );
        await expect(
          asg.send(
            new CompleteLifecycleActionCommand({
              ...ref,
              LifecycleActionToken: token,
              LifecycleActionResult: 'CONTINUE',
            }),
          ),
        ).rejects.toMatchObject({
          name: 'ValidationError',
          message: expect.stringMatching(/No active Lifecycle Action found/),
        });
        const actions = await hook(emulator.endpoint, 'GET', 'autoscaling/lifecycle-actions');
        expect(actions.body).toEqual([
          expect.objectContaining({ token, state: 'completed', result: 'CONTINUE', heartbeats: 1 }),
        ]);
      });

      test('an action cannot start on a hook moto does not hold', async () => {
        const started = await hook(emulator.endpoint, 'POST', 'autoscaling/lifecycle-actions', {
          AutoScalingGroupName: group,
          LifecycleHookName: 'nope',
          EC2InstanceId: ref.InstanceId,
        });
        expect(started.status).toBe(404);
      });
    });

    describe('Redshift resize', () => {
      const id = 'analytics';
      beforeAll(async () => {
        const redshift = new RedshiftClient(clientConfig(emulator.endpoint));
        await redshift.send(
          new CreateClusterCommand({
            ClusterIdentifier: id,
            NodeType: 'ra3.4xlarge',
            NumberOfNodes: 2,
            ClusterType: 'multi-node',
            MasterUsername: 'admin',
            MasterUserPassword: 'Passw0rd-not-real',
          }),
        );
        await hook(emulator.endpoint, 'PUT', 'redshift/settings', { resizeSeconds: 3600 });
      }, 60_000);

      test('no resize yet: ResizeNotFoundFault', async () => {
        const redshift = new RedshiftClient(clientConfig(emulator.endpoint));
        await expect(
          redshift.send(new DescribeResizeCommand({ ClusterIdentifier: id })),
        ).rejects.toMatchObject({
          name: 'ResizeNotFoundFault',
        });
      });

      test('a resize runs (cluster resizing, IN_PROGRESS), then ends with the new node count', async () => {
        const redshift = new RedshiftClient(clientConfig(emulator.endpoint));
        await redshift.send(new ResizeClusterCommand({ ClusterIdentifier: id, NumberOfNodes: 4 }));
        const during = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }));
        const progress = await redshift.send(new DescribeResizeCommand({ ClusterIdentifier: id }));
        await expect(
          redshift.send(new ResizeClusterCommand({ ClusterIdentifier: id, NumberOfNodes: 6 })),
        ).rejects.toMatchObject({
          name: 'InvalidClusterStateFault',
        });
        await hook(emulator.endpoint, 'POST', `redshift/resizes/${id}`, { status: 'SUCCEEDED' });
        const after = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }));
        const done = await redshift.send(new DescribeResizeCommand({ ClusterIdentifier: id }));
        expect(during.Clusters?.[0]?.ClusterStatus).toBe('resizing');
        expect(progress).toMatchObject({
          Status: 'IN_PROGRESS',
          TargetNumberOfNodes: 4,
          ResizeType: 'ElasticResize',
        });
        expect(after.Clusters?.[0]).toMatchObject({ ClusterStatus: 'available', NumberOfNodes: 4 });
        expect(done.Status).toBe('SUCCEEDED');
      });

      test('DescribeEvents reports the resize start and completion events of the cluster', async () => {
        const redshift = new RedshiftClient(clientConfig(emulator.endpoint));
        const out = await redshift.send(
          new DescribeEventsCommand({ SourceIdentifier: id, SourceType: 'cluster', Duration: 60 }),
        );
        expect(out.Events?.map((e) => e.EventId)).toEqual([
          'REDSHIFT-EVENT-2006',
          'REDSHIFT-EVENT-3002',
        ]);
      });

      test('DescribeNodeConfigurationOptions lists the elastic resize targets of the cluster', async () => {
        const redshift = new RedshiftClient(clientConfig(emulator.endpoint));
        const out = await redshift.send(
          new DescribeNodeConfigurationOptionsCommand({
            ActionType: 'resize-cluster',
            ClusterIdentifier: id,
          }),
        );
        expect(out.NodeConfigurationOptionList?.map((o) => o.NumberOfNodes)).toEqual([
          2, 3, 5, 6, 7, 8,
        ]);
      });
    });
  },
);
