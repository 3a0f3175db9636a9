import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';

/**
 * The offline twin's identity provider: an RS256 key pair (kept in the data directory so tokens
 * survive restarts), its JWKS, and `POST /local/token`. Handlers verify its tokens with the same
 * aws-jwt-verify code they use against Cognito in AWS.
 */
export interface TokenRequest {
  display_name?: unknown;
  user_id?: unknown;
  profile_photo?: unknown;
  admin?: unknown;
  expires_in?: unknown;
}

export interface DevIssuer {
  issuer: string;
  audience: string;
  jwks: { keys: JWK[] };
  groupsClaim: string;
  adminGroup: string;
  mint(request: TokenRequest): Promise<{ token: string; user: { id: string; display_name: string; profile_photo: string | null } }>;
}

export class TokenRequestError extends Error {}

async function loadOrCreateKey(dataDir: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const file = path.join(dataDir, 'dev-issuer-key.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
  } catch {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const keys = {
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    };
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
    return keys;
  }
}

/** The caller's user_id (the same one always means the same user), or a fresh one. */
function userIdFor(request: TokenRequest): string {
  if (request.user_id !== undefined) {
    if (typeof request.user_id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(request.user_id)) {
      throw new TokenRequestError('user_id must be 1-128 printable ASCII characters without spaces');
    }
    return request.user_id;
  }
  return randomUUID();
}

export async function createDevIssuer(options: { dataDir: string; issuer: string; audience: string }): Promise<DevIssuer> {
  const { privateJwk, publicJwk } = await loadOrCreateKey(options.dataDir);
  const signingKey = (await importJWK(privateJwk, 'RS256')) as CryptoKey;
  const groupsClaim = 'cognito:groups';
  const adminGroup = 'admin';
  return {
    issuer: options.issuer,
    audience: options.audience,
    jwks: { keys: [publicJwk] },
    groupsClaim,
    adminGroup,
    async mint(request) {
      if (typeof request.display_name !== 'string' || request.display_name.trim() === '') {
        throw new TokenRequestError('display_name is required');
      }
      if (request.profile_photo !== undefined && request.profile_photo !== null && typeof request.profile_photo !== 'string') {
        throw new TokenRequestError('profile_photo must be a string URL');
      }
      if (request.expires_in !== undefined && (typeof request.expires_in !== 'number' || !Number.isFinite(request.expires_in))) {
        throw new TokenRequestError('expires_in must be a number of seconds');
      }
      const id = userIdFor(request);
      const expiresIn = Math.trunc((request.expires_in as number | undefined) ?? 3600);
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { name: request.display_name, token_use: 'id' };
      if (typeof request.profile_photo === 'string') claims.picture = request.profile_photo;
      if (request.admin === true) claims[groupsClaim] = [adminGroup];
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: publicJwk.kid!, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(id)
        .setIssuedAt(Math.min(now, now + expiresIn - 1))
        .setExpirationTime(now + expiresIn)
        .setJti(randomUUID())
        .sign(signingKey);
      return {
        token,
        user: { id, display_name: request.display_name, profile_photo: (request.profile_photo as string | undefined) ?? null },
      };
    },
  };
}
