/**
 * Local stand-in for the API Gateway JWT authorizer (Cognito on AWS): an ES256 key pair created on first
 * start under the data folder; tokens are checked for signature, issuer, audience and expiry before a
 * handler runs, and the claims land where API Gateway puts them.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Role } from '../../shared/auth/actor.ts';
import { parseJsonObject, readDurableFile, writeFileAtomic } from './durable-file.ts';

export const LOCAL_ISSUER = 'https://aftercare.local/issuer';
export const LOCAL_AUDIENCE = 'aftercare-api';

export interface LocalAuth {
  sign(
    claims: { sub: string; roles: Role[]; name?: string; email?: string },
    ttlSeconds?: number,
  ): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

/** Loads the key pair from `keyFile` (creating it on first use) or keeps one in memory when no file is given. */
export async function localAuth(keyFile?: string): Promise<LocalAuth> {
  let privateJwk: JWK;
  let publicJwk: JWK;
  const saved = keyFile
    ? readDurableFile(
        keyFile,
        (text) => {
          const keys = parseJsonObject(text);
          if (!keys.privateJwk || !keys.publicJwk) throw new Error('no key pair in it');
          return keys as unknown as { privateJwk: JWK; publicJwk: JWK };
        },
        'token key file',
        'Creating a new key pair: tokens issued before no longer verify (get new ones with `npm run token`).',
      )
    : undefined;
  if (saved) {
    ({ privateJwk, publicJwk } = saved);
  } else {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateJwk = await exportJWK(pair.privateKey);
    publicJwk = await exportJWK(pair.publicKey);
    if (keyFile) writeFileAtomic(keyFile, JSON.stringify({ privateJwk, publicJwk }), 0o600);
  }
  const privateKey = await importJWK(privateJwk, 'ES256');
  const publicKey = await importJWK(publicJwk, 'ES256');
  // A token that verified once stays valid until it expires: keep its claims instead of re-checking
  // the signature on every request (bounded, and re-checked for expiry on each use).
  const verified = new Map<string, JWTPayload>();
  const MAX_CACHED = 10_000;
  return {
    sign: ({ sub, roles, name, email }, ttlSeconds = 12 * 3600) =>
      new SignJWT({ 'cognito:groups': roles, ...(name ? { name } : {}), ...(email ? { email } : {}) })
        .setProtectedHeader({ alg: 'ES256', kid: 'local' })
        .setSubject(sub)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey),
    verify: async (token) => {
      const cached = verified.get(token);
      if (cached && (cached.exp ?? 0) * 1000 > Date.now()) return cached;
      verified.delete(token);
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
      });
      if (verified.size >= MAX_CACHED) verified.clear();
      verified.set(token, payload);
      return payload;
    },
  };
}

/** API Gateway passes claims as strings; array claims arrive as `[a b]`. Reproduce that shape. */
export function flattenClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    out[k] = Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
  }
  return out;
}
