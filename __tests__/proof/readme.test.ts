import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { variablesMarkdown } from '../support/variables-doc';

const ROOT = join(__dirname, '..', '..');
const README = join(ROOT, 'README.md');
const MARKERS = /(<!-- variables:start -->\n)[\s\S]*?(<!-- variables:end -->)/;

describe('README', () => {
  test('lists every variable of every stack with its default and meaning (UPDATE_README=1 regenerates)', () => {
    // Prepare: the README as prettier keeps it, with freshly generated tables
    const readme = readFileSync(README, 'utf8');
    // Prettier 3 loads itself through dynamic import, which Jest's module system refuses: run its CLI.
    const expected = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'prettier'),
      ['--stdin-filepath', README],
      {
        input: readme.replace(MARKERS, `$1${variablesMarkdown()}\n$2`),
        encoding: 'utf8',
      },
    );
    if (process.env.UPDATE_README === '1') writeFileSync(README, expected);

    // Assess
    expect(readme).toMatch(MARKERS);
    expect(readme).toBe(expected);
  });

  test('gives the two set-up commands, and CI runs the test one after proving setup left the clone clean', () => {
    const readme = readFileSync(README, 'utf8');
    const ci = readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8');
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm run setup && npm test');
    expect(ci).toMatch(/^npm run setup\nbash \.ci\/check-clean\.sh\nnpm test$/m);
  });
});
