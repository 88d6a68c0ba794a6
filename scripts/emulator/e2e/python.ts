import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MotoCommand } from '../moto';

/** The Python that runs moto (so moto's own modules import in it). */
export interface Python {
  readonly file: string;
}

const imports = (file: string, module: string): boolean => {
  try {
    execFileSync(file, ['-c', `import ${module}`], { stdio: 'pipe', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
};

/**
 * moto's interpreter: the command itself when it is `python3 -m moto.server`, the python beside a
 * virtualenv's moto_server, else python3 on PATH; whichever first imports moto.
 */
export function motoPython(moto: MotoCommand): Python {
  const candidates = [
    moto.args.includes('moto.server') ? moto.file : undefined,
    moto.file.includes('/') ? join(dirname(moto.file), 'python3') : undefined,
    'python3',
  ].filter((c): c is string => !!c && (!c.includes('/') || existsSync(c)));
  const found = candidates.find((c) => imports(c, 'moto.events.models'));
  if (!found) throw new Error(`no Python imports moto (tried ${candidates.join(', ')})`);
  return { file: found };
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
