import { App, Token } from 'cdktf';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildResizeDefinition } from '../../stacks/redshift-resize/definition';
import {
  CLASSIC_RESIZE_MIN_PHASE_SECONDS,
  resolveWorkflow,
  type ResizeWorkflowProps,
} from '../../stacks/redshift-resize/workflow';
import {
  RedshiftResizeStack,
  spliceResources,
  STATE_MACHINE_SUBJECT,
  TASK_RESOURCES_PLACEHOLDER,
} from '../../stacks/redshift-resize-stack';
import {
  FakeCodeSource,
  only,
  resources,
  synthJson,
  synthStack,
  type TfJson,
} from '../support/synth';

const { stack, json } = synthStack('redshift-resize');

const P = '${data.aws_partition.partition.partition}';
const RA = '${var.region}:${var.account_id}';
const arnOf = (service: string, resource: string) => `arn:${P}:${service}:${RA}:${resource}`;
const CLUSTER_ARN = arnOf('redshift', 'cluster:${var.redshift_cluster_id}');
const STATE_MACHINE_ARN = arnOf('states', 'stateMachine:${var.name_prefix}-redshift-resize');
const TOPIC_ARN = arnOf('sns', '${var.name_prefix}-redshift-resize-alerts');
const fnArn = (step: string) =>
  arnOf('lambda', `function:\${var.name_prefix}-redshift-resize-${step}`);

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

function synthWith(workflow: ResizeWorkflowProps): TfJson {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'synth-')), stackTraces: false });
  const s = new RedshiftResizeStack(app, 'redshift-resize', {
    codeSource: new FakeCodeSource(),
    backend: { kind: 'local' },
    workflow,
  });
  return synthJson(s);
}

function policyText(roleName: string, j: TfJson = json): string {
  const role = Object.entries(resources(j, 'aws_iam_role')).find(
    ([, r]) => r.name === `\${var.name_prefix}-${roleName}`,
  );
  if (!role) throw new Error(`no role ${roleName}`);
  const policy = Object.values(resources(j, 'aws_iam_role_policy')).find(
    (p) => p.role === `\${aws_iam_role.${role[0]}.name}`,
  );
  return policy?.policy as string;
}
const statementsOf = (roleName: string): Statement[] =>
  (JSON.parse(policyText(roleName)) as { Statement: Statement[] }).Statement;
const statement = (roleName: string, sid: string) =>
  statementsOf(roleName).find((s) => s.Sid === sid);

function fn(name: string): Record<string, unknown> {
  const found = Object.values(resources(json, 'aws_lambda_function')).find(
    (f) => f.function_name === `\${var.name_prefix}-${name}`,
  );
  if (!found) throw new Error(`no function ${name}`);
  return found;
}
const envOf = (name: string) =>
  (fn(name).environment as { variables: Record<string, string> }).variables;

const machine = () => only(json, 'aws_sfn_state_machine');

