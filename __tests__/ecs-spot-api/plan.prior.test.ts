import {
  type PlanJson,
  proveStack,
  sharedSynth,
  type StackProof,
  TFVARS_EXAMPLE,
} from '../../scripts/offline-proof';
import { describeOffline, offlineTools, variantVarFile } from '../support/offline';
import { actionsOn, planOverPrior } from './fixtures/prior-state';

const STACK = 'ecs-spot-api';
type Change = { address: string; type: string; change: { actions: string[]; after?: unknown } };
type Config = { address: string; type: string; expressions: Record<string, unknown> };
const changes = (plan: PlanJson) => plan.resource_changes as Change[];
/** The groups and their capacity providers share these names. */
const PROVIDERS = {
  onDemand: 'ops-autopilot-ecs-spot-api-on-demand',
  spot: 'ops-autopilot-ecs-spot-api-spot',
};

/** What an apply would do to a deployed ecs-spot-api when a variable changes (offline, over a prior state). */
describeOffline('offline plan over a deployed ecs-spot-api', () => {
  let proof: StackProof;
  let unchanged: PlanJson;
  let fiftyFifty: PlanJson;
  let renamed: PlanJson;
  beforeAll(async () => {
    proof = await proveStack(offlineTools!, await sharedSynth(), STACK);
    unchanged = await planOverPrior(offlineTools!, proof, TFVARS_EXAMPLE);
    fiftyFifty = await planOverPrior(
      offlineTools!,
      proof,
      variantVarFile({ ecs_spot_on_demand_weight: 1, ecs_spot_spot_weight: 1 }),
    );
    // Deployed when the groups and capacity providers had other names (an earlier name_prefix or suffix).
    renamed = await planOverPrior(offlineTools!, proof, TFVARS_EXAMPLE, {
      [PROVIDERS.onDemand]: 'legacy-ecs-spot-api-on-demand',
      [PROVIDERS.spot]: 'legacy-ecs-spot-api-spot',
    });
  }, 900_000);

  test('with the variables it was deployed with, nothing is replaced (the prior state is faithful)', () => {
    // Assess
    const replaced = changes(unchanged).filter((c) => c.change.actions.includes('delete'));
    expect(replaced.map((c) => c.address)).toEqual([]);
  });

  test('moving the split from 20/80 to 50/50 updates the service in place, with a new deployment', () => {
    // Assess
    expect(actionsOn(fiftyFifty, 'aws_ecs_service')).toEqual(['update']);
    const service = changes(fiftyFifty).find((c) => c.type === 'aws_ecs_service');
    expect(service?.change.after).toMatchObject({
      force_new_deployment: true,
      capacity_provider_strategy: expect.arrayContaining([
        expect.objectContaining({
          capacity_provider: 'ops-autopilot-ecs-spot-api-on-demand',
          weight: 1,
        }),
        expect.objectContaining({
          capacity_provider: 'ops-autopilot-ecs-spot-api-spot',
          weight: 1,
        }),
      ]),
    });
  });

  test('the service scaling target and the capacity providers stay: nothing is replaced', () => {
    // Assess
    const replaced = changes(fiftyFifty).filter((c) => c.change.actions.includes('delete'));
    expect(replaced.map((c) => c.address)).toEqual([]);
    expect(actionsOn(fiftyFifty, 'aws_appautoscaling_target')).toEqual(['no-op']);
  });

  test('the renamed groups and capacity providers are created before the old ones are deleted', () => {
    // Assess
    const replaced = changes(renamed)
      .filter((c) => c.change.actions.includes('delete'))
      .map((c) => [c.type, c.change.actions.join(',')]);
    expect(replaced.sort()).toEqual([
      ['aws_autoscaling_group', 'create,delete'],
      ['aws_autoscaling_group', 'create,delete'],
      ['aws_ecs_capacity_provider', 'create,delete'],
      ['aws_ecs_capacity_provider', 'create,delete'],
    ]);
  });

  // With create_before_destroy Terraform creates the new object, updates what refers to it, and only then
  // destroys the old one: https://github.com/hashicorp/terraform/blob/main/docs/destroying.md
  test('the cluster association moves to the new capacity providers in place, after creating them', () => {
    // Assess
    expect(actionsOn(renamed, 'aws_ecs_cluster')).toEqual(['no-op']);
    expect(actionsOn(renamed, 'aws_ecs_cluster_capacity_providers')).toEqual(['update']);
    const association = changes(renamed).find(
      (c) => c.type === 'aws_ecs_cluster_capacity_providers',
    );
    expect(association?.change.after).toMatchObject({
      capacity_providers: [PROVIDERS.onDemand, PROVIDERS.spot],
    });
    const config = (
      (renamed as unknown as { configuration: unknown }).configuration as {
        root_module: { resources: Config[] };
      }
    ).root_module.resources.find((r) => r.type === 'aws_ecs_cluster_capacity_providers');
    const refs = (config?.expressions.capacity_providers as { references: string[] }).references;
    expect(refs.filter((r) => /^aws_ecs_capacity_provider\.[^.]+$/.test(r))).toHaveLength(2);
  });

  test('the service moves its strategy in place and waits for steady state before the old groups go', () => {
    // Assess
    expect(actionsOn(renamed, 'aws_ecs_service')).toEqual(['update']);
    const service = changes(renamed).find((c) => c.type === 'aws_ecs_service');
    const after = service?.change.after as {
      capacity_provider_strategy: { capacity_provider: string }[];
      wait_for_steady_state: boolean;
    };
    expect(after.capacity_provider_strategy.map((s) => s.capacity_provider).sort()).toEqual([
      PROVIDERS.onDemand,
      PROVIDERS.spot,
    ]);
    expect(after.wait_for_steady_state).toBe(true);
  });
});
