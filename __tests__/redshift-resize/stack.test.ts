import { substituteTf } from '../../scripts/tf-values';
import { buildResizeDefinition } from '../../stacks/redshift-resize/asl';
import {
  STATE_MACHINE_SUBJECT,
  TASK_RESOURCES_PLACEHOLDER,
} from '../../stacks/redshift-resize/stack';
import { only, resources, synthStack, type TfJson } from '../support/synth';
import { withTrigger } from './fixtures/trigger-choice';
import { readTfvarsExample } from '../support/tfvars';

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

function policyText(roleName: string, j: TfJson = json): string {
  const role = Object.entries(resources(j, 'aws_iam_role')).find(
    ([, r]) => r.name === `\${var.name_prefix}-${roleName}`,
  );
  if (!role) throw new Error(`no role ${roleName}`);
  const policy = Object.values(resources(j, 'aws_iam_role_policy')).find(
    (p) => p.role === `\${aws_iam_role.${role[0]}.name}`,
  );
  const text = policy?.policy as string;
  // The trigger's alarm is an expression over redshift_trigger: read with the default, the disk alarm.
  return roleName === 'redshift-resize-trigger' ? withTrigger(text) : text;
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
    ['redshift_stop_timeout_seconds', 'number', 900],
    ['redshift_snapshot_timeout_seconds', 'number', 3600],
    ['redshift_resize_timeout_seconds', 'number', 21600],
    ['redshift_resume_timeout_seconds', 'number', 900],
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

  test.each([
    ['redshift_stop_timeout_seconds', 30, 9000],
    ['redshift_snapshot_timeout_seconds', 60, 18000],
    ['redshift_resize_timeout_seconds', 300, 90000],
    ['redshift_resume_timeout_seconds', 30, 9000],
  ])('%s is a whole number from its poll interval (%d) to 300 polls (%d)', (name, min, max) => {
    const [validation] = (
      json.variable[name] as { validation: Array<{ condition: string; error_message: string }> }
    ).validation;
    expect(validation).toEqual({
      condition: `\${var.${name} >= ${min} && var.${name} <= ${max} && floor(var.${name}) == var.${name}}`,
      error_message: `${name} must be a whole number from ${min} (its poll interval) to ${max} (300 polls).`,
    });
  });

  test('no poll interval is a variable: the Wait states take them from the props', () => {
    expect(Object.keys(json.variable).filter((v) => /interval/.test(v))).toEqual([]);
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

  test('classic resizes are refused while the resize timeout variable is below the classic minimum', () => {
    const preconditions = (
      machine().lifecycle as { precondition: Array<{ condition: string; error_message: string }> }
    ).precondition;
    expect(preconditions).toContainEqual({
      condition:
        '${var.redshift_resize_type != "classic" || var.redshift_resize_timeout_seconds >= 86400}',
      error_message:
        'redshift_resize_type "classic" needs redshift_resize_timeout_seconds of at least 86400 s. Raise it (and the Aurora binlog retention with it).',
    });
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
    const env = envOf('redshift-resize-trigger');
    expect({ ...env, ALARM_NAME: withTrigger(env.ALARM_NAME ?? '') }).toMatchObject({
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
    expect(JSON.parse(withTrigger(subscription?.filter_policy as string))).toEqual({
      AlarmName: ['${var.name_prefix}-redshift-disk-space'],
      NewStateValue: ['ALARM'],
    });
    const snsPermission = Object.values(resources(json, 'aws_lambda_permission')).find(
      (p) => p.principal === 'sns.amazonaws.com',
    );
    expect(snsPermission).toMatchObject({
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

  test('its definition renders, with the variable defaults, to the builder output for the deployed functions, topic and default timing', () => {
    // Prepare: what Terraform renders with terraform.tfvars.example (which sets the timeout defaults).
    const vars = readTfvarsExample();
    const deployed = (text: string) => substituteTf(text, vars, json.variable, 'aws');
    const expected = buildResizeDefinition({
      functionArns: {
        guard: deployed(fnArn('guard')),
        replication: deployed(fnArn('replication')),
        resize: deployed(fnArn('resize')),
      },
      topicArn: deployed(TOPIC_ARN),
      phaseTimeoutsSeconds: {
        stop: 900,
        snapshot: 3600,
        resize: 21600,
        overdue: 21_600,
        resume: 900,
      },
      pollIntervalsSeconds: { stop: 30, snapshot: 60, resize: 300, overdue: 1800, resume: 30 },
      timeoutSeconds: 172800,
      snapshotRetentionDays: 35,
    });

    // Act
    const rendered = deployed(machine().definition as string);

    // Assess
    expect(JSON.parse(rendered)).toEqual(expected);
  });

  test('its attempt bounds and TimeoutSeconds are unquoted Terraform expressions over the timeout variables', () => {
    const definition = machine().definition as string;
    expect(definition).toContain(
      '"NumericGreaterThanEquals":${max(1, ceil(var.redshift_stop_timeout_seconds / 30))}',
    );
    expect(definition).toContain(
      '"NumericGreaterThanEquals":${max(1, ceil(var.redshift_resize_timeout_seconds / 300))}',
    );
    expect(definition).toMatch(/"TimeoutSeconds":\$\{max\(172800, ceil\(.*\) \+ 900 \+ 900\)\}/);
    expect(definition).toContain('did not stop within ${var.redshift_stop_timeout_seconds} s');
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
      Resource: ['guard', 'replication', 'resize'].map(fnArn),
    });
    expect(statements[1]).toMatchObject({
      Action: 'redshift:CreateClusterSnapshot',
      Resource: [CLUSTER_ARN, snapshots],
    });
    expect(statements[2]).toMatchObject({
      Action: 'redshift:DescribeClusterSnapshots',
      Resource: CLUSTER_ARN,
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
