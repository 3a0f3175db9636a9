import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { db, TABLE } from '../../lambdas/core/db.ts';
import { findPost, insertPost, postCount } from '../../lambdas/repositories/posts.ts';
import { nextId } from '../../lambdas/repositories/sequences.ts';
import { call, createPost, drain, newUser, type TestUser } from '../support/api.ts';
import { fuzzBody, hostileQuery, hostileSegment, hostileString } from '../support/fuzz.ts';
import { FUZZ_CASES, FUZZ_SEED, FuzzSession, mediaObjectCount, REFUSED, rotatingUsers, sentText, sequenceValue } from '../support/fuzz-run.ts';
import { auditTable } from '../support/table-audit.ts';

/**
 * Property-based fuzzing of every write endpoint's body, query and path (fast-check, FUZZ_CASES
 * cases per property: 1,000 in CI). Whatever arrives: never a 5xx, and a rejected request writes
 * nothing (this file runs alone on its twin, so the id sequence, the feed count, the media bucket
 * and each target item can be compared exactly before and after every request). Accepted text reads
 * back exactly as sent. The properties run side by side (bounded concurrency: one request in flight
 * per property); each is sequential inside, which keeps its before/after checks exact.
 */
const POST_FIELDS = ['title', 'content', 'media', 'media_type', 'media_key'];
const plausiblePost = fc.record({ title: hostileString, content: hostileString }, { requiredKeys: ['content'] });
const postBody = fuzzBody(POST_FIELDS, plausiblePost);
const session = new FuzzSession();

let created: number[] = [];
let deleted = 0;

