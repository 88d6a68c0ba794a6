import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReports, summarize } from './harness/summary';

describe('the fault count', () => {
  test('adds the cases of every group and names the groups that fall short', () => {
    // Prepare
    const reports = [
      { group: 'ebs-create-throttle', passed: 20, total: 20 },
      { group: 'ebs-create-lost-reply', passed: 4, total: 12 },
    ];

    // Act
    const summary = summarize(reports);

    // Assess
    expect(summary).toEqual({
      passed: 24,
      total: 32,
      short: ['ebs-create-lost-reply: 4 of 12'],
    });
  });

  test('reads the reports a run left behind', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'fault-reports-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ group: 'a', passed: 1, total: 2 }));

    // Act
    const { reports, oldest } = readReports(dir);

    // Assess
    expect(reports).toEqual([{ group: 'a', passed: 1, total: 2 }]);
    expect(oldest).toBeInstanceOf(Date);
  });

  test('is empty when no run left a report', () => {
    // Act
    const { reports } = readReports(join(tmpdir(), 'no-such-fault-reports'));

    // Assess
    expect(reports).toEqual([]);
  });
});
