import { writeFileSync } from 'node:fs';
import { GAPS_DOC, renderGaps } from './emulator/gaps-doc';

/** `node dist/scripts/emulator-gaps.js`: rewrites EMULATOR-GAPS.md from scripts/emulator/gaps.ts. */
writeFileSync(GAPS_DOC, renderGaps());
console.log(`wrote ${GAPS_DOC}`);