describe('variables', () => {
  test.each([
    ['redshift_cluster_id', 'string', undefined],
    ['redshift_dms_target_endpoint_arn', 'string', undefined],
    ['redshift_replication_task_arns', 'list(string)', []],
    ['redshift_disk_threshold_percent', 'number', 80],
    ['redshift_disk_evaluation_periods', 'number', 3],
    ['redshift_resize_factor', 'number', 2],
    ['redshift_max_node_count', 'number', undefined],
    ['redshift_resize_type', 'string', 'elastic'],
    ['redshift_cooldown_minutes', 'number', 360],
  ])('%s: %s, default %j, documented and validated', (name, type, def) => {
    const variable = json.variable[name] as {
      type?: string;
      default?: unknown;
      description?: string;
      validation?: Array<{ condition: string; error_message: string }>;
    };
    expect(variable.type).toBe(type);
    expect(variable.default).toEqual(def);
    expect(variable.description?.length).toBeGreaterThan(20);
    expect(variable.validation?.[0]?.condition).toMatch(new RegExp(`^\\$\\{.*var\\.${name}.*\\}$`));
    expect(variable.validation?.[0]?.error_message).toContain(name);
  });

  test('the phase timeouts are not variables: the definition needs plain numbers', () => {
    expect(Object.keys(json.variable).filter((v) => /timeout|interval/.test(v))).toEqual([]);
  });

  test('exactly one of the task list and the target endpoint, checked before the state machine is planned', () => {
    const [exactlyOne] = (
      machine().lifecycle as { precondition: Array<{ condition: string; error_message: string }> }
    ).precondition;
    expect(exactlyOne).toEqual({
      condition:
        '${(length(var.redshift_replication_task_arns) > 0) != (var.redshift_dms_target_endpoint_arn != "")}',
      error_message:
        'Set exactly one of redshift_replication_task_arns (a non-empty list) and redshift_dms_target_endpoint_arn.',
    });
  });

  test('classic resizes are refused while the resize phase timeout is below the classic minimum', () => {
    const conditions = (
      machine().lifecycle as { precondition: Array<{ condition: string }> }
    ).precondition.map((p) => p.condition);
    expect(conditions).toContain('${var.redshift_resize_type != "classic"}');
  });
});

describe('the trigger', () => {
  test('runs one at a time, with a 30 s timeout and an encrypted failure queue', () => {
    expect(fn('redshift-resize-trigger')).toMatchObject({
      timeout: 30,
      reserved_concurrent_executions: 1,
    });
    expect(only(json, 'aws_sqs_queue')).toMatchObject({
      name: '${var.name_prefix}-redshift-resize-trigger-failures',
      sqs_managed_sse_enabled: true,
    });
  });

  test('gets the state machine, alarm and cluster through its environment', () => {
    expect(envOf('redshift-resize-trigger')).toMatchObject({
      STATE_MACHINE_ARN,
      ALARM_NAME: '${var.name_prefix}-redshift-disk-space',
      CLUSTER_ID: '${var.redshift_cluster_id}',
    });
  });

  test('may only list and start executions of its state machine', () => {
    expect(statement('redshift-resize-trigger', 'StartOneResizeAtATime')).toEqual({
      Sid: 'StartOneResizeAtATime',
      Effect: 'Allow',
      Action: ['states:ListExecutions', 'states:StartExecution'],
      Resource: STATE_MACHINE_ARN,
    });
  });

  test('is subscribed to ALARM transitions of the disk alarm only, invoked by SNS from that topic', () => {
    const subscription = Object.values(resources(json, 'aws_sns_topic_subscription')).find(
      (s) => s.protocol === 'lambda',
    );
    expect(subscription).toMatchObject({
      topic_arn: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_.*\.arn\}$/),
      endpoint: expect.stringMatching(/^\$\{aws_lambda_function\.trigger_function_.*\.arn\}$/),
      filter_policy_scope: 'MessageBody',
    });
    expect(JSON.parse(subscription?.filter_policy as string)).toEqual({
      AlarmName: ['${var.name_prefix}-redshift-disk-space'],
      NewStateValue: ['ALARM'],
    });
    expect(only(json, 'aws_lambda_permission')).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'sns.amazonaws.com',
      source_arn: subscription?.topic_arn,
      function_name: expect.stringMatching(
        /^\$\{aws_lambda_function\.trigger_function_.*\.function_name\}$/,
      ),
    });
  });
});

