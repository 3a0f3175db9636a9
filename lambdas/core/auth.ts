import { JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, JwtNotBeforeError, FetchError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { envDefault, envOptional, envString, envUrl, readEnv } from './config.ts';
import { InternalError, NotAuthenticatedError, isAppError } from './errors.ts';

/** Who is calling, as the handlers see it: nothing else of the token travels further. */
export interface Principal {
  id: string;
  displayName: string;
  profilePhoto: string | null;
  isAdmin: boolean;
}

const config = readEnv({
  JWT_ISSUER: envString(),
  JWT_AUDIENCE: envString(),
  JWKS_URI: envUrl(),
  /** When set, the JWKS document itself (the offline twin's dev issuer); otherwise fetched over https. */
  JWKS_JSON: envOptional(),
  ADMIN_GROUP: envDefault('admin'),
  GROUPS_CLAIM: envDefault('cognito:groups'),
});

function staticJwksCache(json: string): SimpleJwksCache {
  const bytes = new TextEncoder().encode(json);
  return new SimpleJwksCache({ fetcher: { fetch: async () => bytes.buffer.slice(0) as ArrayBuffer } });
}

const verifier = JwtVerifier.create(
  { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwksUri: config.JWKS_URI },
  config.JWKS_JSON ? { jwksCache: staticJwksCache(config.JWKS_JSON) } : undefined,
);

/** Printable ASCII without spaces: safe inside our keys and URLs. Cognito's `sub` is a UUID. */
const SUBJECT = /^[\x21-\x7e]{1,128}$/;

/**
 * A text claim as it may be shown on every post: control characters dropped, unpaired surrogates
 * replaced, at most 150 characters. An issuer is trusted to sign, not to keep names tidy.
 */
function textClaim(payload: JwtPayload, name: string): string | undefined {
  const value = payload[name];
  if (typeof value !== 'string') return undefined;
  const clean = [...value.toWellFormed().replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim()].slice(0, 150).join('');
  return clean === '' ? undefined : clean;
}

/** The `picture` claim if it is an http(s) URL of sane length; anything else shows as no photo. */
function photoClaim(payload: JwtPayload): string | null {
  const value = payload.picture;
  if (typeof value !== 'string' || value.length > 2048) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : null;
  } catch {
    return null;
  }
}

function groupsOf(payload: JwtPayload): string[] {
  const value = payload[config.GROUPS_CLAIM];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string') return value.split(/[ ,]+/).filter(Boolean);
  return [];
}

export function principalFromClaims(payload: JwtPayload): Principal {
  const sub = payload.sub;
  if (typeof sub !== 'string' || !SUBJECT.test(sub)) {
    throw new NotAuthenticatedError('Token contained no recognizable user identification');
  }
  return {
    id: sub,
    displayName:
      textClaim(payload, 'name') ??
      textClaim(payload, 'preferred_username') ??
      textClaim(payload, 'cognito:username') ??
      textClaim(payload, 'email') ??
      sub,
    profilePhoto: photoClaim(payload),
    isAdmin: groupsOf(payload).includes(config.ADMIN_GROUP),
  };
}

export async function verifyToken(token: string): Promise<Principal> {
  try {
    const payload = await verifier.verify(token);
    // aws-jwt-verify checks `exp` only when present; a token without one would never expire.
    if (typeof payload.exp !== 'number') throw new NotAuthenticatedError('Token has no expiry.');
    return principalFromClaims(payload);
  } catch (error) {
    if (isAppError(error)) throw error;
    if (error instanceof FetchError) throw new InternalError('JWKS unavailable', { cause: error });
    if (error instanceof JwtExpiredError) throw new NotAuthenticatedError('Token is expired.', { cause: error });
    if (error instanceof JwtNotBeforeError) throw new NotAuthenticatedError('Token is not yet valid.', { cause: error });
    // Anything else a hostile token can provoke is still the client's mistake, never a 500.
    throw new NotAuthenticatedError('Given token not valid.', { cause: error });
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(headerValue: string | undefined): string | undefined {
  if (!headerValue) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue.trim());
  if (!match) throw new NotAuthenticatedError('Invalid Authorization header. Expected "Bearer <token>".');
  return match[1];
}

export async function authenticate(authorizationHeader: string | undefined): Promise<Principal> {
  const token = bearerToken(authorizationHeader);
  if (!token) throw new NotAuthenticatedError();
  return verifyToken(token);
}
