// The files known to be heavy first (heavy-tests.json), heaviest first, then Jest's default order (slowest and
// failed files first by its cache; by size in a fresh clone, which has none), except the files that wait for
// a background job globalSetup started (background-jobs.js): they go last, when the job has had the most time.
const Sequencer = require('@jest/test-sequencer').default;
const { relative } = require('node:path');
const { BACKGROUND_TESTS } = require('./background-jobs');
const { cpuSeconds } = require('./heavy-tests.json');

const ROOT = require('node:path').join(__dirname, '..', '..');
const weight = (t) => cpuSeconds[relative(ROOT, t.path)] ?? 0;

class HeavyFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const waits = (t) => BACKGROUND_TESTS.includes(t.path);
    const heavy = sorted.filter((t) => !waits(t) && weight(t) > 0);
    heavy.sort((a, b) => weight(b) - weight(a));
    const rest = sorted.filter((t) => !waits(t) && weight(t) === 0);
    return [...heavy, ...rest, ...sorted.filter(waits)];
  }
}

module.exports = HeavyFirstSequencer;
