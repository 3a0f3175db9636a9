import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { db, TABLE } from '../../lambdas/core/db.ts';
import { feedKeys, userStateKeys } from '../../lambdas/core/keys.ts';
import { REACTION_TYPES, normalizeReaction } from '../../lambdas/core/reactions.ts';
import { keyOf } from '../../lambdas/repositories/comment-items.ts';
import { findComment, findLocation } from '../../lambdas/repositories/comments.ts';
import { findPost, insertPost, postCount } from '../../lambdas/repositories/posts.ts';
import { setReaction } from '../../lambdas/repositories/reactions.ts';
import { nextId } from '../../lambdas/repositories/sequences.ts';
import { call, createPost, drain, newUser, type TestUser } from '../support/api.ts';
import { comment } from '../support/comments.ts';
import { fuzzBody, hostileQuery, hostileSegment, hostileString, jsonValue, type FuzzBody } from '../support/fuzz.ts';
import { FUZZ_CASES, FUZZ_SEED, FuzzSession, mediaObjectCount, REFUSED, rotatingUsers, sentText, sequenceValue } from '../support/fuzz-run.ts';
import { auditTable, type Audit } from '../support/table-audit.ts';

/**
 * Property-based fuzzing of every write endpoint's body, query and path (fast-check, FUZZ_CASES
 * cases per property: 60 in CI; FUZZ_RUNS=N runs 1,000 x N): posts (create, PUT/PATCH, DELETE),
 * uploads, comments (create, PUT/PATCH, DELETE), reactions (POST, DELETE), mark_as_viewed, and
 * hostile paths. Whatever arrives: never a 5xx, and a refused request writes nothing (this file runs
 * alone on its twin, so the id sequences, the counters, the media bucket, the target items and the
 * users' reactions are compared exactly before and after each request). Accepted text reads back
 * exactly as sent. All twelve properties run side by side (bounded concurrency: one request in
 * flight each), each sequential inside, which keeps its before/after checks exact; the few cases
 * that count the media bucket take turns.
 */
const POST_FIELDS = ['title', 'content', 'media', 'media_type', 'media_key'];
const plausiblePost = fc.record({ title: hostileString, content: hostileString }, { requiredKeys: ['content'] });
const postBody = fuzzBody(POST_FIELDS, plausiblePost);
const session = new FuzzSession();

const COMMENT_FIELDS = ['text', 'parent', 'media', 'media_type', 'media_key'];

/** Placeholders a body may carry, replaced before sending by ids that exist (of this post or another). */
const SAME_POST_COMMENT = '$comment';
const OTHER_POST_COMMENT = '$foreign';
const A_POST = '$post';

function resolve(body: FuzzBody, ids: Record<string, number>): FuzzBody {
  const swap = (value: unknown): unknown => (typeof value === 'string' && value in ids ? ids[value] : value);
  if (body.kind === 'json' && typeof body.value === 'object' && body.value !== null && !Array.isArray(body.value)) {
    return { ...body, value: Object.fromEntries(Object.entries(body.value).map(([k, v]) => [k, swap(v)])) };
  }
  if (body.kind === 'form' || body.kind === 'multipart') {
    return { ...body, fields: Object.fromEntries(Object.entries(body.fields).map(([k, v]) => [k, String(swap(v))])) } as FuzzBody;
  }
  return body;
}

const idLike = (placeholders: string[]) =>
  fc.oneof(fc.constantFrom(...placeholders), fc.constant(null), fc.integer(), fc.constantFrom(0, -1, 2 ** 53, '1', ' 2 ', '1e3', '0x1'), hostileString);

const commentBody = fuzzBody(
  COMMENT_FIELDS,
  fc.record({ text: hostileString, parent: fc.option(idLike([SAME_POST_COMMENT, SAME_POST_COMMENT, OTHER_POST_COMMENT]), { nil: undefined }) }, { requiredKeys: ['text'] }),
);
const reactionBody = fuzzBody(
  ['content_type', 'object_id', 'reaction_type'],
  fc.oneof(
    // Well-formed reactions (one in three refused at most by a mismatched object), to reach the writes.
    {
      weight: 2,
      arbitrary: fc
        .record({ content_type: fc.constantFrom('ventpost', 'ventcomment'), reaction_type: fc.constantFrom(...REACTION_TYPES, '❤'), swap: fc.boolean() })
        .map(({ content_type, reaction_type, swap }) => ({ content_type, reaction_type, object_id: (content_type === 'ventpost') !== swap ? A_POST : SAME_POST_COMMENT })),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        content_type: fc.oneof(fc.constantFrom('ventpost', 'ventcomment', 'VentPost', 'post', ''), hostileString),
        object_id: idLike([A_POST, SAME_POST_COMMENT]),
        reaction_type: fc.oneof(fc.constantFrom(...REACTION_TYPES, '❤', '👍🏽', '👍 ', ':+1:', ''), hostileString),
      }),
    },
  ),
);

