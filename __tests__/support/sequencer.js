// The default order (slowest and failed files first), except the files that wait for a background job
// globalSetup started (background-jobs.js): they go last, when the job has had the most time.
const Sequencer = require('@jest/test-sequencer').default;
const { BACKGROUND_TESTS } = require('./background-jobs');

class BackgroundLastSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const waits = (t) => BACKGROUND_TESTS.includes(t.path);
    return [...sorted.filter((t) => !waits(t)), ...sorted.filter(waits)];
  }
}

module.exports = BackgroundLastSequencer;
