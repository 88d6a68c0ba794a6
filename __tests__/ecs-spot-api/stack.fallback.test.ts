/**
 * The On-Demand fallback as synthesized: off by default (every resource counted by the option), its
 * environment as the handler tests deploy it, exactly the calls its code makes, and no ignore_changes on the
 * service's strategy (Terraform keeps owning the configured split).
 */
import { resources, synthStack } from '../support/synth';
import { FALLBACK_ENV } from './fixtures/fallback-world';

const { json } = synthStack('ecs-spot-api');
type Resource = Record<string, unknown>;
const COUNT = '${var.ecs_spot_fallback_enabled ? 1 : 0}';
const fallbackResources = () =>
  Object.entries(json.resource).flatMap(([type, byId]) =>
    Object.entries(byId)
      .filter(([id]) => id.includes('spot-fallback'))
      .map(([id, r]) => [`${type}.${id}`, r] as const),
  );
const byType = (type: string): [string, Resource] => {
  const found = Object.entries(resources(json, type)).filter(([id]) =>
    id.includes('spot-fallback'),
  );
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
};
/** As deployed with terraform.tfvars.example (name_prefix ops-autopilot, us-east-1, 123456789012). */
const deployed = (v: string) =>
  v
    .replaceAll('${var.name_prefix}', 'ops-autopilot')
    .replace('${data.aws_partition.partition.partition}', 'aws')
    .replace('${var.region}', 'us-east-1')
    .replace('${var.account_id}', '123456789012');

describe('off by default', () => {
  test('every fallback resource exists only with ecs_spot_fallback_enabled, which defaults to false', () => {
    // Act
    const found = fallbackResources();

    // Assess
    expect(found.map(([address]) => address.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
      'aws_cloudwatch_event_rule.spot-fallback_placement-failure',
      'aws_cloudwatch_event_rule.spot-fallback_schedule',
      'aws_cloudwatch_event_target.spot-fallback_placement-failure-target',
      'aws_cloudwatch_event_target.spot-fallback_schedule-target',
      'aws_cloudwatch_log_group.spot-fallback_function_logs',
      'aws_cloudwatch_metric_alarm.alerts_spot-fallback-errors',
      'aws_iam_role.spot-fallback_function_role',
      'aws_iam_role_policy.spot-fallback_function_policy',
      'aws_lambda_function.spot-fallback_function',
      'aws_lambda_permission.spot-fallback_placement-failure-invoke',
      'aws_lambda_permission.spot-fallback_schedule-invoke',
    ]);
    expect(found.map(([, r]) => r.count)).toEqual(found.map(() => COUNT));
    expect(json.variable.ecs_spot_fallback_enabled?.default).toBe(false);
  });

  test('counted resources refer to each other through one(), valid with count 0 and 1', () => {
    // Act
    const text = JSON.stringify(fallbackResources());

    // Assess: a bare reference to a counted resource fails to plan
    const bare = /\$\{aws_[a-z_]+\.spot-fallback[\w-]+\.\w+\}/g;
    expect(text.match(bare)).toBeNull();
    expect(text).toContain('${one(aws_lambda_function.spot-fallback_function_');
  });

  test("the service's strategy is Terraform's: no ignore_changes on it", () => {
    // Act
    const service = Object.values(resources(json, 'aws_ecs_service'))[0] as Resource;

    // Assess
    expect(service.lifecycle).toEqual({ ignore_changes: ['desired_count'] });
    expect(service.force_new_deployment).toBe(true);
  });
});

describe('when on', () => {
  test('the function gets the environment the handler tests use', () => {
    // Act
    const env = (
      byType('aws_lambda_function')[1].environment as { variables: Record<string, string> }
    ).variables;

    // Assess: the variables resolve to the tfvars example's values, as FALLBACK_ENV states them
    const vars = {
      '${var.ecs_spot_on_demand_base_tasks}': '1',
      '${var.ecs_spot_on_demand_weight}': '1',
      '${var.ecs_spot_spot_weight}': '4',
      '${var.ecs_spot_fallback_after_seconds}': '600',
      '${var.ecs_spot_fallback_recover_after_seconds}': '1800',
      '${var.ecs_spot_fallback_min_interval_seconds}': '900',
    } as Record<string, string>;
    const resolved = Object.fromEntries(
      Object.keys(FALLBACK_ENV).map((k) => [k, deployed(vars[env[k] ?? ''] ?? env[k] ?? '')]),
    );
    expect(resolved).toEqual(FALLBACK_ENV);
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('ecs-spot-fallback');
  });

  test('a schedule every minute and a rule for the service placement failures invoke it', () => {
    // Act
    const rules = Object.entries(resources(json, 'aws_cloudwatch_event_rule'))
      .filter(([id]) => id.includes('spot-fallback'))
      .map(([, r]) => r);

    // Assess
    expect(rules.map((r) => r.schedule_expression).filter(Boolean)).toEqual(['rate(1 minute)']);
    const pattern = JSON.parse(String(rules.find((r) => r.event_pattern)?.event_pattern));
    expect({ ...pattern, resources: pattern.resources.map(deployed) }).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Service Action'],
      resources: [
        'arn:aws:ecs:us-east-1:123456789012:service/ops-autopilot-ecs-spot-api/ops-autopilot-ecs-spot-api',
      ],
      detail: { eventName: ['SERVICE_TASK_PLACEMENT_FAILURE'] },
    });
  });

  test('it may read its service and tasks, shift only its service between its two providers, keep its state and notify', () => {
    // Act
    const policy = JSON.parse(String(byType('aws_iam_role_policy')[1].policy)) as {
      Statement: Array<{ Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }>;
    };

    // Assess
    const code = policy.Statement.map((s) => [
      s.Sid,
      s.Action,
      deployed(JSON.stringify(s.Resource)),
    ]);
    expect(code).toEqual([
      ['ListServiceTasks', 'ecs:ListTasks', '"*"'],
      [
        'DescribeServiceTasks',
        'ecs:DescribeTasks',
        expect.stringContaining(':task/ops-autopilot-ecs-spot-api/*'),
      ],
      [
        'ReadService',
        'ecs:DescribeServices',
        expect.stringContaining(':service/ops-autopilot-ecs-spot-api/ops-autopilot-ecs-spot-api'),
      ],
      [
        'ShiftServiceStrategy',
        'ecs:UpdateService',
        expect.stringContaining(':service/ops-autopilot-ecs-spot-api/'),
      ],
      [
        'FallbackState',
        ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        expect.stringContaining(':table/ops-autopilot-ecs-spot-signals-seen'),
      ],
      ['NotifyShift', 'sns:Publish', expect.stringContaining(':ops-autopilot-ecs-spot-api-alerts')],
      [
        'EncryptForTopic',
        ['kms:GenerateDataKey', 'kms:Decrypt'],
        expect.stringContaining(':key/*'),
      ],
      [
        'WriteOwnLogs',
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        expect.stringContaining('/aws/lambda/ops-autopilot-ecs-spot-fallback'),
      ],
    ]);
    const shift = deployed(
      JSON.stringify(policy.Statement[3]?.Condition).replaceAll(
        '${var.name_prefix}',
        'ops-autopilot',
      ),
    );
    expect(shift).toContain('"ForAllValues:ArnEquals":{"ecs:capacity-provider":[');
    expect(shift).toContain('capacity-provider/ops-autopilot-ecs-spot-api-on-demand"');
    expect(shift).toContain('capacity-provider/ops-autopilot-ecs-spot-api-spot"');
  });
});
