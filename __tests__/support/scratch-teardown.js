const { rmSync } = require('node:fs');

module.exports = async () => {
  if (globalThis.scratchMade) rmSync(globalThis.scratchMade, { recursive: true, force: true });
};
