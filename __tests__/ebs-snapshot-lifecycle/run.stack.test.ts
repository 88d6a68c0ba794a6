import { resources, synthStack } from '../support/synth';

/** The run as synthesized: schedule -> start function -> state machine -> page function. */
const { json } = synthStack('ebs-snapshot-lifecycle');
const PREFIX = 'arn:${data.aws_partition.partition.partition}';
const MACHINE = `${PREFIX}:states:\${var.region}:\${var.account_id}:stateMachine:\${var.name_prefix}-ebs-snapshot-run`;

const fnNamed = (name: string) =>
  Object.entries(resources(json, 'aws_lambda_function')).find(
    ([, f]) => f.function_name === `\${var.name_prefix}-${name}`,
  );
const policyOfRole = (roleName: string) => {
  const role = Object.entries(resources(json, 'aws_iam_role')).find(
    ([, r]) => r.name === `\${var.name_prefix}-${roleName}`,
  );
  const policy = Object.values(resources(json, 'aws_iam_role_policy')).find(
    (p) => p.role === `\${aws_iam_role.${role?.[0]}.name}`,
  );
  return JSON.parse(policy?.policy as string) as {
    Statement: Array<{ Sid: string; Action: string | string[]; Resource: unknown }>;
  };
};

describe('EBS snapshot run on Step Functions', () => {
  test('the snapshot schedule invokes the start function, not the page function', () => {
    // Prepare
    const [startId] = fnNamed('ebs-snapshot-start') ?? [];
    const [ruleId] =
      Object.entries(resources(json, 'aws_cloudwatch_event_rule')).find(
        ([, r]) => r.name === '${var.name_prefix}-ebs-snapshot-schedule',
      ) ?? [];

    // Act
    const target = Object.values(resources(json, 'aws_cloudwatch_event_target')).find(
      (t) => t.rule === `\${aws_cloudwatch_event_rule.${ruleId}.name}`,
    );

    // Assess
    expect(target?.arn).toBe(`\${aws_lambda_function.${startId}.arn}`);
  });

  test('the start function knows its state machine and its own rule', () => {
    // Act
    const env = (fnNamed('ebs-snapshot-start')?.[1].environment as { variables: object }).variables;

    // Assess
    expect(env).toMatchObject({
      STATE_MACHINE_ARN: MACHINE,
      SCHEDULE_RULE_ARN: `${PREFIX}:events:\${var.region}:\${var.account_id}:rule/\${var.name_prefix}-ebs-snapshot-schedule`,
    });
  });

  test('the state machine invokes only the page function and sends only to the failure queue', () => {
    // Act
    const statements = policyOfRole('ebs-snapshot-run').Statement;

    // Assess
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['InvokePageFunction', 'lambda:InvokeFunction'],
      ['ReportFailedRuns', 'sqs:SendMessage'],
    ]);
  });

  test('the start function may list and start executions of its state machine only', () => {
    // Act
    const statement = policyOfRole('ebs-snapshot-start').Statement.find(
      (s) => s.Sid === 'StartRunsOfThisStateMachine',
    );

    // Assess
    expect(statement).toMatchObject({
      Action: ['states:ListExecutions', 'states:StartExecution'],
      Resource: MACHINE,
    });
  });

  test('failed, timed-out and aborted runs raise alarms', () => {
    // Act
    const alarms = Object.values(resources(json, 'aws_cloudwatch_metric_alarm')).filter(
      (a) => a.namespace === 'AWS/States',
    );

    // Assess
    expect(alarms.map((a) => a.metric_name).sort()).toEqual([
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    for (const alarm of alarms) expect(alarm.dimensions).toEqual({ StateMachineArn: MACHINE });
  });
});
