import { STACKS, type StackName } from '../../stacks/app';
import { synthStack } from './synth';

const cell = (v: unknown) =>
  (v === undefined ? '(required)' : `\`${JSON.stringify(v)}\``).replace(/\|/g, '\\|');

/** The README's variable reference: one table per stack, from the synthesized variables themselves. */
export function variablesMarkdown(): string {
  return (Object.keys(STACKS) as StackName[])
    .map((name) => {
      const vars = synthStack(name).json.variable;
      const rows = Object.keys(vars)
        .sort()
        .map(
          (v) =>
            `| \`${v}\` | ${cell(vars[v]?.default)} | ${(vars[v]?.description ?? '').replace(/\|/g, '\\|')} |`,
        );
      return [
        `#### \`${name}\``,
        '',
        '| variable | default | meaning |',
        '| --- | --- | --- |',
        ...rows,
      ].join('\n');
    })
    .join('\n\n');
}
