import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { StackName } from '../../stacks/app';
import {
  STACK_NAMES,
  VARIABLES_MARKERS,
  readmePath,
  variablesTable,
  withVariablesTable,
} from '../support/variables-doc';

const ROOT = join(__dirname, '..', '..');
const ROOT_README = join(ROOT, 'README.md');

/** The README as it should be: its variable table regenerated, then formatted as prettier keeps it. */
function regenerated(name: StackName, readme: string): string {
  // Prettier 3 loads itself through dynamic import, which Jest's module system refuses: run its CLI.
  return execFileSync(
    join(ROOT, 'node_modules', '.bin', 'prettier'),
    ['--stdin-filepath', readmePath(ROOT, name)],
    { input: withVariablesTable(readme, variablesTable(name)), encoding: 'utf8' },
  );
}

describe.each(STACK_NAMES)('stacks/%s/README.md', (name) => {
  test('lists every variable of the stack with its default and meaning (UPDATE_README=1 regenerates)', () => {
    // Prepare
    const readme = readFileSync(readmePath(ROOT, name), 'utf8');

    // Act
    const expected = regenerated(name, readme);
    if (process.env.UPDATE_README === '1') writeFileSync(readmePath(ROOT, name), expected);

    // Assess
    expect(readme).toMatch(VARIABLES_MARKERS);
    expect(readme).toBe(expected);
  });
});

test('the variable check fails on a README whose table shows a wrong default', () => {
  // Prepare: log_retention_days defaults to 30 in every stack; the README claims 31
  const name: StackName = 'ebs-snapshot-lifecycle';
  const readme = readFileSync(readmePath(ROOT, name), 'utf8');
  const row = /^(\| `log_retention_days` +\| )`30`/m;
  expect(readme).toMatch(row);
  const wrong = readme.replace(row, '$1`31`');

  // Act
  const expected = regenerated(name, wrong);

  // Assess
  expect(wrong).not.toBe(expected);
  expect(expected).toMatch(row);
});

test('the root README links every automation of stacks/app.ts to its own README', () => {
  // Prepare
  const readme = readFileSync(ROOT_README, 'utf8');

  // Act: the automations table's rows, "| [`<name>`](stacks/<name>/README.md) | ... |"
  const rows = [
    ...readme.matchAll(/^\| \[`([a-z0-9-]+)`\]\(stacks\/([a-z0-9-]+)\/README\.md\) +\|/gm),
  ];

  // Assess
  expect(rows.map(([, shown]) => shown).sort()).toEqual([...STACK_NAMES].sort());
  for (const [, shown, folder] of rows) {
    expect(folder).toBe(shown);
    expect(existsSync(readmePath(ROOT, shown as StackName))).toBe(true);
  }
});

test('gives the two set-up commands, and CI runs the test one after proving setup left the clone clean', () => {
  const readme = readFileSync(ROOT_README, 'utf8');
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  expect(readme).toContain('npm ci && npm run synth');
  expect(readme).toContain('npm run setup && npm test');
  expect(ci).toMatch(/^npm run setup\nbash \.ci\/check-clean\.sh\nnpm test$/m);
});
