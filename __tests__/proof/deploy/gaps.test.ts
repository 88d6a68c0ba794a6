import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAPS } from '../../../scripts/emulator/gaps';
import { GAPS_DOC, renderGaps } from '../../../scripts/emulator/gaps-doc';
import { ROOT } from '../../../scripts/offline-proof';
import { allStandIns } from '../../../scripts/emulator/stand-ins';

const handled = (kind: 'stand-in' | 'fix-up') =>
  GAPS.flatMap((g) => g.handling).flatMap((h) =>
    h.kind === kind ? h.operations.map((op) => `${h.service}:${op}`) : [],
  );
const implemented = (kind: 'standIns' | 'fixUps') =>
  allStandIns().flatMap((m) => m[kind].map((s) => `${s.service}:${s.operation}`));

describe('the gaps file', () => {
  test('EMULATOR-GAPS.md is the rendering of scripts/emulator/gaps.ts', () => {
    expect(readFileSync(GAPS_DOC, 'utf8')).toBe(renderGaps());
  });

  test('lists exactly the operations the stand-ins answer', () => {
    expect([...new Set(handled('stand-in'))].sort()).toEqual(implemented('standIns').sort());
  });

  test('lists exactly the operations the fix-ups correct', () => {
    expect([...new Set(handled('fix-up'))].sort()).toEqual(implemented('fixUps').sort());
  });

  test('every stand-in and fix-up cites the AWS API reference page it follows', () => {
    const docs = allStandIns().flatMap((m) => [...m.standIns, ...m.fixUps].map((s) => s.docs));
    expect(
      docs.filter((d) => !/^https:\/\/docs\.aws\.amazon\.com\/.+\/API_\w+\.html$/.test(d)),
    ).toEqual([]);
  });

  test('every test it names exists, and so does the named test in it', () => {
    const missing = GAPS.flatMap((g) => g.coveredBy)
      .filter((c) => c.startsWith('__tests__/'))
      .filter((c) => {
        const [file, name] = c.split(/: (.+)/) as [string, string | undefined];
        const path = join(ROOT, file);
        return (
          !existsSync(path) || (name !== undefined && !readFileSync(path, 'utf8').includes(name))
        );
      });
    expect(missing).toEqual([]);
  });

  test('ids are unique and every entry says what covers it instead', () => {
    expect(new Set(GAPS.map((g) => g.id)).size).toBe(GAPS.length);
    expect(GAPS.filter((g) => g.coveredBy.length === 0 || g.handling.length === 0)).toEqual([]);
  });
});
