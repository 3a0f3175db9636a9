import { describe, expect, it } from 'vitest';
import { call, createPost, drain, newUser } from '../support/api.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('posts: create and read back with the documented shape', () => {
  it('creates a text post and returns every documented field with its JSON type', async () => {
    const ada = await newUser({ displayName: 'Ada', photo: 'https://example.com/ada.jpg' });
    const created = await call('POST', '/api/ventroom/posts/', { user: ada, json: { title: 'My Thoughts', content: 'Just needed to vent...' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/json');
    const post = created.body;
    expect(Object.keys(post).sort()).toEqual(
      ['id', 'user', 'title', 'content', 'media', 'media_type', 'created_at', 'updated_at', 'views', 'has_viewed', 'comment_count', 'reaction_summary', 'user_reaction'].sort(),
    );
    expect(Number.isInteger(post.id)).toBe(true);
    expect(post.user).toEqual({ id: ada.id, display_name: 'Ada', profile_photo: 'https://example.com/ada.jpg' });
    expect(post).toMatchObject({
      title: 'My Thoughts',
      content: 'Just needed to vent...',
      media: null,
      media_type: null,
      views: 0,
      has_viewed: false,
      comment_count: 0,
      reaction_summary: [],
      user_reaction: null,
    });
    expect(post.created_at).toMatch(ISO);
    expect(post.updated_at).toBe(post.created_at);

    const fetched = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: ada });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(post);
    // Trailing slash is optional, as in API Gateway.
    const bare = await call('GET', `/api/ventroom/posts/${post.id}`, { user: ada });
    expect(bare.status).toBe(200);
    expect(bare.body.id).toBe(post.id);
  });

  it('gives later posts larger integer ids', async () => {
    const user = await newUser();
    const first = await createPost(user);
    const second = await createPost(user);
    expect(second.id).toBeGreaterThan(first.id);
  });

  it('title is optional and defaults to an empty string', async () => {
    const user = await newUser();
    const created = await call('POST', '/api/ventroom/posts/', { user, json: { content: 'no title' } });
    expect(created.status).toBe(201);
    expect(created.body.title).toBe('');
  });

  it('answers DRF field errors for missing content and a long title', async () => {
    const user = await newUser();
    const missing = await call('POST', '/api/ventroom/posts/', { user, json: { title: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ content: ['This field is required.'] });
    const blank = await call('POST', '/api/ventroom/posts/', { user, json: { content: '   ' } });
    expect(blank.body).toEqual({ content: ['This field may not be blank.'] });
    const long = await call('POST', '/api/ventroom/posts/', { user, json: { title: 'x'.repeat(151), content: 'ok' } });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({ title: ['Ensure this field has no more than 150 characters.'] });
    const exactly = await call('POST', '/api/ventroom/posts/', { user, json: { title: '🙂'.repeat(150), content: 'ok' } });
    expect(exactly.status).toBe(201);
    const both = await call('POST', '/api/ventroom/posts/', { user, json: { title: 'x'.repeat(151) } });
    expect(both.body).toEqual({ title: ['Ensure this field has no more than 150 characters.'], content: ['This field is required.'] });
  });

  it('answers 400, never 500, for malformed or mistyped bodies', async () => {
    const user = await newUser();
    const malformed = await call('POST', '/api/ventroom/posts/', { user, body: '{"content": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/^JSON parse error/);
    const list = await call('POST', '/api/ventroom/posts/', { user, json: ['content'] });
    expect(list.status).toBe(400);
    expect(list.body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    const object = await call('POST', '/api/ventroom/posts/', { user, json: { content: { text: 'x' } } });
    expect(object.body).toEqual({ content: ['Not a valid string.'] });
    const nul = await call('POST', '/api/ventroom/posts/', { user, json: { content: 'a\u0000b' } });
    expect(nul.body).toEqual({ content: ['Null characters are not allowed.'] });
    const text = await call('POST', '/api/ventroom/posts/', { user, body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('answers 404 with the DRF body for unknown and non-integer ids', async () => {
    const user = await newUser();
    for (const id of ['999999999', 'abc', '0', '-1', '1.5']) {
      const response = await call('GET', `/api/ventroom/posts/${id}/`, { user });
      expect(response.status, id).toBe(404);
      expect(response.body).toEqual({ detail: 'Not found.' });
    }
  });

  it('refuses requests without valid credentials with 401', async () => {
    const none = await call('GET', '/api/ventroom/posts/');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    const garbage = await call('GET', '/api/ventroom/posts/', { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(garbage.status).toBe(401);
    expect(typeof garbage.body.detail).toBe('string');
    const expired = await newUser({ expiresIn: -10 });
    const late = await call('GET', '/api/ventroom/posts/', { user: expired });
    expect(late.status).toBe(401);
    expect(late.body).toEqual({ detail: 'Token is expired.' });
    const [header, payload] = expired.token.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const none2 = await call('GET', '/api/ventroom/posts/', { headers: { authorization: `Bearer ${unsigned}` } });
    expect(none2.status).toBe(401);
    expect(header).toBeTruthy();
    const post = await call('POST', '/api/ventroom/posts/', { json: { content: 'x' } });
    expect(post.status).toBe(401);
  });
});

describe('posts: a read counts one view for its reader', () => {
  it('GET counts the first view once and then shows has_viewed', async () => {
    const author = await newUser();
    const reader = await newUser();
    const post = await createPost(author);
    const first = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: reader });
    expect(first.body.has_viewed).toBe(false);
    await call('GET', `/api/ventroom/posts/${post.id}/`, { user: reader });
    await drain();
    const after = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: reader });
    // Other test files list the shared feed concurrently and their readers count too: exact counts
    // are asserted where the twin is not shared (test/exclusive).
    expect(after.body.has_viewed).toBe(true);
    expect(after.body.views).toBeGreaterThanOrEqual(1);
    const authorView = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: author });
    expect(authorView.body.has_viewed).toBe(false);
  });
});
