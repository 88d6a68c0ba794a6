import { parseXml, textOf } from '../../../scripts/emulator/aws/xml';
import { changedPaths, drift } from '../../../scripts/emulator/drift';
import { isEmptyValue, unexplainedDrift } from '../../../scripts/emulator/gap-rules';
import {
  fixLifecycleHooks,
  fixScalingPolicies,
} from '../../../scripts/emulator/stand-ins/autoscaling';
import {
  dropTemplateTagsFromData,
  pageVolumes,
  VOLUME_PAGE_CAP,
} from '../../../scripts/emulator/stand-ins/ec2';
import {
  dropEmptyNetworkConfiguration,
  reportSteady,
} from '../../../scripts/emulator/stand-ins/ecs';
import { effectiveLoggingConfig, functionName } from '../../../scripts/emulator/stand-ins/lambda';
import { fixDbCluster } from '../../../scripts/emulator/stand-ins/rds';
import { resizeOptions } from '../../../scripts/emulator/stand-ins/redshift';
import { compactJsonAttributes } from '../../../scripts/emulator/stand-ins/sqs';
import { fixTaskDates } from '../../../scripts/emulator/stand-ins/dms';

describe('fix-ups of moto answers, as the AWS API reference documents them', () => {
  test('Lambda LoggingConfig: Text and /aws/lambda/<name> by default, INFO levels with JSON', () => {
    expect(effectiveLoggingConfig('f')).toEqual({ LogFormat: 'Text', LogGroup: '/aws/lambda/f' });
    expect(effectiveLoggingConfig('f', { LogFormat: 'JSON', SystemLogLevel: 'WARN' })).toEqual({
      LogFormat: 'JSON',
      LogGroup: '/aws/lambda/f',
      SystemLogLevel: 'WARN',
      ApplicationLogLevel: 'INFO',
    });
  });

  test('Lambda function names from names, ARNs and qualified partial ARNs', () => {
    expect(functionName('f')).toBe('f');
    expect(functionName('arn:aws:lambda:us-east-1:123456789012:function:f')).toBe('f');
    expect(functionName('123456789012:function:f:live')).toBe('f');
  });

  test('ECS: an empty networkConfiguration goes, an awsvpc one stays', () => {
    const bridge: Record<string, unknown> = {
      networkConfiguration: {},
      deployments: [{ networkConfiguration: {} }],
    };
    const awsvpc = { networkConfiguration: { awsvpcConfiguration: { subnets: ['s'] } } };
    dropEmptyNetworkConfiguration(bridge);
    dropEmptyNetworkConfiguration(awsvpc);
    expect(bridge).toEqual({ deployments: [{}] });
    expect(awsvpc.networkConfiguration.awsvpcConfiguration.subnets).toEqual(['s']);
  });

  test('ECS: an ACTIVE service is reported steady: the desired count running, one PRIMARY deployment COMPLETED', () => {
    const service: Record<string, unknown> = {
      desiredCount: 3,
      runningCount: 0,
      pendingCount: 3,
      deployments: [
        { id: 'new', status: 'PRIMARY', runningCount: 0, rolloutState: 'IN_PROGRESS' },
        { id: 'old', status: 'ACTIVE', runningCount: 1 },
      ],
    };
    reportSteady(service);
    expect(service).toMatchObject({ runningCount: 3, pendingCount: 0 });
    expect(service.deployments).toEqual([
      expect.objectContaining({ id: 'new', runningCount: 3, rolloutState: 'COMPLETED' }),
    ]);
  });

  test('RDS: no ScalingConfigurationInfo outside Serverless v1, HttpEndpointEnabled as requested', () => {
    const cluster = parseXml(
      '<DBCluster><DBClusterIdentifier>c</DBClusterIdentifier><EngineMode>provisioned</EngineMode>' +
        '<ScalingConfigurationInfo><MinCapacity/></ScalingConfigurationInfo><HttpEndpointEnabled>false</HttpEndpointEnabled></DBCluster>',
    );
    fixDbCluster(cluster, new Map([['c', true]]));
    expect(cluster.children.map((c) => c.name)).toEqual([
      'DBClusterIdentifier',
      'EngineMode',
      'HttpEndpointEnabled',
    ]);
    expect(textOf(cluster, 'HttpEndpointEnabled')).toBe('true');
  });

  test('EC2: the template data keeps its instance and volume tags, not the template own', () => {
    const body = dropTemplateTagsFromData(
      '<R><launchTemplateData><tagSpecificationSet>' +
        '<item><resourceType>instance</resourceType></item><item><resourceType>launch-template</resourceType></item>' +
        '</tagSpecificationSet></launchTemplateData></R>',
    );
    expect(body).toBe(
      '<R><launchTemplateData><tagSpecificationSet><item><resourceType>instance</resourceType></item></tagSpecificationSet></launchTemplateData></R>',
    );
  });

  test('EC2: DescribeVolumes pages (MaxResults capped by the emulator, NextToken to the end)', () => {
    const volumes = Array.from(
      { length: VOLUME_PAGE_CAP + 7 },
      (_, i) => `<item><volumeId>vol-${i}</volumeId></item>`,
    );
    const reply = {
      status: 200,
      headers: {},
      body: `<R><requestId>r</requestId><volumeSet>${volumes.join('')}</volumeSet></R>`,
    };
    const ask = (params: Record<string, unknown>) =>
      pageVolumes({ params } as unknown as Parameters<typeof pageVolumes>[0], reply);
    const ids = (body: string) => [...body.matchAll(/vol-\d+/g)].map((m) => m[0]);
    const first = ask({ MaxResults: '500' });
    const token = textOf(parseXml(first.body), 'nextToken');
    const second = ask({ MaxResults: '500', NextToken: token });
    expect(ids(first.body)).toHaveLength(VOLUME_PAGE_CAP);
    expect(ids(second.body)).toEqual(volumes.slice(VOLUME_PAGE_CAP).map((v) => ids(v)[0]));
    expect(textOf(parseXml(second.body), 'nextToken')).toBeUndefined();
    expect(ask({}).body).toBe(reply.body);
    expect(ask({ MaxResults: '4' }).status).toBe(400);
  });

  test('DMS: replication task timestamps as epoch seconds, unset ones left out', () => {
    const task = {
      ReplicationTaskArn: 'arn:aws:dms:us-east-1:123456789012:task:t',
      ReplicationTaskCreationDate: '2026-12-04T15:53:05.182167',
      ReplicationTaskStartDate: null,
      ReplicationTaskSettings: null,
      ReplicationTaskStats: { StartDate: '2026-12-04T15:53:06', StopDate: null },
    };
    const body = JSON.stringify({ ReplicationTasks: [task], ReplicationTask: task });

    const fixed = JSON.parse(fixTaskDates({ status: 200, headers: {}, body }).body) as Record<
      string,
      unknown
    >;

    const expected = {
      ReplicationTaskArn: task.ReplicationTaskArn,
      ReplicationTaskCreationDate: Date.UTC(2026, 11, 4, 15, 53, 5, 182.167) / 1000,
      ReplicationTaskStats: { StartDate: Date.UTC(2026, 11, 4, 15, 53, 6) / 1000 },
    };
    expect(fixed).toEqual({ ReplicationTasks: [expected], ReplicationTask: expected });
  });

  test('SQS: the redrive policy without the spaces moto writes', () => {
    const reply = compactJsonAttributes({
      status: 200,
      headers: {},
      body: JSON.stringify({
        Attributes: { RedrivePolicy: '{"deadLetterTargetArn": "arn", "maxReceiveCount": 5}' },
      }),
    });
    expect(JSON.parse(reply.body)).toEqual({
      Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"arn","maxReceiveCount":5}' },
    });
  });

  test('Auto Scaling hooks: the target, role and metadata put, never moto placeholders', () => {
    const moto =
      '<R><LifecycleHooks><member><LifecycleHookName>h</LifecycleHookName><AutoScalingGroupName>g</AutoScalingGroupName>' +
      '<NotificationTargetARN>arn:aws:sqs:us-east-1:123456789012:my-queue</NotificationTargetARN>' +
      '<RoleARN>arn:aws:iam::1234567890:role/my-auto-scaling-role</RoleARN></member></LifecycleHooks></R>';
    const put = new Map([['g/h', { NotificationTargetARN: 'arn:sns:topic', RoleARN: 'arn:role' }]]);
    const fixed = parseXml(fixLifecycleHooks(moto, put));
    const unset = parseXml(fixLifecycleHooks(moto, new Map()));
    expect([textOf(fixed, 'NotificationTargetARN'), textOf(fixed, 'RoleARN')]).toEqual([
      'arn:sns:topic',
      'arn:role',
    ]);
    expect([textOf(unset, 'NotificationTargetARN'), textOf(unset, 'RoleARN')]).toEqual([
      undefined,
      undefined,
    ]);
  });

  test('Auto Scaling policies: Enabled as put (true by default), no empty predictive configuration', () => {
    const moto =
      '<R><ScalingPolicies><member><AutoScalingGroupName>g</AutoScalingGroupName><PolicyName>p</PolicyName>' +
      '<PolicyType>StepScaling</PolicyType><PredictiveScalingConfiguration/></member></ScalingPolicies></R>';
    const byDefault = parseXml(fixScalingPolicies(moto, new Map()));
    const disabled = parseXml(fixScalingPolicies(moto, new Map([['g/p', false]])));
    expect(textOf(byDefault, 'Enabled')).toBe('true');
    expect(textOf(disabled, 'Enabled')).toBe('false');
    expect(textOf(byDefault, 'PredictiveScalingConfiguration')).toBeUndefined();
  });

  test('Redshift elastic resize options: half to double the nodes, within the node type', () => {
    expect(resizeOptions('ra3.4xlarge', 4)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(resizeOptions('dc2.large', 1)).toEqual([2]);
    expect(resizeOptions('no.such-type', 4)).toEqual([]);
  });
});

