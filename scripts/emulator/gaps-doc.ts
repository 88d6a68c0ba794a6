import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../offline-proof';
import { GAPS, type Handling } from './gaps';

export const GAPS_DOC = join(ROOT, 'EMULATOR-GAPS.md');

const cell = (text: string) => text.replace(/\|/g, '\\|');
/** A test file path as code, so markdown does not read `__tests__` as bold. */
const covered = (text: string) => cell(text.replace(/^(__tests__\/\S+?\.ts)/, '`$1`'));

function handling(h: Handling): string {
  switch (h.kind) {
    case 'stand-in':
      return `stand-in: ${h.service} ${h.operations.join(', ')}`;
    case 'fix-up':
      return `fix-up of moto's answer: ${h.service} ${h.operations.join(', ')}`;
    case 'allowed-drift':
      return `allowed re-plan drift, from an empty state value only: ${h.resourceType} ${h.paths.join(', ')}`;
    case 'inventory':
      return `inventory: ${h.detail}`;
    case 'scenario':
      return `end-to-end scenario: ${h.detail}`;
    case 'left-out':
      return `left out of the apply: ${h.stack} ${h.address}`;
  }
}

/** EMULATOR-GAPS.md as generated, before formatting. */
export function renderGapsRaw(): string {
  const rows = GAPS.map((g) =>
    [
      `\`${g.id}\``,
      cell(g.what),
      `${cell(g.reason)}: ${cell(g.detail)}`,
      g.handling.map((h) => cell(handling(h))).join('<br>'),
      g.coveredBy.map(covered).join('<br>'),
    ].join(' | '),
  );
  return [
    '# Emulator gaps',
    '',
    'Where moto 5.2 (behind the stand-ins of `scripts/emulator/stand-ins/`) is not AWS for these stacks and',
    'AWS provider 5.100.0, how the deploy proof (`__tests__/proof/deploy/`) and `npm run sandbox` deal with it,',
    'and which test proves that part instead. Generated from `scripts/emulator/gaps.ts`, which the deploy proof',
    'reads (allowed drift, left-out resources); a test keeps this file equal to it',
    '(`npm run build && node dist/scripts/emulator-gaps.js` rewrites it).',
    '',
    '- **stand-in**: a local answer, as the AWS API reference documents it, to an operation moto lacks;',
    '  recorded, never passed to moto.',
    '- **fix-up**: moto answers, and the proxy corrects the answer (a field moto drops or adds).',
    '- **allowed drift**: the re-plan after apply may change this attribute, and only from an empty value in',
    '  the state (moto read back nothing). Any other re-plan change fails the proof.',
    '- **left out**: not applied. No resource is left out today: every stack applies all its resources.',
    '',
    '| gap | API or attribute | why | handled by | covered instead by |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}

/**
 * EMULATOR-GAPS.md, from scripts/emulator/gaps.ts, formatted as `npm run lint` wants it (prettier's CLI: its
 * API loads plugins by dynamic import, which Jest's module sandbox refuses).
 */
export function renderGaps(): string {
  const prettier = join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  return execFileSync(process.execPath, [prettier, '--stdin-filepath', GAPS_DOC], {
    cwd: ROOT,
    input: renderGapsRaw(),
    encoding: 'utf8',
  });
}