async function counters(key: { pk: string; sk: string } | undefined): Promise<Record<string, unknown> | undefined> {
  if (!key) return undefined;
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
  if (!Item) return undefined;
  const { v: _version, updated_at: _updated, ...rest } = Item;
  return Object.fromEntries(Object.entries(rest).filter(([name]) => name.startsWith('r_') || name === 'comment_count' || name === 'top_comment_count'));
}

/**
 * What a comment write may change, and nothing else: reactions (which a reaction property may put on
 * any comment a random id happens to name) and the item version are left out.
 */
function editable(found: Awaited<ReturnType<typeof findComment>>) {
  if (!found) return undefined;
  const { text, parentId, rootId, author, mediaKey, mediaType, createdAt, updatedAt, replyCount } = found.comment;
  return { location: found.location, text, parentId, rootId, author, mediaKey, mediaType, createdAt, updatedAt, replyCount };
}

async function commentCounts(postId: number) {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: feedKeys.postStats(postId), ConsistentRead: true }));
  return { comment_count: Item?.comment_count, top_comment_count: Item?.top_comment_count };
}

async function userReaction(userId: string, postId: number, commentId?: number): Promise<unknown> {
  const key = commentId === undefined ? userStateKeys.post(userId, postId) : userStateKeys.comment(userId, postId, commentId);
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
  return Item?.reaction ?? null;
}

/** Properties over the post writes (create, update, delete, uploads, hostile paths) and the check after them. */
async function postWrites(session: FuzzSession) {
  const created: number[] = [];
  let deleted = 0;
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
  const createProperty = fc.asyncProperty(postBody, hostileQuery, async (body, query) => session.serialIf(body.kind === 'multipart' && body.file !== undefined, async () => {
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
  }));

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
      expect(after.post.createdAt).toBe(before.post.createdAt);
      expect(after.stats.commentCount).toBe(before.stats.commentCount);
    } else {
      // (Views and reactions may move: other properties send random ids that can name this post.)
      expect(after.post).toEqual(before.post);
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
  /** The targets a delete ran for (a request refused before anything runs, 414/431, deletes nothing). */
  const gone = new Set<number>();
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
    gone.add(target.id);
  });

  const uploadUsers = rotatingUsers(15);
  const uploadProperty = fc.asyncProperty(fc.option(fuzzBody(['media_type', 'content_type', 'size']), { nil: undefined }), hostileQuery, async (body, query) => {
    const user = await uploadUsers();
    const response = await session.send('POST', '/api/ventroom/uploads/', user, body, query, 'POST /uploads/');
    if (response.status === 414 || response.status === 431) return;
    // Only a JSON body declaring a size of 1 byte to 100 MiB gets a URL; anything else is refused
    // (a field error, or 415 for a body that is not JSON).
    if (response.status === 201) expect(response.body.media_key.startsWith(`uploads/${user.id}/`)).toBe(true);
    else expect(REFUSED).toContain(response.status);
  });

  const properties = [createProperty, updateProperty, pathProperty, deleteProperty, uploadProperty];
  const verify = (audit: Audit) => {
    expect(audit.feedCount).toBe(feedBefore + created.length - deleted);
    for (const id of created) expect(audit.posts.has(id)).toBe(true);
    expect(gone.size).toBeGreaterThan(0);
    for (const id of gone) expect(audit.posts.has(id)).toBe(false);
  };
  return { properties, verify };
}

