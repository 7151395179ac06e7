/**
 * Secrets read at run time from Secrets Manager, by the ARN a function gets in its environment: never the
 * value itself in the environment (where anyone who may read the function's configuration sees it).
 * Both the current and the previous version are read, so a key can be rotated without breaking what was
 * signed with the one before (`shared/surveys/token.ts` verifies with both). Locally the same client talks
 * to the local runtime's Secrets Manager endpoint (`infra/local/secrets.ts`).
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** The versions of a secret that are in use: the one to sign with, and the one it replaced. */
export interface SecretVersions {
  current: string;
  /** The version before the last rotation; absent before the first one. */
  previous?: string;
}

/** Where a function's secret comes from; cached, so only a cold start or a stale cache costs a call. */
export interface SecretSource {
  versions(): Promise<SecretVersions>;
}

/** How long a read stays fresh: a rotation reaches every warm function within this time. */
export const SECRET_CACHE_SECONDS = 300;

let client: SecretsManagerClient | undefined;
function secretsClient(): SecretsManagerClient {
  client ??= new SecretsManagerClient({});
  return client;
}

/**
 * The versions `AWSCURRENT` and `AWSPREVIOUS` of the secret `secretArn`, read together and kept for
 * {@link SECRET_CACHE_SECONDS}. A failed refresh is not cached: the next call tries again.
 */
export function secretsManagerSource(
  secretArn: string,
  opts: { client?: Pick<SecretsManagerClient, 'send'>; now?: () => number; cacheSeconds?: number } = {},
): SecretSource {
  const now = opts.now ?? Date.now;
  const ttl = (opts.cacheSeconds ?? SECRET_CACHE_SECONDS) * 1000;
  let cached: { at: number; value: Promise<SecretVersions> } | undefined;

  const read = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> => {
    const sm = opts.client ?? secretsClient();
    try {
      const out = await sm.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
      return out.SecretString;
    } catch (err) {
      // Before the first rotation there is no previous version.
      if (stage === 'AWSPREVIOUS' && err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  };
  const load = async (): Promise<SecretVersions> => {
    const [current, previous] = await Promise.all([read('AWSCURRENT'), read('AWSPREVIOUS')]);
    if (!current) throw new Error(`secret ${secretArn} has no current string value`);
    return previous && previous !== current ? { current, previous } : { current };
  };

  return {
    versions() {
      const at = now();
      if (!cached || at - cached.at >= ttl) {
        const value = load();
        cached = { at, value };
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    },
  };
}
