import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { StackName } from '../../stacks/app';
import {
  STACK_NAMES,
  VARIABLES_MARKERS,
  WORKSPACE_MARKERS,
  readmePath,
  variablesTable,
  withVariablesTable,
  withWorkspaceTable,
  workspaceVariablesTable,
} from '../support/variables-doc';

const ROOT = join(__dirname, '..', '..');
const ROOT_README = join(ROOT, 'README.md');

/** Markdown formatted as prettier keeps it. */
function prettier(path: string, input: string): string {
  // Prettier 3 loads itself through dynamic import, which Jest's module system refuses: run its CLI.
  return execFileSync(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--stdin-filepath', path], {
    input,
    encoding: 'utf8',
  });
}

/** The README as it should be: its variable table regenerated, then formatted. */
function regenerated(name: StackName, readme: string): string {
  return prettier(readmePath(ROOT, name), withVariablesTable(readme, variablesTable(name)));
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

test('the root README says which variables each Terraform Cloud workspace needs (UPDATE_README=1 regenerates)', () => {
  // Prepare
  const readme = readFileSync(ROOT_README, 'utf8');

  // Act
  const expected = prettier(ROOT_README, withWorkspaceTable(readme, workspaceVariablesTable()));
  if (process.env.UPDATE_README === '1') writeFileSync(ROOT_README, expected);

  // Assess
  expect(readme).toMatch(WORKSPACE_MARKERS);
  expect(readme).toBe(expected);
  expect(readme).toMatch(/^\| `redshift-resize` +\| `account_id`, `redshift_cluster_id`/m);
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

test("quotes cdktf.json's app command, which builds before it synthesizes", () => {
  const readme = readFileSync(ROOT_README, 'utf8');
  const { app } = JSON.parse(readFileSync(join(ROOT, 'cdktf.json'), 'utf8')) as { app: string };
  expect(app).toMatch(/^node scripts\/build\.mjs && /);
  expect(readme).toContain(`\`cdktf.json\`'s app command is \`${app}\``);
});

test('gives the two set-up commands, and CI runs the test one after proving setup left the clone clean', () => {
  const readme = readFileSync(ROOT_README, 'utf8');
  const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
  expect(readme).toContain('npm ci && npm run synth');
  expect(readme).toContain('npm run setup && npm test');
  expect(ci).toMatch(/^npm run setup\nbash \.ci\/check-clean\.sh\nnpm test$/m);
});