describe('re-plan drift and what the gaps file allows', () => {
  const change = (type: string, before: unknown, after: unknown, unknown: unknown = {}) =>
    drift({
      resource_changes: [
        {
          address: `${type}.x`,
          type,
          change: { actions: ['update'], before, after, after_unknown: unknown },
        },
      ],
    })[0]!;

  test('paths of what differs or becomes unknown, list indices dropped', () => {
    expect(changedPaths({ a: 1, b: [{ c: 1 }] }, { a: 1, b: [{ c: 2 }] }, {})).toEqual(['b.c']);
    expect(changedPaths({ v: '1' }, { v: null }, { v: true })).toEqual(['v']);
  });

  test('an allowed path drifting from nothing in the state is explained', () => {
    const d = change(
      'aws_autoscaling_group',
      { default_instance_warmup: 0 },
      { default_instance_warmup: 120 },
    );
    expect(unexplainedDrift(d)).toEqual([]);
  });

  test('an allowed path drifting from another value is not: moto read back something', () => {
    const d = change(
      'aws_autoscaling_group',
      { default_instance_warmup: 60 },
      { default_instance_warmup: 120 },
    );
    expect(unexplainedDrift(d)).toEqual(['default_instance_warmup']);
  });

  test('a path the gaps file does not list is not explained', () => {
    const d = change('aws_autoscaling_group', { max_size: 0 }, { max_size: 6 });
    expect(unexplainedDrift(d)).toEqual(['max_size']);
  });

  test('a replacement is never explained', () => {
    const d = drift({
      resource_changes: [
        {
          address: 'aws_autoscaling_group.x',
          type: 'aws_autoscaling_group',
          change: {
            actions: ['delete', 'create'],
            before: { default_instance_warmup: 0 },
            after: { default_instance_warmup: 1 },
          },
        },
      ],
    })[0]!;
    expect(unexplainedDrift(d)).toEqual(['default_instance_warmup']);
  });

  test('empty values: null, 0, false, "", [] and structures of them', () => {
    expect(['[null]', '[0]', '[""]', '[[{"a":"","b":[]}]]'].every(isEmptyValue)).toBe(true);
    expect(['[1]', '["x"]', 'not json'].some(isEmptyValue)).toBe(false);
  });
});
