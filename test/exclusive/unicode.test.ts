import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, createPost, drain, newUser, type TestUser } from '../support/api.ts';
import { FUZZ_CASES, FUZZ_SEED, hostileString } from '../support/fuzz.ts';
import { rotatingUsers } from '../support/fuzz-run.ts';
import { WsClient } from '../support/ws.ts';

/**
 * Text in every corner of Unicode either round-trips exactly — create answer, single read, the feed,
 * the comments list, with_comments and the WebSocket events — or is refused with a 400 on its field
 * (NUL and lone surrogates, which cannot be stored and read back unchanged). Exclusive: the feed is
 * read through the API, which counts views, and must not touch other tests' posts.
 */
const ACCEPTED: Record<string, string> = {
  emoji: '😀👍🏽❤️🏳️‍🌈👨‍👩‍👧‍👦🧬',
  rtl: 'مرحبا بالعالم שלום עולם \u202eevil\u202c \u2067isolate\u2069',
  combining: 'e\u0301 a\u0308\u0323 Z\u0334\u0321\u032a\u034a Ǆ ﬁ',
  noncharacters: '\uffff \ufffe \ufdd0 \u{1fffe}',
  astral: '𝕏𝔸𝕃 \u{10ffff} \u{e0041}\u{e007f} 𓀀',
  invisible: 'zero\u200bwidth\u200d joiner \ufeffbom \u00ad',
  separators: 'line\u2028para\u2029tab\tcr\rlf\n',
  c1: 'next line\u0085 csi\u009b',
  markup: '<script>alert("x")</script> &amp; \\" \' ` ${x} {{x}} %00 %s',
  max: '😀'.repeat(150),
};
const REFUSED: Record<string, string> = {
  nul: 'before\u0000after',
  controls: 'bell\u0007 esc\u001b del\u007f',
  'lone high surrogate': 'a\ud800b',
  'lone low surrogate': '\udfffz',
  'reversed pair': '\ude00\ud83d',
  'truncated emoji': '😀'.slice(0, 1),
};

async function watch(user: TestUser): Promise<WsClient> {
  const socket = await WsClient.connect(user);
  await socket.request({ type: 'join_ventroom' }, 'ventroom_joined');
  return socket;
}