/** Properties over the comment, reaction and mark_as_viewed writes and the check after them. */
async function commentWrites(session: FuzzSession) {
  const postOwner = await newUser();
  const posts = await Promise.all(Array.from({ length: 5 }, () => createPost(postOwner, { content: 'fuzz target' })));
  const [home, away] = [posts[0]!.id, posts[1]!.id];
  const reactionPost = posts[2]!.id;
  // Comments to reply to, react to, edit (one owner each, each used 50 times: under 100 a minute)
  // and delete (each owner asked 40 times).
  const commenters = await Promise.all(Array.from({ length: 4 }, () => newUser()));
  const homeComments = await Promise.all(commenters.map((user, i) => comment(user, home, `home ${i}`)));
  const foreignComment = await comment(commenters[0]!, away, 'away');
  const reactionComments = await Promise.all(commenters.map((user, i) => comment(user, reactionPost, `react to me ${i}`)));
  // Removals get objects of their own: their set-up reactions must not move the counters the reaction property compares.
  const removalPost = posts[4]!.id;
  const removalComments = await Promise.all(commenters.map((user, i) => comment(user, removalPost, `unreact ${i}`)));
  const editTargets = await Promise.all(
    Array.from({ length: Math.ceil(FUZZ_CASES / 50) }, async (_, i) => {
      const owner = await newUser();
      return { owner, postId: posts[3]!.id, id: (await comment(owner, posts[3]!.id, `edit me ${i}`)).id };
    }),
  );
  // At least 7 owners for the 100 targets: each creates at most 15 comments (the create budget is 20 a minute).
  const deleteOwners = await Promise.all(Array.from({ length: Math.max(7, Math.ceil(FUZZ_CASES / 40)) }, () => newUser()));
  const deleteTargets: { id: number; postId: number; owner: TestUser }[] = [];
  for (let i = 0; i < 100; i++) {
    const owner = deleteOwners[i % deleteOwners.length]!;
    deleteTargets.push({ id: (await comment(owner, posts[3]!.id, `delete me ${i}`)).id, postId: posts[3]!.id, owner });
  }
  await drain();

  const createUsers = rotatingUsers(15);
  let creates = 0;
  const createComment = fc.asyncProperty(commentBody, hostileQuery, async (raw, query) => session.serialIf(raw.kind === 'multipart' && raw.file !== undefined, async () => {
    const user = await createUsers();
    const parent = homeComments[creates++ % homeComments.length]!.id;
    const body = resolve(raw, { [SAME_POST_COMMENT]: parent, [OTHER_POST_COMMENT]: foreignComment.id });
    const [sequence, stats, media] = await Promise.all([sequenceValue('comment'), commentCounts(home), body.kind === 'multipart' && body.file ? mediaObjectCount() : undefined]);
    const response = await session.send('POST', `/api/ventroom/posts/${home}/comments/`, user, body, query, 'POST /posts/{id}/comments/');
    expect([201, ...REFUSED]).toContain(response.status);
    const [sequenceAfter, statsAfter] = await Promise.all([sequenceValue('comment'), commentCounts(home)]);
    if (response.status === 201) {
      expect(sequenceAfter).toBe(sequence + 1);
      const stored = (await findComment(response.body.id))!;
      expect(stored.comment.text).toBe(sentText(body, 'text'));
      expect(response.body).toMatchObject({ id: stored.comment.id, text: stored.comment.text, user: { id: user.id }, parent: stored.comment.parentId });
      expect(statsAfter.comment_count).toBe((stats.comment_count as number) + 1);
      if (media !== undefined) expect(await mediaObjectCount()).toBe(media + (response.body.media ? 1 : 0));
    } else {
      expect(sequenceAfter).toBe(sequence);
      expect(statsAfter).toEqual(stats);
      if (media !== undefined) expect(await mediaObjectCount()).toBe(media);
    }
  }));

  let edits = 0;
  const editBody = commentBody.filter((body) => body.kind !== 'multipart' || body.file === undefined);
  const updateProperty = fc.asyncProperty(fc.constantFrom('PUT', 'PATCH'), editBody, hostileQuery, async (method, raw, query) => {
    const target = editTargets[Math.floor(edits++ / 50) % editTargets.length]!;
    const body = resolve(raw, { [SAME_POST_COMMENT]: target.id, [OTHER_POST_COMMENT]: foreignComment.id });
    const before = editable(await findComment(target.id))!;
    const response = await session.send(method, `/api/ventroom/posts/${target.postId}/comments/${target.id}/`, target.owner, body, query, 'PUT|PATCH /comments/{id}/');
    expect([200, ...REFUSED]).toContain(response.status);
    const after = editable(await findComment(target.id))!;
    if (response.status === 200) {
      expect(after.text).toBe(sentText(body, 'text') ?? before.text);
      expect({ ...after, text: '', updatedAt: '' }).toEqual({ ...before, text: '', updatedAt: '' });
    } else {
      expect(after).toEqual(before);
    }
  });

  let deletes = 0;
  const deleteProperty = fc.asyncProperty(fc.option(commentBody, { nil: undefined }), hostileQuery, async (body, query) => {
    const target = deleteTargets[deletes++ % deleteTargets.length]!;
    const existed = (await findComment(target.id)) !== undefined;
    const response = await session.send('DELETE', `/api/ventroom/posts/${target.postId}/comments/${target.id}/`, target.owner, body, query, 'DELETE /comments/{id}/');
    if (response.status === 414 || response.status === 431) return;
    expect(response.status).toBe(existed ? 204 : 404);
    expect(await findComment(target.id)).toBeUndefined();
  });

  const pathUsers = rotatingUsers(50);
  const pathProperty = fc.asyncProperty(
    fc.constantFrom('PUT', 'PATCH', 'DELETE'),
    fc.oneof(hostileSegment, fc.constant(String(away))),
    fc.oneof(hostileSegment, fc.constantFrom(String(foreignComment.id), ...homeComments.map((c) => String(c.id)))),
    fc.option(commentBody.filter((body) => body.kind !== 'multipart'), { nil: undefined }),
    hostileQuery,
    async (method, postSegment, commentSegment, body, query) => {
      // A user who owns nothing, against a post no other property writes to.
      const user = await pathUsers();
      const [stats, target] = await Promise.all([commentCounts(away), findComment(foreignComment.id).then(editable)]);
      const response = await session.send(method, `/api/ventroom/posts/${postSegment}/comments/${commentSegment}/`, user, body, query, 'hostile comment paths');
      expect([403, 404, 405, ...REFUSED]).toContain(response.status);
      expect(await commentCounts(away)).toEqual(stats);
      expect(editable(await findComment(foreignComment.id))).toEqual(target);
    },
  );

  const reactUsers = rotatingUsers(40);
  let reacts = 0;
  const reactProperty = fc.asyncProperty(reactionBody, hostileQuery, async (raw, query) => {
    const user = await reactUsers();
    const targetComment = reactionComments[reacts++ % reactionComments.length]!.id;
    const body = resolve(raw, { [A_POST]: reactionPost, [SAME_POST_COMMENT]: targetComment });
    const location = await findLocation(targetComment, true);
    const read = () =>
      Promise.all([
        userReaction(user.id, reactionPost),
        userReaction(user.id, reactionPost, targetComment),
        counters(feedKeys.postStats(reactionPost)),
        counters(location && keyOf(location)),
      ]);
    const before = await read();
    const response = await session.send('POST', '/api/ventroom/reactions/', user, body, query, 'POST /reactions/');
    expect([201, 404, ...REFUSED]).toContain(response.status);
    const after = await read();
    if (response.status === 201) {
      const onComment = response.body.content_type === 'ventcomment';
      expect(response.body.reaction_type).toBe(normalizeReaction(sentText(body, 'reaction_type')!));
      if (response.body.object_id === (onComment ? targetComment : reactionPost)) {
        expect(after[onComment ? 1 : 0]).toBe(response.body.reaction_type);
        // The other object's state and counters did not move.
        expect(after[onComment ? 0 : 1]).toEqual(before[onComment ? 0 : 1]);
        expect(after[onComment ? 2 : 3]).toEqual(before[onComment ? 2 : 3]);
      } else {
        // A number that happened to name another existing object: ours are untouched.
        expect(after).toEqual(before);
      }
    } else {
      expect(after).toEqual(before);
    }
  });

  const unreactUsers = rotatingUsers(40);
  let unreacts = 0;
  const unreactProperty = fc.asyncProperty(
    fc.option(fuzzBody(['content_type', 'object_id'], fc.record({ content_type: fc.constantFrom('ventpost', 'ventcomment', 'x'), object_id: idLike([A_POST, SAME_POST_COMMENT]) })), { nil: undefined }),
    fc.oneof(hostileQuery, fc.constantFrom(`content_type=ventpost&object_id=${removalPost}`, `content_type=ventcomment&object_id=${removalComments[0]!.id}`)),
    async (raw, query) => {
      const user = await unreactUsers();
      const targetComment = removalComments[unreacts++ % removalComments.length]!.id;
      const location = (await findLocation(targetComment, true))!;
      // The user has a reaction on both objects; a removal may take only the one it names, only theirs.
      await setReaction(user.id, { postId: removalPost, comment: null }, '😂');
      await setReaction(user.id, { postId: removalPost, comment: location }, '😢');
      const body = raw && resolve(raw, { [A_POST]: removalPost, [SAME_POST_COMMENT]: targetComment });
      const response = await session.send('DELETE', '/api/ventroom/reactions/', user, body, query, 'DELETE /reactions/');
      expect([204, 404, ...REFUSED]).toContain(response.status);
      const states = [await userReaction(user.id, removalPost), await userReaction(user.id, removalPost, targetComment)];
      if (response.status !== 204) expect(states).toEqual(['😂', '😢']);
      else expect(states.filter((state) => state === null).length).toBeLessThanOrEqual(1);
    },
  );

  const markUsers = rotatingUsers(100);
  const marked: { user: TestUser; ids: number[] }[] = [];
  const postIds = fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...posts.map((p) => p.id)), fc.integer({ min: 1, max: 2 ** 40 })), { minLength: 1, maxLength: 120 }) },
    { weight: 2, arbitrary: fc.array(jsonValue, { maxLength: 5 }) },
    { weight: 1, arbitrary: jsonValue },
  );
  const markProperty = fc.asyncProperty(
    fc.oneof({ weight: 3, arbitrary: postIds.map((ids): FuzzBody => ({ kind: 'json', value: { post_ids: ids }, contentType: 'application/json' })) }, { weight: 1, arbitrary: fuzzBody(['post_ids']) }),
    hostileQuery,
    async (body, query) => {
      const user = await markUsers();
      const response = await session.send('POST', '/api/ventroom/posts/mark_as_viewed/', user, body, query, 'POST /posts/mark_as_viewed/');
      expect([200, ...REFUSED]).toContain(response.status);
      if (response.status === 200) {
        const ids = (body as { value: { post_ids: unknown[] } }).value.post_ids.map(Number);
        expect(ids.length).toBeLessThanOrEqual(100);
        expect(response.body).toEqual({ status: 'success', tracked_posts: new Set(ids).size, message: 'Views tracked successfully' });
        marked.push({ user, ids });
      } else if (response.status === 400) {
        expect(Object.keys(response.body)).toEqual([expect.stringMatching(/^(error|post_ids|detail|non_field_errors)$/)]);
      }
    },
  );

  const properties = [createComment, updateProperty, deleteProperty, pathProperty, reactProperty, unreactProperty, markProperty];
  const verify = async () => {
    // Every accepted mark_as_viewed counted a view for each existing post it named.
    const existing = new Set(posts.map((p) => p.id));
    for (const { user, ids } of marked) {
      for (const id of ids.filter((postId) => existing.has(postId))) {
        const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: userStateKeys.post(user.id, id), ConsistentRead: true }));
        expect(Item?.viewed_at, `view of ${id} by ${user.id}`).toBeTypeOf('string');
      }
    }
  };
  return { properties, verify };
}

