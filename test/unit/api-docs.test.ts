import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../contract/write.ts';
import { httpRoutes, wsRoutes } from '../../lambdas/manifest.ts';
import { checkHttpResponse, checkServerFrame, ContractViolation } from '../support/contract.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('the API description (docs/api/)', () => {
  it('is what the schemas generate: run `npm run docs:api` and commit when this fails', async () => {
    const files = await generatedFiles();
    for (const [file, text] of Object.entries(files)) {
      const committed = await readFile(path.join(root, file), 'utf8').catch(() => '(missing)');
      expect(committed, `${file} is stale: run npm run docs:api`).toBe(text);
    }
  });

  it('documents every route and method of the manifest, and every client message route', async () => {
    const openapi = JSON.parse(await readFile(path.join(root, 'docs/api/openapi.json'), 'utf8'));
    for (const route of httpRoutes) {
      for (const method of route.methods) expect(openapi.paths[`${route.path}/`]?.[method.toLowerCase()], `${method} ${route.path}`).toBeDefined();
    }
    const asyncapi = JSON.parse(await readFile(path.join(root, 'docs/api/asyncapi.json'), 'utf8'));
    for (const route of wsRoutes.filter((r) => !r.routeKey.startsWith('$'))) expect(asyncapi.components.messages[route.routeKey], route.routeKey).toBeDefined();
  });
});

describe('the e2e contract check', () => {
  const post = {
    id: 1,
    user: { id: 'u', display_name: 'U', profile_photo: null },
    title: '',
    content: 'c',
    media: null,
    media_type: null,
    created_at: '2025-01-17T10:30:00.123Z',
    updated_at: '2025-01-17T10:30:00.123Z',
    views: 0,
    has_viewed: false,
    comment_count: 0,
    reaction_summary: [],
    user_reaction: null,
  };
  const response = (status: number, body: unknown, url = 'http://127.0.0.1:1/api/ventroom/posts/1/', method = 'GET') => ({
    method,
    url,
    status,
    headers: new Headers({ 'content-type': 'application/json' }),
    text: body === undefined ? '' : JSON.stringify(body),
  });

  it('accepts a documented response and refuses an undocumented field, a wrong type and an undocumented status', () => {
    expect(() => checkHttpResponse(response(200, post))).not.toThrow();
    expect(() => checkHttpResponse(response(200, { ...post, secret: 'PK#1' }))).toThrow(ContractViolation);
    expect(() => checkHttpResponse(response(200, { ...post, views: '3' }))).toThrow(/views/);
    expect(() => checkHttpResponse(response(201, post))).toThrow(/not documented/);
    expect(() => checkHttpResponse(response(404, { detail: 'Not found.' }))).not.toThrow();
    expect(() => checkHttpResponse(response(204, undefined, 'http://127.0.0.1:1/api/ventroom/posts/1/', 'DELETE'))).not.toThrow();
    expect(() => checkHttpResponse({ ...response(429, { detail: 'Request was throttled.' }), headers: new Headers({ 'content-type': 'application/json' }) })).toThrow(/Retry-After/);
  });

  it('accepts documented events and refuses an unknown type or a changed shape', () => {
    const event = { id: '0b6f1c2e-8f5e-4a55-9d59-5d2b0b0c7c61', type: 'ventroom_post_view_updated', data: { post_id: 1, views: 3 }, timestamp: '2025-01-17T10:30:00.123Z' };
    expect(() => checkServerFrame(JSON.stringify(event))).not.toThrow();
    expect(() => checkServerFrame(JSON.stringify({ ...event, type: 'made_up' }))).toThrow(/not documented/);
    expect(() => checkServerFrame(JSON.stringify({ ...event, data: { post_id: 1 } }))).toThrow(ContractViolation);
    expect(() => checkServerFrame(JSON.stringify({ ...event, data: { ...event.data, extra: 1 } }))).toThrow(ContractViolation);
  });
});
