import { describe, expect, it } from 'vitest';
import { newUser, twin } from '../../test/support/api.ts';
import { checkHttpResponse } from '../../test/support/contract.ts';
import { PNG_1x1 } from '../../test/support/media-samples.ts';
import {
  AuthenticationError,
  NotFoundError,
  operationIds,
  PermissionDeniedError,
  ThrottledError,
  ValidationError,
  VentRoomClient,
} from '../src/index.ts';

/** The client's fetch, with every response checked against docs/api/openapi.json as the e2e helpers do. */
const checkedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  const url = String(input);
  if (url.startsWith(twin().httpUrl)) checkHttpResponse({ method: init?.method ?? 'GET', url, status: response.status, headers: response.headers, text });
  return response;
};

async function clientFor(options: { token?: string } = {}) {
  const user = await newUser();
  return { user, client: new VentRoomClient({ baseUrl: twin().httpUrl, token: options.token ?? user.token, fetch: checkedFetch }) };
}

describe('VentRoomClient against the twin', () => {
  it('has a method for every operation in the OpenAPI document', () => {
    for (const id of operationIds) expect(typeof (VentRoomClient.prototype as unknown as Record<string, unknown>)[id], id).toBe('function');
  });

  it('posts, pages, updates, comments, reacts, tracks views and deletes', async () => {
    const { client } = await clientFor();
    const post = await client.createPost({ title: 'From the client', content: 'typed' });
    expect(post).toMatchObject({ title: 'From the client', content: 'typed', media: null, views: 0 });
    expect((await client.getPost(post.id)).id).toBe(post.id);
    await client.createPost({ content: 'second' });
    const page = await client.listPosts({ page_size: 1 });
    expect(page.results).toHaveLength(1);
    const next = await client.page(page.next!);
    expect(next.results[0]!.id).not.toBe(page.results[0]!.id);
    expect((await client.updatePost(post.id, { title: 'Patched' })).title).toBe('Patched');
    expect((await client.replacePost(post.id, { content: 'replaced' })).content).toBe('replaced');
    const comment = await client.createComment(post.id, { text: 'first' });
    const reply = await client.createComment(post.id, { text: 'reply', parent: comment.id });
    expect(reply.parent).toBe(comment.id);
    expect((await client.updateComment(post.id, comment.id, { text: 'edited' })).text).toBe('edited');
    expect((await client.replaceComment(post.id, reply.id, { text: 'replaced reply' })).text).toBe('replaced reply');
    const withComments = await client.postWithComments(post.id);
    expect(withComments.comments.results[0]!.replies.map((r) => r.id)).toEqual([reply.id]);
    expect((await client.listComments(post.id)).count).toBe(1);
    expect(await client.react({ content_type: 'ventpost', object_id: post.id, reaction_type: '❤️' })).toEqual({ content_type: 'ventpost', object_id: post.id, reaction_type: '❤️' });
    expect((await client.getPost(post.id)).user_reaction).toBe('❤️');
    await client.removeReaction({ content_type: 'ventpost', object_id: post.id });
    expect((await client.getPost(post.id)).user_reaction).toBeNull();
    expect(await client.markAsViewed([post.id])).toMatchObject({ status: 'success', tracked_posts: 1 });
    expect((await client.viewStats(post.id)).post_id).toBe(post.id);
    expect(Array.isArray((await client.trendingPosts()).results)).toBe(true);
    await client.deleteComment(post.id, reply.id);
    await client.deletePost(post.id);
    await expect(client.getPost(post.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('uploads media both ways: inside a multipart request and through a presigned upload', async () => {
    const { client } = await clientFor();
    const inline = await client.createPost({ content: 'inline', media: { data: new Blob([new Uint8Array(PNG_1x1)]), type: 'image', filename: 'a.png' } });
    const uploaded = await client.createPost({ content: 'uploaded', media: { data: new Blob([new Uint8Array(PNG_1x1)]), type: 'image', via: 'upload' } });
    for (const post of [inline, uploaded]) {
      expect(post.media_type).toBe('image');
      const served = await fetch(post.media!);
      expect(Buffer.from(await served.arrayBuffer()).equals(PNG_1x1)).toBe(true);
    }
    expect((await client.updatePost(inline.id, { media: null })).media).toBeNull();
  });

  it('throws typed errors: field errors, 401, 403, 404 and 429 with its retry-after', async () => {
    const { client } = await clientFor();
    const invalid = await client.createPost({ content: '', title: 'x'.repeat(151) }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).fields).toEqual({ title: ['Ensure this field has no more than 150 characters.'], content: ['This field may not be blank.'] });
    await expect(new VentRoomClient({ baseUrl: twin().httpUrl, fetch: checkedFetch }).listPosts()).rejects.toBeInstanceOf(AuthenticationError);
    const post = await client.createPost({ content: 'mine' });
    const { client: other } = await clientFor();
    await expect(other.deletePost(post.id)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(client.getPost(999_999_999)).rejects.toMatchObject({ name: 'NotFoundError', status: 404 });
    // The create budget is 20 a minute; this user has used 1.
    let throttled: unknown;
    for (let i = 0; i < 25 && !throttled; i++) throttled = await client.createUpload(10).then(() => undefined, (error: unknown) => error);
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect((throttled as ThrottledError).retryAfterSeconds).toBeGreaterThan(0);
  });
});
