import { describe, expect, it } from 'vitest';
import { call, createPost, drain, newUser } from '../support/api.ts';
import { comment, commentsPage, getPost } from '../support/comments.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const COMMENT_FIELDS = ['id', 'user', 'parent', 'text', 'media', 'media_type', 'created_at', 'updated_at', 'replies', 'reaction_summary', 'user_reaction'];
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe('comments: create and read back', () => {
  it('creates a top-level comment with every documented field and JSON type', async () => {
    const author = await newUser();
    const jane = await newUser({ displayName: 'Jane Smith', photo: 'https://example.com/jane.jpg' });
    const post = await createPost(author);
    const created = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: jane, json: { text: 'This is my comment on the post' } });
    expect(created.status).toBe(201);
    const body = created.body;
    expect(Object.keys(body).sort()).toEqual([...COMMENT_FIELDS].sort());
    expect(Number.isInteger(body.id)).toBe(true);
    expect(body).toMatchObject({
      user: { id: jane.id, display_name: 'Jane Smith', profile_photo: 'https://example.com/jane.jpg' },
      parent: null,
      text: 'This is my comment on the post',
      media: null,
      media_type: null,
      replies: [],
      reaction_summary: [],
      user_reaction: null,
    });
    expect(body.created_at).toMatch(ISO);
    expect(body.updated_at).toBe(body.created_at);

    const page = await commentsPage(jane, post.id);
    expect(page).toEqual({ count: 1, next: null, previous: null, results: [body] });
    expect((await getPost(author, post.id)).comment_count).toBe(1);
  });

  it('answers DRF errors for missing, blank and mistyped fields, and 404 for a missing post', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const path = `/api/ventroom/posts/${post.id}/comments/`;
    expect((await call('POST', path, { user, json: {} })).body).toEqual({ text: ['This field is required.'] });
    expect((await call('POST', path, { user, json: { text: '  ' } })).body).toEqual({ text: ['This field may not be blank.'] });
    expect((await call('POST', path, { user, json: { text: null } })).body).toEqual({ text: ['This field may not be null.'] });
    expect((await call('POST', path, { user, json: { text: 'x'.repeat(2_001) } })).body).toEqual({ text: ['Ensure this field has no more than 2000 characters.'] });
    expect((await call('POST', path, { user, json: { text: 'ok', parent: 'abc' } })).body).toEqual({ parent: ['Incorrect type. Expected pk value, received str.'] });
    const missingParent = await call('POST', path, { user, json: { text: 'ok', parent: 999_999_999 } });
    expect(missingParent.status).toBe(400);
    expect(missingParent.body).toEqual({ parent: ['Invalid pk "999999999" - object does not exist.'] });
    const list = await call('POST', path, { user, json: ['text'] });
    expect(list.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    const malformed = await call('POST', path, { user, body: '{"text":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    for (const missing of ['/api/ventroom/posts/999999999/comments/', '/api/ventroom/posts/abc/comments/']) {
      const created = await call('POST', missing, { user, json: { text: 'hello' } });
      expect(created.status).toBe(404);
      expect(created.body).toEqual({ detail: 'Not found.' });
      expect((await call('GET', missing, { user })).status).toBe(404);
      expect((await call('GET', missing.replace('comments', 'with_comments'), { user })).status).toBe(404);
    }
    expect((await call('GET', path)).status).toBe(401);
    // Nothing above was stored.
    expect((await getPost(user, post.id)).comment_count).toBe(0);
  });

  it('accepts a form body with a media file and serves it; the media type must match the bytes', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const form = new FormData();
    form.set('text', 'Check this out');
    form.set('media_type', 'image');
    form.set('parent', '');
    form.set('media', new Blob([PNG], { type: 'image/png' }), 'pixel.png');
    const created = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user, body: form });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ text: 'Check this out', media_type: 'image', parent: null });
    expect(created.body.media).toMatch(/^http:\/\/.+\/media\/vent_media\/\d{4}\/\d{2}\/[0-9a-f-]{36}\.png$/);
    const served = await fetch(created.body.media);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);

    const wrong = new FormData();
    wrong.set('text', 'audio?');
    wrong.set('media_type', 'audio');
    wrong.set('media', new Blob([PNG], { type: 'audio/mpeg' }), 'x.mp3');
    const refused = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user, body: wrong });
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body)).toEqual(['media']);
    const noType = new FormData();
    noType.set('text', 'x');
    noType.set('media', new Blob([PNG]), 'x.png');
    expect((await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user, body: noType })).body).toEqual({
      media_type: ['This field is required when media is provided.'],
    });
  });
});

