import { runIdOf, summarizePlanText } from '../../../scripts/plan-summary';
import { log } from './support';

describe('summarizePlanText (remote run logs)', () => {
  test('reads the counts and run link from cdktf diff output with stack prefixes and colours', () => {
    // Act
    const summary = summarizePlanText('ebs-snapshot-lifecycle', log('cdktf-diff.log'));

    // Assess
    expect(summary).toMatchObject({
      source: 'plan-text',
      counts: { add: 1, change: 2, destroy: 1, replace: 0, import: 0 },
      runUrl:
        'https://app.terraform.io/app/acme/ops-autopilot-ebs-snapshot-lifecycle/runs/run-CZcmD7eagjhyX0vN',
    });
    expect(summary.error).toBeUndefined();
  });

  test('reports the Error: lines of a failed plan', () => {
    expect(summarizePlanText('redshift-resize', log('cdktf-diff-error.log')).error).toBe(
      'Error: No valid credential sources found',
    );
  });

  test('reads "No changes." as all zeros', () => {
    const summary = summarizePlanText(
      'x',
      'x  No changes. Your infrastructure matches the configuration.\n',
    );
    expect([
      summary.counts.add,
      summary.counts.change,
      summary.counts.destroy,
      summary.error,
    ]).toEqual([0, 0, 0, undefined]);
  });

  test('reads imports and forgets', () => {
    const summary = summarizePlanText(
      'x',
      'Plan: 2 to import, 1 to add, 0 to change, 0 to destroy, 3 to forget.',
    );
    expect(summary.counts).toMatchObject({ import: 2, add: 1, forget: 3 });
  });

  test('is an error when the log holds no plan result', () => {
    expect(summarizePlanText('x', 'Initializing...').error).toBe('no plan result found in the log');
  });

  test('runIdOf finds the run id in a run link', () => {
    expect(runIdOf('https://app.terraform.io/app/acme/ws/runs/run-AbC123')).toBe('run-AbC123');
  });
});