describe(`fuzzing every write endpoint (${FUZZ_CASES} cases each, seed ${FUZZ_SEED})`, () => {
  beforeAll(async () => {
    await drain();
  });

  it('never a 5xx; a refused request writes nothing; accepted text reads back exactly', async () => {
    // Comments first: the posts property measures the feed count after every set-up post exists.
    const comments = await commentWrites(session);
    const posts = await postWrites(session);
    await drain();
    const started = Date.now();
    await session.runTogether([...posts.properties, ...comments.properties]);
    const elapsed = Date.now() - started;
    await drain();
    const audit = await auditTable(db, TABLE);
    expect(audit.problems).toEqual([]);
    posts.verify(audit);
    await comments.verify();
    console.log(`fuzz (seed ${FUZZ_SEED}): ${session.requests} requests in ${elapsed} ms; ${JSON.stringify(session.tallies)}`);
  }, Math.max(150_000, 600_000 * (FUZZ_CASES / 1000)));

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
    // The reads' views go through the views queue: counted once it is empty.
    await drain();
    const audit = await auditTable(db, TABLE);
    expect(audit.problems).toEqual([]);
    for (const size of ['100', '101', '1000', '99999999999999999999']) {
      expect((await call('GET', `/api/ventroom/posts/?page_size=${size}`, { user })).body.results).toHaveLength(100);
    }
  }, 120_000);
  // With comments capped at 2,000 characters a page of 100 stays under DynamoDB's 1 MB per Query;
  // the repository still reads on past it, should the cap ever grow.
  it('a page of the longest comments is complete and its links continue', async () => {
    const post = await createPost(await newUser());
    const authors = [await newUser(), await newUser()];
    const ids: number[] = [];
    for (let i = 0; i < 36; i++) ids.push((await comment(authors[i % 2]!, post.id, `${i}${'😀'.repeat(1_990)}`)).id);
    const reader = await newUser();
    const { call } = await import('../support/api.ts');
    const first = await call('GET', `/api/ventroom/posts/${post.id}/comments/?page_size=30`, { user: reader });
    expect(first.body.results.map((c: { id: number }) => c.id)).toEqual(ids.slice(-30).reverse());
    const second = await call('GET', first.body.next, { user: reader });
    expect(second.body.results.map((c: { id: number }) => c.id)).toEqual(ids.slice(0, 6).reverse());
  });
});

