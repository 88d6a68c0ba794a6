import { capacityScenario } from './capacity';
import { drainScenario } from './drain';
import { ebsScenario } from './ebs';
import { redshiftScenario } from './redshift';
import type { Scenario } from './scenario';

/** The end-to-end scenario of each stack, run by the deploy proof between apply and re-plan. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'capacity-reservations': capacityScenario,
  'ecs-autoscaling-drain': drainScenario,
  'ebs-snapshot-lifecycle': ebsScenario,
  'redshift-resize': redshiftScenario,
};