describe('comments: update and delete', () => {
  it('PUT requires text, PATCH is partial, read-only fields are ignored, media can be removed', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const form = new FormData();
    form.set('text', 'with a picture');
    form.set('media_type', 'image');
    form.set('media', new Blob([PNG]), 'p.png');
    const created = (await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: owner, body: form })).body;
    const path = `/api/ventroom/posts/${post.id}/comments/${created.id}/`;

    const putWithout = await call('PUT', path, { user: owner, json: { media_type: null } });
    expect(putWithout.status).toBe(400);
    expect(putWithout.body).toEqual({ text: ['This field is required.'] });

    await new Promise((resolve) => setTimeout(resolve, 5));
    const patched = await call('PATCH', path, { user: owner, json: { id: 42, parent: 7, user: 'x', created_at: '2000-01-01T00:00:00Z' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.id, parent: null, text: 'with a picture', media: created.media, created_at: created.created_at });
    expect(patched.body.user.id).toBe(owner.id);
    expect(patched.body.updated_at > created.updated_at).toBe(true);

    const put = await call('PUT', path, { user: owner, json: { text: 'Updated comment text' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ text: 'Updated comment text', media: created.media, media_type: 'image' });
    expect(Object.keys(put.body).sort()).toEqual([...COMMENT_FIELDS].sort());

    const removed = await call('PATCH', path, { user: owner, json: { media: null } });
    expect(removed.body).toMatchObject({ text: 'Updated comment text', media: null, media_type: null });
    await expect.poll(async () => (await fetch(created.media)).status).toBe(404);

    const page = await commentsPage(owner, post.id);
    expect(page.results[0]).toEqual(removed.body);
    expect((await call('PATCH', path, { user: owner, json: { text: '' } })).body).toEqual({ text: ['This field may not be blank.'] });
  });

  it('only the owner or an admin may change or delete a comment; 404 comes before 403', async () => {
    const postOwner = await newUser();
    const owner = await newUser();
    const other = await newUser();
    const admin = await newUser({ admin: true });
    const post = await createPost(postOwner);
    const target = await comment(owner, post.id, 'mine');
    const path = `/api/ventroom/posts/${post.id}/comments/${target.id}/`;
    const denied = { detail: 'You do not have permission to perform this action.' };

    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const response = await call(method, path, { user: other, json: { text: 'hijacked' } });
      expect(response.status, method).toBe(403);
      expect(response.body).toEqual(denied);
    }
    // Even the post's owner is not the comment's owner.
    expect((await call('PATCH', path, { user: postOwner, json: { text: 'nope' } })).status).toBe(403);
    // A stranger's invalid body still gets 403, not a validation error.
    expect((await call('PUT', path, { user: other, json: {} })).status).toBe(403);

    const missing = `/api/ventroom/posts/${post.id}/comments/999999999/`;
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const response = await call(method, missing, { user: other, json: { text: 'x' } });
      expect(response.status, method).toBe(404);
      expect(response.body).toEqual({ detail: 'Not found.' });
    }
    // The right comment under the wrong post is not found either.
    const elsewhere = await createPost(postOwner);
    expect((await call('PATCH', `/api/ventroom/posts/${elsewhere.id}/comments/${target.id}/`, { user: owner, json: { text: 'x' } })).status).toBe(404);

    const byOwner = await call('PATCH', path, { user: owner, json: { text: 'edited by me' } });
    expect(byOwner.status).toBe(200);
    const byAdmin = await call('PUT', path, { user: admin, json: { text: 'edited by admin' } });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.user.id).toBe(owner.id);
    expect(byAdmin.body.text).toBe('edited by admin');

    const second = await comment(owner, post.id, 'second');
    expect((await call('DELETE', `/api/ventroom/posts/${post.id}/comments/${second.id}/`, { user: owner })).status).toBe(204);
    expect((await call('DELETE', path, { user: admin })).status).toBe(204);
    expect((await call('DELETE', path, { user: admin })).status).toBe(404);
    const page = await commentsPage(owner, post.id);
    expect(page).toEqual({ count: 0, next: null, previous: null, results: [] });
    expect((await getPost(owner, post.id)).comment_count).toBe(0);
  });

  it('deleting a thread removes the media of the comment and of its replies', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const withMedia = async (text: string, parent?: number) => {
      const form = new FormData();
      form.set('text', text);
      form.set('media_type', 'image');
      if (parent) form.set('parent', String(parent));
      form.set('media', new Blob([PNG]), 'p.png');
      const response = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: owner, body: form });
      expect(response.status).toBe(201);
      return response.body;
    };
    const root = await withMedia('root with a picture');
    const reply = await withMedia('reply with a picture', root.id);
    expect(reply.parent).toBe(root.id);
    for (const url of [root.media, reply.media]) expect((await fetch(url)).status).toBe(200);
    expect((await call('DELETE', `/api/ventroom/posts/${post.id}/comments/${root.id}/`, { user: owner })).status).toBe(204);
    await drain();
    for (const url of [root.media, reply.media]) expect((await fetch(url)).status).toBe(404);
  });

  it('a deleted post takes its comments with it: 404 for every comment route', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const existing = await comment(owner, post.id, 'before the end');
    expect((await call('DELETE', `/api/ventroom/posts/${post.id}/`, { user: owner })).status).toBe(204);
    const base = `/api/ventroom/posts/${post.id}`;
    expect((await call('GET', `${base}/comments/`, { user: owner })).status).toBe(404);
    expect((await call('GET', `${base}/with_comments/`, { user: owner })).status).toBe(404);
    expect((await call('POST', `${base}/comments/`, { user: owner, json: { text: 'late' } })).status).toBe(404);
    expect((await call('PATCH', `${base}/comments/${existing.id}/`, { user: owner, json: { text: 'late' } })).status).toBe(404);
    expect((await call('DELETE', `${base}/comments/${existing.id}/`, { user: owner })).status).toBe(404);
    const reaction = await call('POST', '/api/ventroom/reactions/', { user: owner, json: { content_type: 'ventcomment', object_id: existing.id, reaction_type: '👍' } });
    expect(reaction.status).toBe(404);
    await drain();
  });
});