describe('unicode round-trips exactly or is refused with a 400', () => {
  it('posts: create, read, feed and the WebSocket event carry the exact text; NUL and lone surrogates get field errors', async () => {
    const author = await newUser({ displayName: 'Zoë 😀 مرحبا' });
    const socket = await watch(await newUser());
    for (const [name, text] of Object.entries(ACCEPTED)) {
      const created = await call('POST', '/api/ventroom/posts/', { user: author, json: { title: [...text].slice(0, 150).join(''), content: text } });
      expect(created.status, name).toBe(201);
      expect(created.body.content, name).toBe(text);
      expect(created.body.user.display_name).toBe('Zoë 😀 مرحبا');
      const read = await call('GET', `/api/ventroom/posts/${created.body.id}/`, { user: author });
      expect(read.body.content, name).toBe(text);
      expect(read.body.title, name).toBe(created.body.title);
      const feed = await call('GET', '/api/ventroom/posts/?page_size=1', { user: author });
      expect(feed.body.results[0].content, name).toBe(text);
      const event = await socket.next('new_ventroom_post', (m) => m.data.id === created.body.id);
      expect(event.data, name).toEqual(created.body);
    }
    // The same through a multipart form (a mobile upload) and a urlencoded body.
    const form = new FormData();
    form.append('content', ACCEPTED.emoji!);
    form.append('title', ACCEPTED.rtl!);
    const viaForm = await call('POST', '/api/ventroom/posts/', { user: author, body: form });
    expect(viaForm.body).toMatchObject({ content: ACCEPTED.emoji, title: ACCEPTED.rtl });
    const viaUrlencoded = await call('POST', '/api/ventroom/posts/', {
      user: author,
      body: new URLSearchParams({ content: ACCEPTED.astral!, title: ACCEPTED.combining! }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(viaUrlencoded.body).toMatchObject({ content: ACCEPTED.astral, title: ACCEPTED.combining });

    const sequence = (await call('GET', '/api/ventroom/posts/?page_size=1', { user: author })).body.count;
    // Refused creates spend the create budget too (20 a minute): another author for them.
    const refuser = await newUser();
    for (const [name, text] of Object.entries(REFUSED)) {
      for (const field of ['content', 'title']) {
        const refused = await call('POST', '/api/ventroom/posts/', { user: refuser, json: { content: 'ok', [field]: text } });
        expect(refused.status, `${name} in ${field}`).toBe(400);
        expect(Object.keys(refused.body), name).toEqual([field]);
      }
    }
    // One more than 150 characters (counted as code points, as Python counts them) is refused.
    expect((await call('POST', '/api/ventroom/posts/', { user: refuser, json: { content: 'x', title: '😀'.repeat(151) } })).status).toBe(400);
    expect((await call('GET', '/api/ventroom/posts/?page_size=1', { user: author })).body.count).toBe(sequence);
    await socket.close();
  });

  it('comments: create, list, with_comments, update and the WebSocket event carry the exact text', async () => {
    const owner = await newUser();
    const writer = await newUser({ displayName: 'שלום 👋' });
    const post = await createPost(owner);
    const socket = await WsClient.connect(await newUser());
    await socket.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const ids: number[] = [];
    for (const [name, text] of Object.entries(ACCEPTED)) {
      const created = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: writer, json: { text, parent: ids[0] ?? null } });
      expect(created.status, name).toBe(201);
      expect(created.body.text, name).toBe(text);
      expect(created.body.user.display_name).toBe('שלום 👋');
      ids.push(created.body.id);
      const event = await socket.next('new_ventroom_comment', (m) => m.data.id === created.body.id);
      expect(event.data.text, name).toBe(text);
    }
    const list = await call('GET', `/api/ventroom/posts/${post.id}/comments/`, { user: writer });
    const root = list.body.results.find((c: { id: number }) => c.id === ids[0]);
    expect(root.text).toBe(ACCEPTED.emoji);
    expect(root.replies.map((r: { text: string }) => r.text)).toEqual(Object.values(ACCEPTED).slice(1, 4));
    const withComments = await call('GET', `/api/ventroom/posts/${post.id}/with_comments/`, { user: writer });
    expect(withComments.body.comments.results[0].text).toBe(ACCEPTED.emoji);
    const edited = await call('PATCH', `/api/ventroom/posts/${post.id}/comments/${ids[0]}/`, { user: writer, json: { text: ACCEPTED.separators } });
    expect(edited.body.text).toBe(ACCEPTED.separators);
    expect((await socket.next('ventroom_comment_updated', (m) => m.data.id === ids[0])).data.text).toBe(ACCEPTED.separators);
    for (const [name, text] of Object.entries(REFUSED)) {
      const refused = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: writer, json: { text } });
      expect(refused.status, name).toBe(400);
      expect(Object.keys(refused.body), name).toEqual(['text']);
    }
    await drain();
    expect((await call('GET', `/api/ventroom/posts/${post.id}/`, { user: owner })).body.comment_count).toBe(ids.length);
    await socket.close();
  });

  it(`random text: ${FUZZ_CASES / 10} cases, each either exact on every read or a 400 on its field`, async () => {
    const users = rotatingUsers(15);
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileString, fc.string({ unit: 'binary', minLength: 1, maxLength: 200 })), async (text) => {
        const user = await users();
        const created = await call('POST', '/api/ventroom/posts/', { user, json: { content: text } });
        expect([201, 400]).toContain(created.status);
        if (created.status === 400) {
          expect(Object.keys(created.body)).toEqual(['content']);
          return;
        }
        expect(created.body.content).toBe(text);
        expect((await call('GET', `/api/ventroom/posts/${created.body.id}/`, { user })).body.content).toBe(text);
      }),
      { numRuns: FUZZ_CASES / 10, seed: FUZZ_SEED },
    );
  });
});
