import { capacityScenario } from './capacity';
import { ebsScenario } from './ebs';
import type { Scenario } from './scenario';

/** The end-to-end scenario of each stack, run by the deploy proof between apply and re-plan. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'capacity-reservations': capacityScenario,
  'ebs-snapshot-lifecycle': ebsScenario,
};
