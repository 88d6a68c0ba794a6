import { STACKS } from '../../stacks/app';
import { deployedSubjects } from './engine';
import { mutationRun } from './fixtures-mutations';
import { mutationsOf } from './mutations';

// Phase 2 also proves the proof: every one-change mutation of every deployed policy (remove, add, narrow or
// widen an action or resource, drop or loosen a condition, add a platform statement) must make it fail.
test('the proof fails on every one-change mutation of the ECS and Redshift policies', async () => {
  // Act
  const run = await mutationRun('ecs-redshift', [
    'ecs-autoscaling-drain',
    'ecs-spot-api',
    'redshift-resize',
  ]);

  // Assess
  expect(Object.keys(run.counts).length).toBeGreaterThanOrEqual(10);
  expect(run.survivors).toEqual([]);
}, 300_000);

test('the two mutation files together cover every stack and all 13 kinds of mutation', async () => {
  // Act
  const kinds = new Set<string>();
  for (const subject of deployedSubjects())
    for (const m of await mutationsOf(subject))
      kinds.add(`${m.kind}${m.platform ? ' (platform)' : ''}`);

  // Assess
  expect(Object.keys(STACKS).sort()).toEqual([
    'capacity-reservations',
    'ebs-snapshot-lifecycle',
    'ecs-autoscaling-drain',
    'ecs-spot-api',
    'redshift-resize',
  ]);
  expect(kinds.size).toBe(13);
});
