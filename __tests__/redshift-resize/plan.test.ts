import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  plannedResources,
  proveStack,
  resourceCounts,
  sharedSynth,
  type StackProof,
} from '../../scripts/offline-proof';
import { substituteTf } from '../../scripts/tf-values';
import { validateDefinition } from '../support/local-sfn';
import { readTfvarsExample } from '../support/tfvars';
import { annotationsOf, metricRefs, plannedDashboardBody } from '../support/dashboard-body';
import {
  describeOffline,
  offlineProof,
  offlineTools,
  refusalOf,
  variantVarFile,
} from '../support/offline';

describeOffline('offline Terraform proof: redshift-resize', () => {
  let proof: StackProof;
  beforeAll(async () => {
    proof = await offlineProof('redshift-resize');
  }, 180_000);

  const only = (type: string) => {
    const all = plannedResources(proof.plan, type);
    if (all.length !== 1) throw new Error(`expected one ${type}, planned ${all.length}`);
    return all[0]?.values as Record<string, unknown>;
  };

  test('terraform validate reports the configuration valid, without warnings', () => {
    expect(proof.validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test('the plan creates the expected resource types and counts', () => {
    expect(resourceCounts(proof.plan)).toEqual({
      aws_cloudwatch_dashboard: 1,
      aws_cloudwatch_event_rule: 1,
      aws_cloudwatch_event_target: 1,
      aws_cloudwatch_log_group: 5,
      aws_cloudwatch_metric_alarm: 14,
      aws_iam_role: 5,
      aws_iam_role_policy: 5,
      aws_kms_alias: 1,
      aws_kms_key: 1,
      aws_lambda_function: 4,
      aws_lambda_function_event_invoke_config: 1,
      aws_lambda_permission: 2,
      aws_sfn_state_machine: 1,
      aws_sns_topic: 1,
      aws_sns_topic_subscription: 1,
      aws_sqs_queue: 1,
    });
  });

  test('the state machine is STANDARD and logs to a log group with retention, without execution data', () => {
    const machine = only('aws_sfn_state_machine');
    expect(machine.type).toBe('STANDARD');
    const [logging] = machine.logging_configuration as Array<Record<string, unknown>>;
    expect(logging).toMatchObject({ level: 'ERROR', include_execution_data: false });
    const groups = plannedResources(proof.plan, 'aws_cloudwatch_log_group').map((g) => g.values);
    const group = groups.find((g) => String(g.name).startsWith('/aws/vendedlogs/states/'));
    expect(group).toMatchObject({
      name: '/aws/vendedlogs/states/ops-autopilot-redshift-resize',
      retention_in_days: 30,
    });
  });

  test('the state machine definition is whole JSON with the deployed function ARNs', () => {
    const definition = JSON.parse(only('aws_sfn_state_machine').definition as string) as {
      States: Record<string, { Resource?: string }>;
    };
    expect(definition.States.Guard?.Resource).toBe(
      'arn:aws:lambda:us-east-1:123456789012:function:ops-autopilot-redshift-resize-guard',
    );
  });

  test('the planned definition has numeric attempt bounds and TimeoutSeconds, from the timeout variables', () => {
    // Prepare
    type Choice = { Variable?: string; NumericGreaterThanEquals?: unknown };
    const definition = JSON.parse(only('aws_sfn_state_machine').definition as string) as {
      TimeoutSeconds: unknown;
      States: Record<
        string,
        { Type: string; Choices?: Choice[]; Parameters?: Record<string, unknown> }
      >;
    };

    // Act
    const bounds = Object.fromEntries(
      Object.entries(definition.States).flatMap(([name, state]) =>
        (state.Choices ?? [])
          .filter((c) => c.Variable === '$.poll.attempts')
          .map((c) => [name, c.NumericGreaterThanEquals]),
      ),
    );

    // Assess: 900/30, 3600/60, 21600/300, 21600/1800, 900/30 (twice: resume and the resume after a failure).
    expect(bounds).toEqual({
      AreTasksStopped: 30,
      IsSnapshotAvailable: 60,
      IsResizeDone: 72,
      IsOverdueResizeDone: 12,
      AreTasksRunning: 30,
      IsRecoveryDone: 30,
    });
    expect(definition.TimeoutSeconds).toBe(172800);
    expect(definition.States.StopTimedOut?.Parameters?.['Cause.$']).toContain('within 900 s');
  });

  test('the longest replication pause output is computed from the timeout variables', () => {
    const outputs = (
      proof.plan as { planned_values?: { outputs?: Record<string, { value?: unknown }> } }
    ).planned_values?.outputs;
    expect(outputs?.max_replication_pause_seconds?.value).toBe(60300);
  });

  test('Terraform renders the definition exactly as the synthesized-definition test substitutes it', () => {
    // That test runs substituteTf(synthesized definition); here Terraform itself renders the same text.
    const config = JSON.parse(readFileSync(join(proof.dir, 'cdk.tf.json'), 'utf8')) as {
      variable: Record<string, { default?: unknown }>;
      resource: { aws_sfn_state_machine: Record<string, { definition: string }> };
    };
    const [synthesized] = Object.values(config.resource.aws_sfn_state_machine);
    const substituted = substituteTf(
      synthesized?.definition ?? '',
      readTfvarsExample(),
      config.variable,
    );
    expect(only('aws_sfn_state_machine').definition).toBe(substituted);
    expect(substituted).toContain('"executionName.$":"$$.Execution.Name"');
  });

  test('the definition the provider sends Step Functions to validate at plan is the planned one, and valid ASL', () => {
    // The provider validates a known definition while planning; the offline proof answers with a local stub.
    const planned = only('aws_sfn_state_machine');
    expect(proof.sfnValidations).toEqual([{ definition: planned.definition, type: 'STANDARD' }]);
    expect(validateDefinition(planned.definition as string)).toEqual({ isValid: true, errors: '' });
  });

  test('every function runs nodejs22.x on arm64 with a content hash of its zip', () => {
    const fns = plannedResources(proof.plan, 'aws_lambda_function');
    expect(fns).toHaveLength(4);
    for (const fn of fns) {
      expect(fn.values).toMatchObject({ runtime: 'nodejs22.x', architectures: ['arm64'] });
      expect(fn.values.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
  });

  test('the disk alarm watches PercentageDiskSpaceUsed of the cluster at the threshold', () => {
    const alarm = plannedResources(proof.plan, 'aws_cloudwatch_metric_alarm').find(
      (a) => a.values.metric_name === 'PercentageDiskSpaceUsed',
    );
    expect(alarm?.values).toMatchObject({
      alarm_name: 'ops-autopilot-redshift-disk-space',
      namespace: 'AWS/Redshift',
      dimensions: { ClusterIdentifier: 'ops-autopilot-analytics' },
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: 80,
      evaluation_periods: 3,
    });
  });

  test('the trigger receives only ALARM transitions of the disk alarm', () => {
    const subscription = only('aws_sns_topic_subscription');
    expect(subscription).toMatchObject({ protocol: 'lambda', filter_policy_scope: 'MessageBody' });
    expect(JSON.parse(subscription.filter_policy as string)).toEqual({
      AlarmName: ['ops-autopilot-redshift-disk-space'],
      NewStateValue: ['ALARM'],
    });
  });

  test('re-check: the schedule runs every redshift_recheck_minutes, the guard gets the daily limit', () => {
    const rule = only('aws_cloudwatch_event_rule');
    const guard = plannedResources(proof.plan, 'aws_lambda_function')
      .map((f) => f.values)
      .find((f) => f.function_name === 'ops-autopilot-redshift-resize-guard');
    const blocked = plannedResources(proof.plan, 'aws_cloudwatch_metric_alarm')
      .map((a) => a.values)
      .filter((a) => a.metric_name === 'ResizeSkipped');
    expect(rule).toMatchObject({
      name: 'ops-autopilot-redshift-resize-recheck',
      schedule_expression: 'rate(30 minutes)',
    });
    expect(guard?.environment).toEqual([
      {
        variables: expect.objectContaining({
          MAX_RESIZES_PER_DAY: '2',
          CONCURRENCY_SCALING_MAX_NODES: '32',
        }),
      },
    ]);
    expect(blocked.map((a) => a.alarm_name).sort()).toEqual([
      'ops-autopilot-redshift-resize-growth-blocked-AT_MAXIMUM',
      'ops-autopilot-redshift-resize-growth-blocked-CONCURRENCY_SCALING_CAP',
      'ops-autopilot-redshift-resize-growth-blocked-DAILY_LIMIT',
      'ops-autopilot-redshift-resize-growth-blocked-NODE_TYPE_CHANGE_REFUSED',
    ]);
  });

  test('the replication policy splices the endpoint-mode task wildcard as a JSON list', () => {
    const policies = plannedResources(proof.plan, 'aws_iam_role_policy').map(
      (p) => JSON.parse(p.values.policy as string) as { Statement: Array<Record<string, unknown>> },
    );
    const statement = policies
      .flatMap((p) => p.Statement)
      .find((s) => s.Sid === 'PauseAndResumeReplicationTasks');
    expect(statement?.Resource).toEqual(['arn:aws:dms:us-east-1:123456789012:task:*']);
  });

  test('IAM policies are fully known at plan time, so a reviewer reads them in the plan', () => {
    for (const policy of plannedResources(proof.plan, 'aws_iam_role_policy')) {
      expect(typeof policy.values.policy).toBe('string');
      expect(policy.values.policy).toContain('arn:aws:');
    }
  });

  test("the dashboard reads this deployment's state machine and cluster, with the alarms' thresholds", () => {
    const vars = readTfvarsExample();
    const body = plannedDashboardBody(proof.plan);
    const refs = metricRefs(body);
    const machines = new Set(refs.map((r) => r.dimensions.StateMachineArn).filter(Boolean));
    expect([...machines]).toEqual([
      `arn:aws:states:${vars.region}:${vars.account_id}:stateMachine:${vars.name_prefix}-redshift-resize`,
    ]);
    expect(refs.find((r) => r.name === 'PercentageDiskSpaceUsed')?.dimensions).toEqual({
      ClusterIdentifier: vars.redshift_cluster_id,
    });
    expect(annotationsOf(body, 'Disk space used')).toEqual([
      ['redshift_disk_threshold_percent', vars.redshift_disk_threshold_percent],
    ]);
    expect(refs.find((r) => r.via === 'insights')?.dimensions).toEqual({
      ClusterIdentifier: vars.redshift_cluster_id,
    });
    expect(annotationsOf(body, 'Fullest node')).toEqual([
      ['redshift_node_disk_threshold_percent', vars.redshift_node_disk_threshold_percent],
    ]);
  });
});

describeOffline('offline Terraform proof: redshift-resize variables', () => {
  let outdir: string;
  const plan = (overrides: Record<string, unknown>) =>
    proveStack(offlineTools!, outdir, 'redshift-resize', variantVarFile(overrides));
  const LISTED = [
    'arn:aws:dms:us-east-1:123456789012:task:LISTEDCDCTASK000000000001',
    'arn:aws:dms:us-east-1:123456789012:task:LISTEDCDCTASK000000000002',
  ];
  /**
   * One plan serves the variant tests: list mode, the "alarm" trigger and a classic resize each change other
   * resources (the replication policy and function, the trigger's subscription, the workflow's bounds).
   */
  const VARIANT = {
    redshift_replication_task_arns: LISTED,
    redshift_dms_target_endpoint_arn: '',
    redshift_trigger: 'alarm',
    redshift_trigger_alarm_name: 'analytics-queue-wait',
    redshift_resize_type: 'classic',
    redshift_resize_timeout_seconds: 86400,
    redshift_stop_timeout_seconds: 90,
  };
  let variant: Promise<StackProof> | undefined;
  const variantPlan = () => (variant ??= plan(VARIANT));
  beforeAll(async () => {
    outdir = await sharedSynth();
  }, 180_000);

  test('list mode: the replication policy names exactly the listed tasks, the function gets them as JSON', async () => {
    const { plan: p } = await variantPlan();
    const statement = plannedResources(p, 'aws_iam_role_policy')
      .flatMap(
        (r) =>
          (JSON.parse(r.values.policy as string) as { Statement: Array<Record<string, unknown>> })
            .Statement,
      )
      .find((s) => s.Sid === 'PauseAndResumeReplicationTasks');
    expect(statement?.Resource).toEqual(LISTED);
    const replication = plannedResources(p, 'aws_lambda_function').find(
      (f) => f.values.function_name === 'ops-autopilot-redshift-resize-replication',
    );
    const [environment] = replication?.values.environment as Array<{
      variables: Record<string, string>;
    }>;
    expect(JSON.parse(environment?.variables.REPLICATION_TASK_ARNS ?? 'null')).toEqual(LISTED);
    expect(environment?.variables.TARGET_ENDPOINT_ARN).toBe('');
  }, 120_000);

  /** What terraform refuses for these values, with its line wrapping undone ("" when it accepts them). */
  const refusal = async (overrides: Record<string, unknown>) =>
    refusalOf(outdir, 'redshift-resize', overrides);

  test.each([
    ['both a task list and a target endpoint', { redshift_replication_task_arns: LISTED }],
    ['neither a task list nor a target endpoint', { redshift_dms_target_endpoint_arn: '' }],
  ])(
    'refuses %s',
    async (_what, overrides) => {
      await expect(refusal(overrides)).resolves.toContain(
        'Set exactly one of redshift_replication_task_arns (a non-empty list) and redshift_dms_target_endpoint_arn.',
      );
    },
    120_000,
  );

  test('redshift_trigger "alarm": the named alarm is the one subscribed to, read and watched', async () => {
    // Act
    const { plan: p } = await variantPlan();

    // Assess
    const subscription = plannedResources(p, 'aws_sns_topic_subscription').find(
      (s) => s.values.protocol === 'lambda',
    );
    expect(JSON.parse(subscription?.values.filter_policy as string)).toEqual({
      AlarmName: ['analytics-queue-wait'],
      NewStateValue: ['ALARM'],
    });
    const read = plannedResources(p, 'aws_iam_role_policy')
      .flatMap(
        (r) =>
          (JSON.parse(r.values.policy as string) as { Statement: Array<Record<string, unknown>> })
            .Statement,
      )
      .find((st) => st.Sid === 'ReadTheAlarmState');
    expect(read?.Resource).toBe(
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:analytics-queue-wait',
    );
    const trigger = plannedResources(p, 'aws_lambda_function').find(
      (f) => f.values.function_name === 'ops-autopilot-redshift-resize-trigger',
    );
    const env = (trigger?.values.environment as { variables: Record<string, string> }[])[0];
    expect(env?.variables).toMatchObject({ ALARM_NAME: 'analytics-queue-wait', TRIGGER: 'alarm' });
  }, 120_000);

  test('refuses a classic resize with the elastic resize phase timeout', async () => {
    await expect(refusal({ redshift_resize_type: 'classic' })).resolves.toContain(
      'redshift_resize_type "classic" needs redshift_resize_timeout_seconds of at least 86400 s.',
    );
  }, 120_000);

  test('a classic resize with a 24 h resize timeout plans, with the bounds and the pause that follow', async () => {
    // Act
    const { plan: p } = await variantPlan();

    // Assess
    const [machine] = plannedResources(p, 'aws_sfn_state_machine');
    const definition = JSON.parse(machine?.values.definition as string) as {
      States: Record<
        string,
        { Choices?: Array<{ Variable?: string; NumericGreaterThanEquals?: unknown }> }
      >;
    };
    const bound = (choice: string) =>
      definition.States[choice]?.Choices?.find((c) => c.Variable === '$.poll.attempts')
        ?.NumericGreaterThanEquals;
    expect(bound('IsResizeDone')).toBe(288);
    expect(bound('AreTasksStopped')).toBe(3);
    const outputs = (p as { planned_values?: { outputs?: Record<string, { value?: unknown }> } })
      .planned_values?.outputs;
    // ceil((90 + 3600 + 86400 + 21600 + 2 x 900) x 1.2) + 900
    expect(outputs?.max_replication_pause_seconds?.value).toBe(137088);
  }, 120_000);

  test('validates every variable (terraform reports all refusals of one plan)', async () => {
    // Prepare: one bad value per variable.
    const bad = {
      redshift_cluster_id: 'Analytics_1',
      redshift_dms_target_endpoint_arn: 'arn:aws:dms:us-east-1:123456789012:task:X',
      redshift_replication_task_arns: ['not-an-arn'],
      redshift_disk_threshold_percent: 100,
      redshift_disk_evaluation_periods: 1.5,
      redshift_resize_factor: 1,
      redshift_max_node_count: 129,
      redshift_resize_type: 'fast',
      redshift_cooldown_minutes: 20161,
      redshift_stop_timeout_seconds: 29,
      redshift_snapshot_timeout_seconds: 18001,
      redshift_resize_timeout_seconds: 600.5,
      redshift_resume_timeout_seconds: 0,
      redshift_max_resizes_per_day: 25,
      redshift_recheck_minutes: 4,
    };

    // Act
    const message = await refusal(bad);

    // Assess
    for (const expected of [
      'redshift_cluster_id must be a Redshift cluster identifier',
      'redshift_dms_target_endpoint_arn must be empty or a DMS endpoint ARN',
      'redshift_replication_task_arns must hold at most 100 DMS replication task ARNs',
      'redshift_disk_threshold_percent must be above 0 and below 100.',
      'redshift_disk_evaluation_periods must be a whole number from 1 to 288.',
      'redshift_resize_factor must be above 1 and at most 8.',
      'redshift_max_node_count must be a whole number from 1 to 128.',
      'redshift_resize_type must be "elastic" or "classic".',
      'redshift_cooldown_minutes must be a whole number from 0 to 20160.',
      'redshift_stop_timeout_seconds must be a whole number from 30 (its poll interval) to 9000 (300 polls).',
      'redshift_snapshot_timeout_seconds must be a whole number from 60 (its poll interval) to 18000 (300 polls).',
      'redshift_resize_timeout_seconds must be a whole number from 300 (its poll interval) to 90000 (300 polls).',
      'redshift_resume_timeout_seconds must be a whole number from 30 (its poll interval) to 9000 (300 polls).',
      'redshift_max_resizes_per_day must be a whole number from 1 to 24.',
      'redshift_recheck_minutes must be a whole number from 5 to 60.',
    ])
      expect(message).toContain(expected);
  }, 120_000);
});