describe('pathological JSON structures: a 400 on the field, never a 5xx or an echo', () => {
  // As JSON text: the test's own JSON.stringify would overflow on the deep ones too.
  const structures: [string, string][] = [
    ['5,000-deep array', `${'['.repeat(5_000)}"image"${']'.repeat(5_000)}`],
    ['5,000-deep object', `${'{"a":'.repeat(5_000)}"x"${'}'.repeat(5_000)}`],
    ['100,000-element array', JSON.stringify(Array.from({ length: 100_000 }, (_, i) => i))],
    ['object of 50,000 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])))],
    ['1 MB string', JSON.stringify('x'.repeat(1024 * 1024))],
  ];
  const withField = (base: Record<string, unknown>, field: string, json: string) => {
    const rest = JSON.stringify(base).slice(1, -1);
    return `{${rest}${rest ? ',' : ''}${JSON.stringify(field)}:${json}}`;
  };
  const json = { 'content-type': 'application/json' };

  it('in every field of posts, comments, reactions and mark_as_viewed', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const sequence = await sequenceValue('post');
    const targets: { path: string; method: string; base: Record<string, unknown>; fields: string[] }[] = [
      { method: 'POST', path: '/api/ventroom/posts/', base: { content: 'x' }, fields: ['media_type', 'title', 'content', 'media_key'] },
      { method: 'PATCH', path: `/api/ventroom/posts/${post.id}/`, base: {}, fields: ['media_type', 'title', 'content'] },
      { method: 'POST', path: `/api/ventroom/posts/${post.id}/comments/`, base: { text: 'x' }, fields: ['text', 'parent', 'media_type'] },
      { method: 'POST', path: '/api/ventroom/reactions/', base: { content_type: 'post', object_id: post.id, reaction_type: '👍' }, fields: ['reaction_type', 'content_type', 'object_id'] },
      { method: 'POST', path: '/api/ventroom/posts/mark_as_viewed/', base: {}, fields: ['post_ids'] },
    ];
    for (const target of targets) {
      for (const field of target.fields) {
        // A user per field: the requests stay inside one user's per-minute budgets.
        const sender = target.method === 'PATCH' ? user : await newUser();
        for (const [name, value] of structures) {
          const response = await call(target.method, target.path, { user: sender, body: withField(target.base, field, value), headers: json });
          expect(response.status, `${target.method} ${target.path} ${field}: ${name}`).toBe(400);
          expect(response.text.length, `${field}: ${name} is not echoed`).toBeLessThan(2_000);
        }
      }
    }
    // The deep body as a whole, not inside a field.
    expect((await call('POST', '/api/ventroom/posts/', { user, body: structures[0]![1], headers: json })).status).toBe(400);
    expect(await sequenceValue('post')).toBe(sequence);
  });
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