describe(`fuzzing every write endpoint (${FUZZ_CASES} cases each, seed ${FUZZ_SEED})`, () => {
  beforeAll(async () => {
    await drain();
  });

  it('POST /posts/, PUT and PATCH /posts/{id}/, DELETE /posts/{id}/, POST /uploads/ and hostile paths: never a 5xx, nothing written when refused', async () => {
    // Targets made before any property runs: posts to update (one per owner, each owner used 50
    // times: under the 100/minute budget) and posts to delete.
    const updateTargets = await Promise.all(
      Array.from({ length: Math.ceil(FUZZ_CASES / 50) }, async () => {
        const owner = await newUser();
        return { owner, id: (await createPost(owner, { title: 'target', content: 'target' })).id };
      }),
    );
    // Each owner is asked to delete at most 40 times (100 requests a minute is the budget).
    const deleteOwners = await Promise.all(Array.from({ length: Math.ceil(FUZZ_CASES / 40) }, () => newUser()));
    const deleteTargets: { id: number; owner: TestUser }[] = [];
    for (let i = 0; i < 200; i++) {
      const owner = deleteOwners[i % deleteOwners.length]!;
      const id = await nextId('post');
      const at = new Date().toISOString();
      await insertPost({ id, author: { id: owner.id, displayName: owner.displayName, profilePhoto: null }, title: '', content: 'doomed', mediaKey: null, mediaType: null, createdAt: at, updatedAt: at });
      deleteTargets.push({ id, owner });
    }
    const feedBefore = await postCount();

    const createUsers = rotatingUsers(15);
    const createProperty = fc.asyncProperty(postBody, hostileQuery, async (body, query) => {
      const user = await createUsers();
      const sequence = await sequenceValue('post');
      const withFile = body.kind === 'multipart' && body.file !== undefined;
      const media = withFile ? await mediaObjectCount() : undefined;
      const response = await session.send('POST', '/api/ventroom/posts/', user, body, query, 'POST /posts/');
      expect([201, ...REFUSED]).toContain(response.status);
      if (response.status === 201) {
        created.push(response.body.id);
        expect(await sequenceValue('post')).toBe(sequence + 1);
        const stored = (await findPost(response.body.id, true))!;
        expect(stored.post.content).toBe(sentText(body, 'content'));
        expect(stored.post.title).toBe(sentText(body, 'title') ?? '');
        expect(response.body).toMatchObject({ id: stored.post.id, title: stored.post.title, content: stored.post.content, user: { id: user.id } });
        if (media !== undefined) expect(await mediaObjectCount()).toBe(media + (response.body.media ? 1 : 0));
      } else {
        expect(await sequenceValue('post')).toBe(sequence);
        if (media !== undefined) expect(await mediaObjectCount()).toBe(media);
      }
    });

    let updates = 0;
    const noFiles = postBody.filter((body) => body.kind !== 'multipart' || body.file === undefined);
    const updateProperty = fc.asyncProperty(fc.constantFrom('PUT', 'PATCH'), noFiles, hostileQuery, async (method, body, query) => {
      const target = updateTargets[Math.floor(updates++ / 50) % updateTargets.length]!;
      const before = (await findPost(target.id, true))!;
      const response = await session.send(method, `/api/ventroom/posts/${target.id}/`, target.owner, body, query, 'PUT|PATCH /posts/{id}/');
      expect([200, ...REFUSED]).toContain(response.status);
      const after = (await findPost(target.id, true))!;
      if (response.status === 200) {
        const content = sentText(body, 'content');
        const title = sentText(body, 'title');
        expect(after.post.content).toBe(content ?? before.post.content);
        expect(after.post.title).toBe(title ?? before.post.title);
        expect(after.post.author).toEqual(before.post.author);
        expect(after.stats).toEqual(before.stats);
        expect(after.post.createdAt).toBe(before.post.createdAt);
      } else {
        expect(after).toEqual(before);
      }
    });

    const pathUsers = rotatingUsers(50);
    const pathProperty = fc.asyncProperty(
      fc.constantFrom('PUT', 'PATCH', 'DELETE'),
      hostileSegment,
      fc.option(fuzzBody(POST_FIELDS).filter((body) => body.kind !== 'multipart'), { nil: undefined }),
      hostileQuery,
      async (method, segment, body, query) => {
        // A user who owns nothing: whatever the path names, nothing may change.
        const user = await pathUsers();
        const feed = await postCount();
        const response = await session.send(method, `/api/ventroom/posts/${segment}/`, user, body, query, 'hostile paths');
        expect([403, 404, 405, ...REFUSED]).toContain(response.status);
        if (method === 'DELETE') expect(await postCount()).toBeLessThanOrEqual(feed + 1);
      },
    );

    let deletes = 0;
    const deleteProperty = fc.asyncProperty(fc.option(fuzzBody(POST_FIELDS), { nil: undefined }), hostileQuery, async (body, query) => {
      const target = deleteTargets[deletes++ % deleteTargets.length]!;
      const existed = (await findPost(target.id, true)) !== undefined;
      const response = await session.send('DELETE', `/api/ventroom/posts/${target.id}/`, target.owner, body, query, 'DELETE /posts/{id}/');
      // Body and query are ignored: the first delete of each post succeeds, later ones find nothing.
      // (A query too long for the server's request line is refused before anything runs.)
      if (response.status === 414 || response.status === 431) return;
      expect(response.status).toBe(existed ? 204 : 404);
      if (existed) deleted += 1;
      expect(await findPost(target.id, true)).toBeUndefined();
    });

    const uploadUsers = rotatingUsers(15);
    const uploadProperty = fc.asyncProperty(fc.option(fuzzBody(['media_type', 'content_type', 'size']), { nil: undefined }), hostileQuery, async (body, query) => {
      const user = await uploadUsers();
      const response = await session.send('POST', '/api/ventroom/uploads/', user, body, query, 'POST /uploads/');
      if (response.status === 414 || response.status === 431) return;
      expect(response.status).toBe(201);
      expect(response.body.media_key.startsWith(`uploads/${user.id}/`)).toBe(true);
    });

    const started = Date.now();
    await session.runTogether([createProperty, updateProperty, pathProperty, deleteProperty, uploadProperty]);
    const elapsed = Date.now() - started;

    await drain();
    const audit = await auditTable(db, TABLE);
    expect(audit.problems).toEqual([]);
    expect(audit.feedCount).toBe(feedBefore + created.length - deleted);
    for (const id of created) expect(audit.posts.has(id)).toBe(true);
    for (const { id } of deleteTargets) expect(audit.posts.has(id)).toBe(false);
    console.log(`fuzz posts (seed ${FUZZ_SEED}): ${session.requests} requests in ${elapsed} ms; ${JSON.stringify(session.tallies)}`);
  }, 300_000);

  // A read, not a write: a quarter of the cases (each may read 100 posts of up to 40 KB).
  it('list query fuzzing: page and page_size caps hold, never a 5xx', async () => {
    const users = rotatingUsers(50);
    for (let missing = 101 - (await postCount()); missing > 0; missing--) await createPost(await newUser());
    expect(await postCount()).toBeGreaterThan(100);
    await fc.assert(
      fc.asyncProperty(hostileQuery, async (query) => {
        const response = await session.send('GET', '/api/ventroom/posts/', await users(), undefined, query, 'GET /posts/?query');
        expect([200, 404, 414, 431]).toContain(response.status);
        if (response.status === 200) {
          const size = Number(new URLSearchParams(query).get('page_size'));
          expect(response.body.results.length).toBeLessThanOrEqual(Number.isInteger(size) && size > 0 ? Math.min(size, 100) : 20);
        }
      }),
      { numRuns: Math.ceil(FUZZ_CASES / 4), seed: FUZZ_SEED },
    );
    const user = await newUser();
    const audit = await auditTable(db, TABLE);
    expect(audit.problems).toEqual([]);
    for (const size of ['100', '101', '1000', '99999999999999999999']) {
      expect((await call('GET', `/api/ventroom/posts/?page_size=${size}`, { user })).body.results).toHaveLength(100);
    }
  }, 120_000);
});

