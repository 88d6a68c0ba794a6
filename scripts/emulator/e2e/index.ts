import { ebsScenario } from './ebs';
import type { Scenario } from './scenario';

/** The end-to-end scenario of each stack, run by the deploy proof between apply and re-plan. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'ebs-snapshot-lifecycle': ebsScenario,
};
