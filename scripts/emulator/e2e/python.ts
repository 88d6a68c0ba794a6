import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MotoCommand } from '../moto';

/** The Python that runs moto (so moto's own modules import in it). */
export interface Python {
  readonly file: string;
}

/**
 * moto's interpreter, without starting it: the command itself when it is `python3 -m moto.server`, the python
 * beside a virtualenv's moto_server, else python3 on PATH (where `moto_server` came from pip or pyenv).
 */
export function motoPython(moto: MotoCommand): Python {
  if (moto.args.includes('moto.server')) return { file: moto.file };
  const beside = join(dirname(moto.file), 'python3');
  return { file: moto.file.includes('/') && existsSync(beside) ? beside : 'python3' };
}

/** Extracts a zip with Python's standard zipfile module (no unzip program needed). */
export function unzip(python: Python, zip: string, into: string): void {
  execFileSync(python.file, ['-m', 'zipfile', '-e', zip, into], { stdio: 'pipe' });
}

const MATCH = `
import json, sys
from moto.events.models import EventPattern, EventPatternParser
raw, events = json.load(sys.stdin)
pattern = EventPattern(raw, EventPatternParser(raw).parse())
print(json.dumps([pattern.matches_event(e) for e in events]))
`;

/**
 * Whether each event matches the filter pattern, by moto's EventBridge pattern matcher (the one its rules
 * use). Lambda event filtering uses EventBridge pattern syntax:
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
export function matchPattern(
  python: Python,
  pattern: string,
  events: readonly unknown[],
): boolean[] {
  const out = execFileSync(python.file, ['-c', MATCH], {
    input: JSON.stringify([pattern, events]),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return JSON.parse(out.toString('utf8')) as boolean[];
}
