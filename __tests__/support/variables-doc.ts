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

/** What the root README's workspace table sits between. */
export const WORKSPACE_MARKERS =
  /(<!-- workspace-variables:start -->\n)[\s\S]*?(<!-- workspace-variables:end -->)/;

/**
 * Which Terraform variables each stack's workspace needs (those without a default) and how many more it
 * takes, from the synthesized variables themselves (before prettier).
 */
export function workspaceVariablesTable(): string {
  const rows = STACK_NAMES.map((name) => {
    const vars = synthStack(name).json.variable;
    const required = Object.keys(vars)
      .filter((v) => vars[v]?.default === undefined)
      .sort();
    const optional = Object.keys(vars).length - required.length;
    return `| \`${name}\` | ${required.map((v) => `\`${v}\``).join(', ')} | [${optional} more](stacks/${name}/README.md#variables) |`;
  });
  return [
    '| stack (workspace prefix + stack) | must be set (no default) | with a default |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The root README with the text between the workspace markers replaced by the given table. */
export const withWorkspaceTable = (readme: string, table: string) =>
  readme.replace(
    WORKSPACE_MARKERS,
    (_all, start: string, end: string) => `${start}${table}\n${end}`,
  );
