// Every temporary folder of a test run (synth outdirs, MariaDB datadirs, plan copies, emulator state) goes
// under one scratch folder, removed by scratch-teardown.js: Node's tmpdir() and child processes follow TMPDIR,
// so a test that forgets its folder leaves nothing behind on a developer's machine.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  // Read only by the teardown (Jest's rule for globals set in globalSetup).
  globalThis.scratchMade = mkdtempSync(join(tmpdir(), 'ops-autopilot-test-'));
  process.env.TMPDIR = globalThis.scratchMade;
};
