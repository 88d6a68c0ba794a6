import { ConfigError } from './errors';
import { parseOrThrow, type Parser } from './parse';

/** Parses process.env once at module start; a bad value fails fast and names every bad key. */
export function readEnv<T>(schema: Parser<T>, env: NodeJS.ProcessEnv = process.env): T {
  return parseOrThrow(
    schema,
    env,
    (issues, cause) => new ConfigError(`invalid function environment: ${issues}`, { cause }),
  );
}