describe('oversized requests are refused cleanly and write nothing', () => {
  it('> 10 MB body: 413; > 6 MB event: 413; a file over the inline limit: 400', async () => {
    const user = await newUser();
    const sequence = await sequenceValue('post');
    const media = await mediaObjectCount();
    const huge = await call('POST', '/api/ventroom/posts/', { user, body: JSON.stringify({ content: 'x'.repeat(10 * 1024 * 1024 + 1) }), headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
    const overEvent = await call('POST', '/api/ventroom/posts/', { user, body: JSON.stringify({ content: 'x'.repeat(7 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(overEvent.status).toBe(413);
    // Binary bodies are base64-encoded into the event: 5 MB of file is over 6 MB of event.
    const form = new FormData();
    form.append('content', 'big');
    form.append('media_type', 'image');
    form.append('media', new Blob([Buffer.alloc(5 * 1024 * 1024)], { type: 'image/png' }), 'big.png');
    expect((await call('POST', '/api/ventroom/posts/', { user, body: form })).status).toBe(413);
    const justOver = new FormData();
    justOver.append('content', 'big');
    justOver.append('media_type', 'image');
    justOver.append('media', new Blob([Buffer.alloc(4 * 1024 * 1024 + 1)], { type: 'image/png' }), 'big.png');
    const tooBigFile = await call('POST', '/api/ventroom/posts/', { user, body: justOver });
    expect(tooBigFile.status).toBe(400);
    expect(tooBigFile.body.media[0]).toMatch(/File too large/);
    // A long but legal body is fine; one character over the content limit is a field error.
    expect((await call('POST', '/api/ventroom/posts/', { user, json: { content: '😀'.repeat(10_001) } })).status).toBe(400);
    expect(await sequenceValue('post')).toBe(sequence);
    expect(await mediaObjectCount()).toBe(media);
    const id = randomUUID();
    const fine = await call('POST', '/api/ventroom/posts/', { user, json: { content: `${'😀'.repeat(9_999)}${id.slice(0, 1)}` } });
    expect(fine.status).toBe(201);
  });

  it('a feed page of the longest posts is complete (past DynamoDB\'s 1 MB per Query) and its links continue', async () => {
    const authors = [await newUser(), await newUser()];
    const ids: number[] = [];
    for (let i = 0; i < 36; i++) {
      const response = await call('POST', '/api/ventroom/posts/', { user: authors[i % 2], json: { title: '😀'.repeat(150), content: `${i}${'😀'.repeat(9_990)}` } });
      expect(response.status).toBe(201);
      ids.push(response.body.id);
    }
    const reader = await newUser();
    const first = await call('GET', '/api/ventroom/posts/?page_size=30', { user: reader });
    expect(first.body.results.map((post: { id: number }) => post.id)).toEqual(ids.slice(-30).reverse());
    const second = await call('GET', first.body.next, { user: reader });
    expect(second.body.results.slice(0, 6).map((post: { id: number }) => post.id)).toEqual(ids.slice(0, 6).reverse());
  });
});
