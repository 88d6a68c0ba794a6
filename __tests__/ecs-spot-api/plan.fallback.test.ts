import {
  plannedResources,
  proveStack,
  resourceCounts,
  sharedSynth,
  type StackProof,
} from '../../scripts/offline-proof';
import { describeOffline, offlineTools, variantVarFile } from '../support/offline';
import { FALLBACK_ENV } from './fixtures/fallback-world';

const STACK = 'ecs-spot-api';
const SERVICE_ARN =
  'arn:aws:ecs:us-east-1:123456789012:service/ops-autopilot-ecs-spot-api/ops-autopilot-ecs-spot-api';

/** The On-Demand fallback switched on (the default plan in plan.test.ts has it off: no second function). */
describeOffline('offline Terraform proof: ecs-spot-api with the On-Demand fallback', () => {
  let on: StackProof;
  beforeAll(async () => {
    on = await proveStack(
      offlineTools!,
      await sharedSynth(),
      STACK,
      variantVarFile({ ecs_spot_fallback_enabled: true }),
    );
  }, 180_000);

  test('adds the function, its role, logs and error alarm, a schedule and a placement-failure rule', () => {
    expect(resourceCounts(on.plan)).toMatchObject({
      aws_lambda_function: 2,
      aws_iam_role: 4,
      aws_iam_role_policy: 4,
      aws_cloudwatch_log_group: 3,
      aws_cloudwatch_metric_alarm: 8,
      aws_cloudwatch_event_rule: 4,
      aws_cloudwatch_event_target: 4,
      aws_lambda_permission: 4,
      aws_dynamodb_table: 1, // the state item lives in the signal function's small table
    });
  });

  test('the function runs with the environment the handler tests use', () => {
    const fn = plannedResources(on.plan, 'aws_lambda_function').find((r) =>
      r.address.includes('spot-fallback'),
    );
    const env = (fn?.values.environment as Array<{ variables: Record<string, string> }>)[0]
      ?.variables;
    expect(env).toMatchObject(FALLBACK_ENV);
  });

  test('every minute, and at once on a placement failure of the service', () => {
    const rules = plannedResources(on.plan, 'aws_cloudwatch_event_rule').filter((r) =>
      r.address.includes('spot-fallback'),
    );
    expect(rules.map((r) => r.values.schedule_expression).filter(Boolean)).toEqual([
      'rate(1 minute)',
    ]);
    const pattern = rules.find((r) => r.values.event_pattern)?.values.event_pattern;
    expect(JSON.parse(String(pattern))).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Service Action'],
      resources: [SERVICE_ARN],
      detail: { eventName: ['SERVICE_TASK_PLACEMENT_FAILURE'] },
    });
  });

  test('its policy is known at plan time and names only its service and its two providers', () => {
    const policy = plannedResources(on.plan, 'aws_iam_role_policy').find((r) =>
      r.address.includes('spot-fallback'),
    );
    const text = String(policy?.values.policy);
    expect(text).toContain(SERVICE_ARN);
    expect(text).toContain(
      'capacity-provider/ops-autopilot-ecs-spot-api-on-demand","arn:aws:ecs:us-east-1:123456789012:capacity-provider/ops-autopilot-ecs-spot-api-spot"',
    );
  });

  test('the service keeps the configured split: the fallback changes it only at run time', () => {
    const service = plannedResources(on.plan, 'aws_ecs_service')[0];
    const strategy = service?.values.capacity_provider_strategy as Array<Record<string, unknown>>;
    // A set in the provider schema: compared in name order.
    expect(strategy.map((s) => [s.capacity_provider, s.base, s.weight]).sort()).toEqual([
      ['ops-autopilot-ecs-spot-api-on-demand', 1, 1],
      ['ops-autopilot-ecs-spot-api-spot', 0, 4],
    ]);
  });
});