describe('the workflow functions', () => {
  test('time out within 60 s (the definition gives each Lambda task 120 s)', () => {
    for (const name of ['guard', 'replication', 'resize'])
      expect(fn(`redshift-resize-${name}`).timeout).toBeLessThanOrEqual(60);
  });

  test('the guard gets the resize policy through its environment and reads only its cluster', () => {
    expect(envOf('redshift-resize-guard')).toMatchObject({
      CLUSTER_ID: '${var.redshift_cluster_id}',
      MAX_NODE_COUNT: '${var.redshift_max_node_count}',
      RESIZE_FACTOR: '${var.redshift_resize_factor}',
      RESIZE_TYPE: '${var.redshift_resize_type}',
      COOLDOWN_MINUTES: '${var.redshift_cooldown_minutes}',
    });
    expect(statement('redshift-resize-guard', 'ReadCluster')).toMatchObject({
      Action: ['redshift:DescribeClusters', 'redshift:DescribeResize'],
      Resource: CLUSTER_ARN,
    });
    expect(statement('redshift-resize-guard', 'ReadResizeEvents')).toMatchObject({
      Action: 'redshift:DescribeEvents',
      Resource: '*',
    });
  });

  test('the resize function may resize only its cluster', () => {
    expect(envOf('redshift-resize-resize')).toMatchObject({
      CLUSTER_ID: '${var.redshift_cluster_id}',
    });
    expect(statement('redshift-resize-resize', 'ResizeOnlyThisCluster')).toMatchObject({
      Action: ['redshift:DescribeClusters', 'redshift:DescribeResize', 'redshift:ResizeCluster'],
      Resource: CLUSTER_ARN,
    });
  });

  test('replication gets the task list as JSON and the endpoint through its environment', () => {
    expect(envOf('redshift-resize-replication')).toMatchObject({
      REPLICATION_TASK_ARNS: '${jsonencode(var.redshift_replication_task_arns)}',
      TARGET_ENDPOINT_ARN: '${var.redshift_dms_target_endpoint_arn}',
    });
  });

  test('replication may stop and start the listed tasks, or any task of the account in endpoint mode', () => {
    // The list variable is spliced into the policy whole (a JSON list), not as a string.
    expect(policyText('redshift-resize-replication')).toContain(
      '"Action":["dms:StopReplicationTask","dms:StartReplicationTask"],"Resource":' +
        '${jsonencode(length(var.redshift_replication_task_arns) > 0 ? var.redshift_replication_task_arns : ' +
        `["arn:${P}:dms:${RA}:task:*"])}}`,
    );
    expect(policyText('redshift-resize-replication')).not.toContain(TASK_RESOURCES_PLACEHOLDER);
  });
});

