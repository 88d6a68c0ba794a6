import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { TransformParameterError } from '@aws-lambda-powertools/parameters/errors';
import { z } from 'zod';
import { issuePaths, parseOrThrow } from '../shared/parse';
import { SecretMalformedError, SecretUnavailableError } from './errors';

/** What the function needs from the RDS-managed master secret (which holds `username` and `password`). */
const DbCredentialsSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});

export type DbCredentials = z.infer<typeof DbCredentialsSchema>;

/** Source of database credentials; `forceFetch` bypasses the cache after the database refused them. */
export interface CredentialSource {
  get(options: { forceFetch: boolean }): Promise<DbCredentials>;
}

/** Seconds a fetched secret is reused by a warm container before Secrets Manager is asked again. */
const SECRET_MAX_AGE_SECONDS = 900;

/**
 * Credentials from Secrets Manager through Powertools parameters: fetched once per container, cached for
 * SECRET_MAX_AGE_SECONDS, re-fetched on demand (rotation of the RDS-managed secret changes the password).
 *
 * Error messages never contain the secret: a JSON parse error message can quote the input, so it is not
 * attached as cause; schema problems name only the missing or wrong keys.
 */
export function secretCredentials(
  provider: SecretsProvider,
  secretArn: string,
  maxAgeSeconds = SECRET_MAX_AGE_SECONDS,
): CredentialSource {
  return {
    async get({ forceFetch }) {
      let value: unknown;
      try {
        value = await provider.get(secretArn, {
          transform: 'json',
          maxAge: maxAgeSeconds,
          forceFetch,
        });
      } catch (error) {
        if (error instanceof TransformParameterError) {
          throw new SecretMalformedError(`database secret ${secretArn} is not a JSON object`);
        }
        throw new SecretUnavailableError(
          `reading database secret ${secretArn} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (value === undefined) {
        throw new SecretMalformedError(`database secret ${secretArn} has no SecretString`);
      }
      return parseOrThrow(
        DbCredentialsSchema,
        value,
        (_issues, error) =>
          new SecretMalformedError(
            `database secret ${secretArn} is not an RDS master secret: missing or invalid ${issuePaths(error)}`,
          ),
      );
    },
  };
}
