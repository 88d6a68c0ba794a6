import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import heavyTests from '../support/heavy-tests.json';

// The sequencer and the background job list are plain JS that Jest loads by path.
const load = createRequire(__filename);

const ROOT = join(__dirname, '..', '..');
const cpuSeconds: Record<string, number> = heavyTests.cpuSeconds;
const Sequencer = load('../support/sequencer') as new () => {
  sort(tests: FakeTest[]): FakeTest[];
};
const { BACKGROUND_TESTS } = load('../support/background-jobs') as {
  BACKGROUND_TESTS: string[];
};

interface FakeTest {
  path: string;
  context: { config: { cache: boolean; rootDir: string }; hasteFS: { getSize(p: string): number } };
}

/** A test file as Jest hands it to a sequencer: no timing cache (a fresh clone), every file the same size. */
const fake = (relativePath: string): FakeTest => ({
  path: join(ROOT, relativePath),
  context: { config: { cache: false, rootDir: ROOT }, hasteFS: { getSize: () => 1000 } },
});

describe('test order in a fresh clone', () => {
  test('every file heavy-tests.json names exists', () => {
    expect(Object.keys(cpuSeconds).filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  test('known heavy files first, heaviest first, then the others, then the background waiters', () => {
    // Prepare
    const [heaviest, lighter] = Object.entries(cpuSeconds).sort(([, a], [, b]) => b - a);
    const waiter = BACKGROUND_TESTS[0]!.slice(ROOT.length + 1);
    const light = '__tests__/platform/endpoints.test.ts';

    // Act
    const order = new Sequencer()
      .sort([fake(waiter), fake(light), fake(lighter![0]), fake(heaviest![0])])
      .map((t) => t.path.slice(ROOT.length + 1));

    // Assess
    expect(order).toEqual([heaviest![0], lighter![0], light, waiter]);
  });
});