describe('the state machine', () => {
  test('is STANDARD, logs errors without execution data to a log group with retention', () => {
    expect(machine()).toMatchObject({
      name: '${var.name_prefix}-redshift-resize',
      type: 'STANDARD',
      logging_configuration: {
        level: 'ERROR',
        include_execution_data: false,
        log_destination: expect.stringMatching(
          /^\$\{aws_cloudwatch_log_group\.state-machine-logs\.arn\}:\*$/,
        ),
      },
    });
    expect(resources(json, 'aws_cloudwatch_log_group')['state-machine-logs']).toEqual({
      name: '/aws/vendedlogs/states/${var.name_prefix}-redshift-resize',
      retention_in_days: '${var.log_retention_days}',
    });
  });

  test('its definition is the builder output for the deployed functions, topic and default timing', () => {
    const expected = buildResizeDefinition({
      functionArns: {
        guard: fnArn('guard'),
        replication: fnArn('replication'),
        resize: fnArn('resize'),
      },
      topicArn: TOPIC_ARN,
      phaseTimeoutsSeconds: { stop: 900, snapshot: 3600, resize: 21600, resume: 900 },
      pollIntervalsSeconds: { stop: 30, snapshot: 60, resize: 300, resume: 30 },
      timeoutSeconds: 172800,
      snapshotRetentionDays: 35,
    });
    expect(JSON.parse(machine().definition as string)).toEqual(expected);
  });

  test('its role trusts Step Functions of this account only', () => {
    const role = resources(json, 'aws_iam_role')['state-machine-role'];
    expect(JSON.parse(role?.assume_role_policy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'states.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '${var.account_id}' },
            ArnLike: { 'aws:SourceArn': arnOf('states', 'stateMachine:*') },
          },
        },
      ],
    });
  });

  test('its role may do exactly what the definition does, plus log delivery', () => {
    const statements = statementsOf('redshift-resize-state-machine');
    const snapshots = arnOf('redshift', 'snapshot:${var.redshift_cluster_id}/resize-*');
    expect(statements.map((s) => s.Sid)).toEqual([
      'InvokeWorkflowFunctions',
      'SnapshotBeforeResize',
      'WatchResizeSnapshot',
      'Notify',
      'EncryptNotifications',
      'DeliverExecutionLogs',
    ]);
    expect(statements[0]).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Resource: ['guard', 'replication', 'resize'].flatMap((s) => [fnArn(s), `${fnArn(s)}:*`]),
    });
    expect(statements[1]).toMatchObject({
      Action: 'redshift:CreateClusterSnapshot',
      Resource: [CLUSTER_ARN, snapshots],
    });
    expect(statements[2]).toMatchObject({
      Action: 'redshift:DescribeClusterSnapshots',
      Resource: [CLUSTER_ARN, snapshots],
    });
    expect(statements[3]).toMatchObject({ Action: 'sns:Publish', Resource: TOPIC_ARN });
    expect(statements[4]).toMatchObject({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: arnOf('kms', 'key/*'),
      Condition: {
        StringEquals: { 'kms:ViaService': 'sns.${var.region}.amazonaws.com' },
        'ForAnyValue:StringEquals': {
          'kms:ResourceAliases': 'alias/${var.name_prefix}-redshift-resize',
        },
      },
    });
    expect(statements[5]).toMatchObject({ Resource: '*' });
  });

  test('the KMS condition names the alias the alerts key really gets', () => {
    expect(only(json, 'aws_kms_alias').name).toBe('alias/${var.name_prefix}-redshift-resize');
  });

  test('its role is under the IAM proof, with KMS and log delivery as platform statements', () => {
    const subject = stack.iamSubjects.find((s) => s.name === STATE_MACHINE_SUBJECT);
    expect(subject?.statements.filter((s) => s.platform).map((s) => s.sid)).toEqual([
      'EncryptNotifications',
      'DeliverExecutionLogs',
    ]);
    expect(stack.iamSubjects.map((s) => s.name).sort()).toEqual([
      'redshift-resize-guard',
      'redshift-resize-replication',
      'redshift-resize-resize',
      STATE_MACHINE_SUBJECT,
      'redshift-resize-trigger',
    ]);
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resources(json, 'aws_cloudwatch_metric_alarm'));

  test('the disk alarm watches PercentageDiskSpaceUsed of the cluster at the threshold for N periods', () => {
    const disk = alarms().find((a) => a.metric_name === 'PercentageDiskSpaceUsed');
    expect(disk).toMatchObject({
      alarm_name: '${var.name_prefix}-redshift-disk-space',
      namespace: 'AWS/Redshift',
      dimensions: { ClusterIdentifier: '${var.redshift_cluster_id}' },
      statistic: 'Average',
      period: 300,
      threshold: '${var.redshift_disk_threshold_percent}',
      evaluation_periods: '${var.redshift_disk_evaluation_periods}',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'missing',
    });
  });

  test('every alarm notifies the alerts topic, the one the trigger is subscribed to', () => {
    for (const alarm of alarms())
      expect(alarm.alarm_actions).toEqual([
        expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_.*\.arn\}$/),
      ]);
    expect(only(json, 'aws_sns_topic').kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
  });

  test('failed, timed-out and aborted executions, function errors and trigger failures alarm', () => {
    const byMetric = alarms()
      .map((a) => a.metric_name)
      .sort();
    expect(byMetric).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'PercentageDiskSpaceUsed',
    ]);
    for (const alarm of alarms().filter((a) => a.namespace === 'AWS/States'))
      expect(alarm).toMatchObject({
        dimensions: { StateMachineArn: STATE_MACHINE_ARN },
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
      });
  });
});

test('outputs: the state machine, the topic and the longest replication pause', () => {
  expect(json.output).toMatchObject({
    state_machine_arn: { value: '${aws_sfn_state_machine.state-machine.arn}' },
    topic_arn: { value: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_.*\.arn\}$/) },
    max_replication_pause_seconds: { value: 34380 },
  });
});

