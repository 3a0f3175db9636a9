import { describe, expect, it } from 'vitest';
import { groups } from '../../lambdas/core/groups.ts';
import { postLeftovers, userStateKeysOnPost } from '../../lambdas/repositories/post-leftovers.ts';
import { feedPage } from '../../lambdas/repositories/posts.ts';
import { call, createPost, drain, newUser } from '../support/api.ts';
import { PNG_1x1 } from '../support/media-samples.ts';

const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

describe('posts: update', () => {
  it('PATCH changes only what it names and moves updated_at', async () => {
    const owner = await newUser();
    const post = await createPost(owner, { title: 'Old title', content: 'Old content' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const patched = await call('PATCH', `/api/ventroom/posts/${post.id}/`, { user: owner, json: { title: 'New title' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: post.id, title: 'New title', content: 'Old content', created_at: post.created_at });
    expect(patched.body.updated_at > post.updated_at).toBe(true);
    const read = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: owner });
    expect(read.body.title).toBe('New title');
  });

  it('PUT requires content (a full update) and replaces the writable fields', async () => {
    const owner = await newUser();
    const post = await createPost(owner, { title: 'T', content: 'C' });
    const partial = await call('PUT', `/api/ventroom/posts/${post.id}/`, { user: owner, json: { title: 'only title' } });
    expect(partial.status).toBe(400);
    expect(partial.body).toEqual({ content: ['This field is required.'] });
    const full = await call('PUT', `/api/ventroom/posts/${post.id}/`, { user: owner, json: { title: 'T2', content: 'C2' } });
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ title: 'T2', content: 'C2' });
  });

  it('ignores read-only fields: id, user, views, counts and timestamps cannot be changed', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const attempt = await call('PATCH', `/api/ventroom/posts/${post.id}/`, {
      user: owner,
      json: {
        id: 999,
        user: { id: 'someone-else', display_name: 'Mallory' },
        views: 1_000_000,
        has_viewed: true,
        comment_count: 42,
        reaction_summary: [{ reaction_type: '👍', count: 99 }],
        created_at: '2000-01-01T00:00:00Z',
        updated_at: '2000-01-01T00:00:00Z',
        content: 'edited',
      },
    });
    expect(attempt.status).toBe(200);
    expect(attempt.body).toMatchObject({ id: post.id, user: post.user, views: 0, comment_count: 0, reaction_summary: [], created_at: post.created_at, content: 'edited' });
    expect(attempt.body.updated_at).not.toBe('2000-01-01T00:00:00Z');
  });

  it('replaces and removes media', async () => {
    const owner = await newUser();
    const data = new FormData();
    data.append('content', 'with pic');
    data.append('media_type', 'image');
    data.append('media', new Blob([new Uint8Array(PNG_1x1)], { type: 'image/png' }), 'a.png');
    const post = (await call('POST', '/api/ventroom/posts/', { user: owner, body: data })).body;
    const removed = await call('PATCH', `/api/ventroom/posts/${post.id}/`, { user: owner, json: { media: null } });
    expect(removed.body).toMatchObject({ media: null, media_type: null });
    expect((await fetch(post.media)).status).toBe(404);
  });

  it('owner and admin may update; anyone else gets 403; unknown posts 404 before validation', async () => {
    const owner = await newUser();
    const other = await newUser();
    const admin = await newUser({ admin: true });
    const post = await createPost(owner);
    for (const method of ['PUT', 'PATCH']) {
      const denied = await call(method, `/api/ventroom/posts/${post.id}/`, { user: other, json: { content: 'hijack' } });
      expect(denied.status, method).toBe(403);
      expect(denied.body).toEqual(FORBIDDEN);
      // 403 comes before validation: a stranger learns nothing from field errors.
      const deniedInvalid = await call(method, `/api/ventroom/posts/${post.id}/`, { user: other, json: { title: 'x'.repeat(500) } });
      expect(deniedInvalid.status).toBe(403);
      const byAdmin = await call(method, `/api/ventroom/posts/${post.id}/`, { user: admin, json: { content: `moderated ${method}` } });
      expect(byAdmin.status, method).toBe(200);
      expect(byAdmin.body.user.id).toBe(owner.id);
      const byOwner = await call(method, `/api/ventroom/posts/${post.id}/`, { user: owner, json: { content: `mine ${method}` } });
      expect(byOwner.status, method).toBe(200);
    }
    const missing = await call('PATCH', '/api/ventroom/posts/987654321/', { user: owner, json: { title: 'x'.repeat(500) } });
    expect(missing.status).toBe(404);
  });
});

describe('posts: delete', () => {
  it('owner or admin deletes (204); anyone else gets 403; then it is gone everywhere', async () => {
    const owner = await newUser();
    const other = await newUser();
    const admin = await newUser({ admin: true });
    const mine = await createPost(owner);
    const moderated = await createPost(owner);
    const denied = await call('DELETE', `/api/ventroom/posts/${mine.id}/`, { user: other });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(FORBIDDEN);
    const deleted = await call('DELETE', `/api/ventroom/posts/${mine.id}/`, { user: owner });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await call('DELETE', `/api/ventroom/posts/${moderated.id}/`, { user: admin })).status).toBe(204);
    for (const id of [mine.id, moderated.id]) {
      expect((await call('GET', `/api/ventroom/posts/${id}/`, { user: owner })).status).toBe(404);
      expect((await call('PATCH', `/api/ventroom/posts/${id}/`, { user: owner, json: { title: 'x' } })).status).toBe(404);
      expect((await call('DELETE', `/api/ventroom/posts/${id}/`, { user: owner })).status).toBe(404);
    }
    // The feed's own query (a list through the API would count views on other tests' posts).
    const page = await feedPage(100);
    expect(page.posts.map(({ post }) => post.id)).not.toContain(mine.id);
  });

  it('removes the post’s views, buckets, per-user state and media in the background', async () => {
    const owner = await newUser();
    const viewer = await newUser();
    const data = new FormData();
    data.append('content', 'doomed');
    data.append('media_type', 'image');
    data.append('media', new Blob([new Uint8Array(PNG_1x1)], { type: 'image/png' }), 'a.png');
    const post = (await call('POST', '/api/ventroom/posts/', { user: owner, body: data })).body;
    await call('GET', `/api/ventroom/posts/${post.id}/`, { user: viewer });
    await drain();
    expect((await userStateKeysOnPost(viewer.id, post.id)).length).toBe(1);
    const before = await postLeftovers(post.id);
    expect(before.keys.some((key) => key.sk.startsWith('VH#'))).toBe(true);
    expect([...before.userIds]).toEqual([viewer.id]);
    expect((await call('DELETE', `/api/ventroom/posts/${post.id}/`, { user: owner })).status).toBe(204);
    await drain();
    expect((await postLeftovers(post.id)).keys).toEqual([]);
    expect(await userStateKeysOnPost(viewer.id, post.id)).toEqual([]);
    expect((await fetch(post.media)).status).toBe(404);
    expect(groups.post(post.id)).toBe(`vent_post_${post.id}`);
  });
});
