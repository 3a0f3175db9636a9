import { createHmac, randomUUID } from 'node:crypto';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, newUser } from '../support/api.ts';
import { devIssuerKey, freshKey, mint, tamperPayload, tamperSignature, unsigned, type IssuerKey } from '../support/tokens.ts';
import { removeDataDir, startOwnTwin, type OwnTwin } from '../support/twin-process.ts';
import { WsClient, WsRejected } from '../support/ws.ts';

/**
 * Authentication against forged and broken tokens. The twin runs with a data directory of its own,
 * so the test can read its dev issuer's private key and sign tokens that are valid in every respect
 * but the one under test (expired, not yet valid, wrong issuer, ...). Each must be refused with a 401
 * and a `detail` on HTTP, and refused at `$connect` on WebSocket (query string and header).
 */
let own: OwnTwin;
let key: IssuerKey;
let issuer: string;
let audience: string;

beforeAll(async () => {
  own = await startOwnTwin({}, { keepData: true });
  key = await devIssuerKey(own.dataDir!);
  issuer = own.info.handlerEnv.JWT_ISSUER!;
  audience = own.info.handlerEnv.JWT_AUDIENCE!;
});
afterAll(async () => {
  await own?.stop();
  await removeDataDir(own);
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
  it('a correctly minted token is accepted (the forging harness itself works)', async () => {
    const token = await mint({ key, issuer, audience });
    const response = await call('GET', `${own.info.httpUrl}/api/ventroom/posts/`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const socket = await WsClient.connect(undefined, { token, wsUrl: own.info.wsUrl });
    await socket.close();
    // The same key from a token of the dev issuer's own endpoint is accepted too.
    const user = await newUser({ on: own.info });
    expect((await call('GET', `${own.info.httpUrl}/api/ventroom/posts/`, { user })).status).toBe(200);
  });

  it('every broken token gets 401 with a detail on HTTP, and no WebSocket connection', async () => {
    const all = await cases();
    let refused = 0;
    for (const [name, { token, authorization, detail }] of Object.entries(all)) {
      const header = authorization !== undefined || !token ? authorization : `Bearer ${token}`;
      for (const method of ['GET', 'POST'] as const) {
        const response = await call(method, `${own.info.httpUrl}/api/ventroom/posts/`, {
          headers: header === undefined ? {} : { authorization: header },
          json: method === 'POST' ? { content: 'should never be written' } : undefined,
        });
        expect(response.status, `${name} (${method})`).toBe(401);
        expect(typeof response.body.detail, name).toBe('string');
        if (detail) expect(response.body.detail, name).toMatch(detail);
        expect(response.headers.get('www-authenticate'), name).toMatch(/^Bearer/);
        refused += 1;
      }
      if (token) {
        for (const via of ['query', 'header'] as const) {
          await expect(WsClient.connect(undefined, { token, via, wsUrl: own.info.wsUrl }), `${name} via ${via}`).rejects.toEqual(new WsRejected(401));
          refused += 1;
        }
      }
    }
    // Nothing was written by any of them.
    const reader = await newUser({ on: own.info });
    const feed = await call('GET', `${own.info.httpUrl}/api/ventroom/posts/`, { user: reader });
    expect(feed.body.results.filter((post: { content: string }) => post.content === 'should never be written')).toEqual([]);
    console.log(`auth: ${Object.keys(all).length} broken tokens, ${refused} requests and connections refused`);
  });
});
