import { join } from 'node:path';
import { STACKS, type StackName } from '../../stacks/app';
import { synthStack } from './synth';

export const STACK_NAMES = Object.keys(STACKS) as StackName[];

/** Each automation's README sits beside its stack and holds that stack's variable table. */
export const readmePath = (root: string, name: StackName) =>
  join(root, 'stacks', name, 'README.md');

/** What the generated table sits between; everything else in the README is written by hand. */
export const VARIABLES_MARKERS = /(<!-- variables:start -->\n)[\s\S]*?(<!-- variables:end -->)/;

const cell = (v: unknown) =>
  (v === undefined ? '(required)' : `\`${JSON.stringify(v)}\``).replace(/\|/g, '\\|');

/** One stack's variable reference, from its synthesized variables themselves (before prettier). */
export function variablesTable(name: StackName): string {
  const vars = synthStack(name).json.variable;
  const rows = Object.keys(vars)
    .sort()
    .map(
      (v) =>
        `| \`${v}\` | ${cell(vars[v]?.default)} | ${(vars[v]?.description ?? '').replace(/\|/g, '\\|')} |`,
    );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README with the text between its markers replaced by the given table. */
export const withVariablesTable = (readme: string, table: string) =>
  readme.replace(
    VARIABLES_MARKERS,
    (_all, start: string, end: string) => `${start}${table}\n${end}`,
  );
