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
const changes = (plan: PlanJson) => plan.resource_changes as Change[];

/** What an apply would do to a deployed ecs-spot-api when a variable changes (offline, over a prior state). */
describeOffline('offline plan over a deployed ecs-spot-api', () => {
  let proof: StackProof;
  let unchanged: PlanJson;
  let fiftyFifty: PlanJson;
  beforeAll(async () => {
    proof = await proveStack(offlineTools!, await sharedSynth(), STACK);
    unchanged = await planOverPrior(offlineTools!, proof, TFVARS_EXAMPLE);
    fiftyFifty = await planOverPrior(
      offlineTools!,
      proof,
      variantVarFile({ ecs_spot_on_demand_weight: 1, ecs_spot_spot_weight: 1 }),
    );
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
});