describe('workflow props', () => {
  test('a classic-sized resize phase changes the definition and lifts the classic precondition', () => {
    const j = synthWith({
      phaseTimeoutsSeconds: { resize: CLASSIC_RESIZE_MIN_PHASE_SECONDS },
      pollIntervalsSeconds: { resize: 600 },
      executionTimeoutSeconds: 7 * 24 * 3600,
    });
    const machineJson = Object.values(resources(j, 'aws_sfn_state_machine'))[0] as {
      definition: string;
      lifecycle: { precondition: Array<{ condition: string }> };
    };
    const definition = JSON.parse(machineJson.definition) as {
      TimeoutSeconds: number;
      States: Record<string, { Choices?: Array<{ NumericGreaterThanEquals?: number }> }>;
    };
    expect(definition.TimeoutSeconds).toBe(7 * 24 * 3600);
    expect(definition.States.IsResizeDone?.Choices?.[1]?.NumericGreaterThanEquals).toBe(144);
    expect(machineJson.lifecycle.precondition.map((p) => p.condition)).not.toContain(
      '${var.redshift_resize_type != "classic"}',
    );
  });

  test.each<[string, ResizeWorkflowProps, string]>([
    [
      'a poll interval above its timeout',
      { pollIntervalsSeconds: { stop: 901 } },
      'pollIntervalsSeconds.stop (901) must not exceed phaseTimeoutsSeconds.stop (900)',
    ],
    [
      'a fractional timeout',
      { phaseTimeoutsSeconds: { snapshot: 10.5 } },
      'phaseTimeoutsSeconds.snapshot must be a whole number >= 1, got 10.5',
    ],
    [
      'a zero interval',
      { pollIntervalsSeconds: { resume: 0 } },
      'pollIntervalsSeconds.resume must be a whole number >= 1, got 0',
    ],
    [
      'a snapshot retention of 0',
      { snapshotRetentionDays: 0 },
      'snapshotRetentionDays must be -1 or 1..3653, got 0',
    ],
    [
      'an execution timeout below the bounded paths',
      { executionTimeoutSeconds: 3600 },
      'executionTimeoutSeconds must be a whole number >= 35280 (the longest bounded run of these phases), got 3600',
    ],
    [
      'a Terraform token',
      { phaseTimeoutsSeconds: { resize: Token.asNumber('${var.x}') } },
      'phaseTimeoutsSeconds.resize must be a plain number at synth time, not a Terraform token',
    ],
  ])('refuses %s, naming the bad value', (_what, props, message) => {
    expect(() => resolveWorkflow(props)).toThrow(message);
    expect(() => synthWith(props)).toThrow(message);
  });

  test('defaults are the suggested values, and the longest replication pause follows from them', () => {
    expect(resolveWorkflow()).toEqual({
      phaseTimeoutsSeconds: { stop: 900, snapshot: 3600, resize: 21600, resume: 900 },
      pollIntervalsSeconds: { stop: 30, snapshot: 60, resize: 300, resume: 30 },
      executionTimeoutSeconds: 172800,
      snapshotRetentionDays: 35,
      maxReplicationPauseSeconds: 34380,
    });
  });
});

describe('spliceResources', () => {
  test('replaces the quoted placeholder with the expression', () => {
    expect(spliceResources('{"Resource":"X"}', 'X', 'jsonencode(var.a)')).toBe(
      '{"Resource":${jsonencode(var.a)}}',
    );
  });

  test.each([
    ['missing', '{"Resource":"Y"}'],
    ['twice', '{"Resource":"X","Other":"X"}'],
  ])('refuses a placeholder that is %s', (_what, policy) => {
    expect(() => spliceResources(policy, 'X', 'e')).toThrow('exactly once');
  });
});

describe('dashboard', () => {
  test('the stack has exactly one CloudWatch dashboard, named <name_prefix>-redshift-resize', () => {
    // Assess
    const dashboards = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    expect(dashboards.map((d) => d.dashboard_name)).toEqual(['${var.name_prefix}-redshift-resize']);
  });
});
