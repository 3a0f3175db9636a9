import { createHmac, randomUUID } from 'node:crypto';
import { feedKeys } from '../../lambdas/core/keys.ts';
import { queryAll } from '../../lambdas/repositories/query.ts';
import { base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, newUser, twin } from '../support/api.ts';
import { devIssuerKey, freshKey, mint, tamperPayload, tamperSignature, unsigned, type IssuerKey } from '../support/tokens.ts';
import { WsClient, WsRejected } from '../support/ws.ts';

/**
 * Authentication against forged and broken tokens. The test reads the twin's dev issuer key from its
 * data directory, so it can sign tokens that are valid in every respect but the one under test
 * (expired, not yet valid, wrong issuer, ...), and forges others with keys of its own. Each must be
 * refused with a 401 and a `detail` on HTTP, and refused at `$connect` on WebSocket (query string
 * and header).
 */
let key: IssuerKey;
let issuer: string;
let audience: string;

beforeAll(async () => {
  key = await devIssuerKey(twin().dataDir);
  issuer = twin().handlerEnv.JWT_ISSUER!;
  audience = twin().handlerEnv.JWT_AUDIENCE!;
});

const now = () => Math.floor(Date.now() / 1000);

function hs256WithPublicKey(publicJwk: Record<string, unknown>): string {
  // Algorithm confusion: an HMAC "signed" with the public key's bytes, claiming alg HS256.
  const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: publicJwk.kid, typ: 'JWT' }));
  const payload = base64url.encode(JSON.stringify({ iss: issuer, aud: audience, sub: randomUUID(), exp: now() + 600, iat: now() }));
  const signature = createHmac('sha256', JSON.stringify(publicJwk)).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

async function cases(): Promise<Record<string, { token?: string; authorization?: string; detail?: RegExp }>> {
  const valid = () => mint({ key, issuer, audience });
  const otherKeySameKid = await freshKey(key.kid);
  const otherKeyOtherKid = await freshKey();
  return {
    'bad signature': { token: tamperSignature(await valid()) },
    'claims changed after signing (become admin, another sub)': {
      token: tamperPayload(await valid(), { sub: 'someone-else', 'cognito:groups': ['admin'] }),
    },
    expired: { token: await mint({ key, issuer, audience, claims: { exp: now() - 30, iat: now() - 600 } }), detail: /^Token is expired\.$/ },
    'not yet valid (nbf in the future)': { token: await mint({ key, issuer, audience, claims: { nbf: now() + 3600 } }), detail: /^Token is not yet valid\.$/ },
    'alg none': { token: unsigned({ iss: issuer, aud: audience, sub: randomUUID(), exp: now() + 600 }) },
    'alg none, upper case': { token: unsigned({ iss: issuer, aud: audience, sub: randomUUID(), exp: now() + 600 }, { alg: 'NONE', kid: key.kid }) },
    'alg HS256 keyed with the public key': { token: hs256WithPublicKey(key.publicJwk as Record<string, unknown>) },
    'wrong issuer': { token: await mint({ key, issuer: `${issuer}-evil`, audience }) },
    'no issuer': { token: await mint({ key, issuer, audience, claims: { iss: undefined } }) },
    'wrong audience': { token: await mint({ key, issuer, audience: 'someone-else' }) },
    'no audience': { token: await mint({ key, issuer, audience, claims: { aud: undefined } }) },
    'another key with the same kid': { token: await mint({ key: otherKeySameKid, issuer, audience }) },
    'another key with an unknown kid': { token: await mint({ key: otherKeyOtherKid, issuer, audience }) },
    'no kid': { token: await mint({ key, issuer, audience, header: { kid: undefined } }) },
    'missing sub': { token: await mint({ key, issuer, audience, claims: { sub: undefined } }), detail: /no recognizable user identification/ },
    'sub not a string': { token: await mint({ key, issuer, audience, claims: { sub: 12345 } }) },
    'sub with spaces': { token: await mint({ key, issuer, audience, claims: { sub: 'a b' } }) },
    'sub longer than 128 characters': { token: await mint({ key, issuer, audience, claims: { sub: 'x'.repeat(129) } }) },
    'sub with a key separator and non-ASCII': { token: await mint({ key, issuer, audience, claims: { sub: 'user#ü' } }) },
    'no expiry': { token: await mint({ key, issuer, audience, claims: { exp: undefined } }) },
    'garbage': { token: 'not.a.jwt' },
    'empty segments': { token: '..' },
    'huge token': { token: `${(await valid()).slice(0, 40)}${'A'.repeat(8000)}` },
    'no Authorization header': { authorization: undefined as unknown as string },
    'Basic scheme': { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    'Bearer without a token': { authorization: 'Bearer ' },
    'two tokens': { authorization: `Bearer ${await valid()} ${await valid()}` },
  };
}

describe('authentication: forged and broken tokens', () => {
  // Checked against a post that does not exist: past authentication it is a 404, and no read of a
  // real post counts a view on other tests' posts.
  const MISSING = '/api/ventroom/posts/987654321/';

  it('a correctly minted token is accepted (the forging harness itself works)', async () => {
    const token = await mint({ key, issuer, audience });
    const response = await call('GET', MISSING, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    const socket = await WsClient.connect(undefined, { token, wsUrl: twin().wsUrl });
    await socket.close();
    // The same key from a token of the dev issuer's own endpoint is accepted too.
    const user = await newUser();
    expect((await call('GET', MISSING, { user })).status).toBe(404);
  });

  it('every broken token gets 401 with a detail on HTTP, and no WebSocket connection', async () => {
    const all = await cases();
    const marker = `should never be written ${randomUUID()}`;
    let refused = 0;
    for (const [name, { token, authorization, detail }] of Object.entries(all)) {
      const header = authorization !== undefined || !token ? authorization : `Bearer ${token}`;
      for (const method of ['GET', 'POST'] as const) {
        const response = await call(method, `${twin().httpUrl}/api/ventroom/posts/`, {
          headers: header === undefined ? {} : { authorization: header },
          json: method === 'POST' ? { content: marker } : undefined,
        });
        expect(response.status, `${name} (${method})`).toBe(401);
        expect(typeof response.body.detail, name).toBe('string');
        if (detail) expect(response.body.detail, name).toMatch(detail);
        expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer/);
        refused += 1;
      }
      if (token) {
        for (const via of ['query', 'header'] as const) {
          await expect(WsClient.connect(undefined, { token, via, wsUrl: twin().wsUrl }), `${name} via ${via}`).rejects.toEqual(new WsRejected(401));
          refused += 1;
        }
      }
    }
    // Nothing was written by any of them.
    const written = await queryAll({
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'content = :marker',
      ExpressionAttributeValues: { ':pk': feedKeys.partition, ':marker': marker },
    });
    expect(written).toEqual([]);
    console.log(`auth: ${Object.keys(all).length} broken tokens, ${refused} requests and connections refused`);
  });
});
