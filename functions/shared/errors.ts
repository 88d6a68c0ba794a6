/** Base class so every handler error carries a stable name and its cause. */
export class OpsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The function's environment is missing or malformed: fail before any AWS call. */
export class ConfigError extends OpsError {}

/** The invoking event does not have the documented shape. */
export class InvalidEventError extends OpsError {}

/** `Name: message` of an error (or the thrown value as text), for logs and outcomes. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
