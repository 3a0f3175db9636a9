import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT, base64url, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * Mints JWTs for authentication tests: with the dev issuer's own key (read from a twin's data
 * directory) to prove each claim check on its own, or with keys of the test's making to forge.
 */
export interface IssuerKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function devIssuerKey(dataDir: string): Promise<IssuerKey> {
  const { privateJwk, publicJwk } = JSON.parse(await readFile(path.join(dataDir, 'dev-issuer-key.json'), 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
  return { kid: publicJwk.kid!, privateKey: (await importJWK(privateJwk, 'RS256')) as CryptoKey, publicJwk };
}

export async function freshKey(kid: string = randomUUID()): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256' } };
}

export interface MintOptions {
  key: IssuerKey;
  issuer: string;
  audience: string | string[];
  /** Claims to add or override (`undefined` removes a standard one: sub, exp, iat, iss, aud). */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  expiresIn?: number;
}

export async function mint(options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    iss: options.issuer,
    aud: options.audience,
    sub: randomUUID(),
    name: 'Forged',
    token_use: 'id',
    iat: now,
    exp: now + (options.expiresIn ?? 600),
    jti: randomUUID(),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: options.key.kid, typ: 'JWT', ...options.header } as { alg: string }).sign(options.key.privateKey);
}

/** An unsigned token (`alg: none`) with the given claims. */
export function unsigned(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'none', typ: 'JWT' }): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.`;
}

/** The token with one character of its signature changed. */
export function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const flipped = signature[5] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
}

/** The token with its payload replaced (claims changed after signing), signature kept. */
export function tamperPayload(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
  return `${header}.${base64url.encode(JSON.stringify({ ...decoded, ...claims }))}.${signature}`;
}
