import { z } from 'zod';
import { ConfigError } from './errors';

/** Parses process.env once at module start; a bad value fails fast and names every bad key. */
export function readEnv<T extends z.ZodType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid function environment: ${detail}`, { cause: parsed.error });
  }
  return parsed.data;
}
