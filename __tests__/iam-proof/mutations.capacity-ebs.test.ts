import { mutationRun } from './fixtures-mutations';

// Phase 2 also proves the proof: every one-change mutation of every deployed policy (remove, add, narrow or
// widen an action or resource, drop or loosen a condition, add a platform statement) must make it fail.
test('the proof fails on every one-change mutation of the capacity and EBS policies', async () => {
  // Act
  const run = await mutationRun('capacity-ebs', [
    'capacity-reservations',
    'ebs-snapshot-lifecycle',
  ]);

  // Assess
  expect(Object.keys(run.counts).length).toBeGreaterThanOrEqual(10);
  expect(run.survivors).toEqual([]);
}, 300_000);
