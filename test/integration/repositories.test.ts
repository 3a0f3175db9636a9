import { describe, expect, it } from 'vitest';
import { newMeter, withCapacityMeter } from '../../lambdas/core/db.ts';
import { groupConnections, joinGroup, leaveGroup, removeConnection, saveConnection, connectionUser } from '../../lambdas/repositories/connections.ts';
import { feedPage, findPost, insertPost, nthNewestPostId, postExists, removePost, updatePost, type PostRecord } from '../../lambdas/repositories/posts.ts';
import { nextId } from '../../lambdas/repositories/sequences.ts';
import { userStatesInRange } from '../../lambdas/repositories/user-state.ts';

async function newPost(overrides: Partial<PostRecord> = {}): Promise<PostRecord> {
  const at = new Date().toISOString();
  const post: PostRecord = {
    id: await nextId('post'),
    author: { id: 'repo-author', displayName: 'Repo', profilePhoto: null },
    title: 'T',
    content: 'C',
    mediaKey: null,
    mediaType: null,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
  await insertPost(post);
  return post;
}

describe('posts repository against DynamoDB Local', () => {
  it('ids come from an atomic sequence: concurrent callers never share one', async () => {
    const ids = await Promise.all(Array.from({ length: 25 }, () => nextId('post')));
    expect(new Set(ids).size).toBe(25);
  });

  it('stores a post with zeroed counters and finds it with one Query', async () => {
    const post = await newPost({ title: 'Stored', mediaKey: 'vent_media/2025/01/x.png', mediaType: 'image' });
    const meter = newMeter();
    const found = await withCapacityMeter(meter, () => findPost(post.id));
    expect(found).toEqual({ post, stats: { views: 0, commentCount: 0, topCommentCount: 0, reactions: {} } });
    expect(meter.calls).toBe(1);
    expect(await postExists(post.id)).toBe(true);
    expect(await findPost(987_654_321)).toBeUndefined();
  });

  it('refuses to insert the same id twice', async () => {
    const post = await newPost();
    await expect(insertPost(post)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  });

  it('pages the feed newest first from the top, older than and newer than an anchor', async () => {
    const posts = [await newPost(), await newPost(), await newPost(), await newPost()];
    const [a, b, c, d] = posts.map((p) => p.id) as [number, number, number, number];
    // Other files post on the same twin meanwhile: their posts may sit between these four.
    const own = (ids: number[]) => ids.filter((id) => posts.some((post) => post.id === id));
    const older = (await feedPage(50, { direction: 'older', belowPostId: d })).posts.map((p) => p.post.id);
    expect(older.every((id, i) => id < d && (i === 0 || id < older[i - 1]!))).toBe(true);
    expect(own(older)).toEqual([c, b, a]);
    expect((await feedPage(2, { direction: 'older', belowPostId: d })).count).toBeUndefined();
    const newer = (await feedPage(50, { direction: 'newer', abovePostId: a })).posts.map((p) => p.post.id);
    expect(newer.every((id, i) => id > a && (i === 0 || id < newer[i - 1]!))).toBe(true);
    expect(own(newer)).toEqual([d, c, b]);
    const top = await feedPage(1);
    expect(top.count).toBeGreaterThanOrEqual(4);
    expect(top.posts[0]!.post.id).toBeGreaterThanOrEqual(d);
    expect(await nthNewestPostId(0)).toBeUndefined();
  });

  it('updates only named fields and removes a post once', async () => {
    const post = await newPost({ mediaKey: 'k', mediaType: 'image' });
    const updated = await updatePost(post.id, { title: 'New', mediaKey: null, mediaType: null }, '2030-01-01T00:00:00.000Z');
    expect(updated).toMatchObject({ title: 'New', content: 'C', mediaKey: null, mediaType: null, updatedAt: '2030-01-01T00:00:00.000Z' });
    expect(await removePost(post.id)).toBe(true);
    expect(await removePost(post.id)).toBe(false);
    expect(await updatePost(post.id, { title: 'x' }, 'now')).toBeUndefined();
    expect(await findPost(post.id)).toBeUndefined();
  });

  it('reads a user’s state on a range of posts in one Query (empty for a fresh user)', async () => {
    const meter = newMeter();
    const states = await withCapacityMeter(meter, () => userStatesInRange('nobody-yet', 1, 1000));
    expect(states.post(5)).toEqual({ viewed: false, reaction: null });
    expect(meter.calls).toBe(1);
  });
});

describe('connections repository against DynamoDB Local', () => {
  it('saves, joins, lists with pagination, leaves and removes every membership', async () => {
    const group = `test_group_${Date.now()}`;
    const ids = Array.from({ length: 30 }, (_, i) => `RepoConn${String(i).padStart(4, '0')}=`);
    for (const id of ids) await saveConnection(id, 'repo-user', `user_repo-user`);
    const meta = await connectionUser(ids[0]!);
    expect(meta?.userId).toBe('repo-user');
    expect(meta!.ttl).toBeGreaterThan(Date.now() / 1000 + 7000);
    await Promise.all(ids.map((id) => joinGroup(id, group, 'repo-user', meta!.ttl)));
    const listed: string[] = [];
    let pages = 0;
    for await (const page of groupConnections(group, 7)) {
      listed.push(...page);
      pages += 1;
    }
    expect(listed.sort()).toEqual([...ids].sort());
    expect(pages).toBeGreaterThanOrEqual(5);
    await leaveGroup(ids[0]!, group);
    await removeConnection(ids[1]!);
    const after: string[] = [];
    for await (const page of groupConnections(group)) after.push(...page);
    expect(after).not.toContain(ids[0]);
    expect(after).not.toContain(ids[1]);
    expect(after.length).toBe(28);
    expect(await connectionUser(ids[1]!)).toBeUndefined();
    await Promise.all(ids.map((id) => removeConnection(id)));
    const none: string[] = [];
    for await (const page of groupConnections('user_repo-user')) none.push(...page);
    expect(none).toEqual([]);
  });
});
