import { describe, expect, it } from 'vitest';
import { call, createPost, newUser, type TestUser } from '../support/api.ts';
import { comment, react } from '../support/comments.ts';

/**
 * OWASP API1 (broken object-level authorization): every write endpoint of an object, by its owner,
 * another user, an admin and nobody. Owners and admins may change and delete; others get the spec's
 * 403 and change nothing; nobody gets 401; a missing object is a 404 for everyone (before any 403,
 * as in DRF). And API3 (mass assignment): no body, not even the owner's, sets the author, the id,
 * the counters or the timestamps.
 */
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };
const NOT_FOUND = { detail: 'Not found.' };

type Actor = 'owner' | 'other' | 'admin' | 'anonymous';

interface WriteEndpoint {
  name: string;
  /** Creates a fresh object owned by `owner`; answers its URL and how to read it back. */
  setup(owner: TestUser): Promise<{ path: string; read(): Promise<unknown> }>;
  method: 'PUT' | 'PATCH' | 'DELETE';
  body?: Record<string, unknown>;
  /** The status an allowed actor gets. */
  allowed: number;
  /** A path naming an object that does not exist. */
  missingPath: string;
}

const postEndpoint = (method: WriteEndpoint['method'], allowed: number, body?: Record<string, unknown>): WriteEndpoint => ({
  name: `${method} /posts/{id}/`,
  method,
  body,
  allowed,
  missingPath: '/api/ventroom/posts/987654321/',
  async setup(owner) {
    const post = await createPost(owner, { title: 'Owned', content: 'owned content' });
    const path = `/api/ventroom/posts/${post.id}/`;
    return {
      path,
      read: async () => {
        const response = await call('GET', path, { user: owner });
        if (response.status === 404) return 'gone';
        const { views: _views, has_viewed: _hasViewed, ...rest } = response.body;
        return rest;
      },
    };
  },
});

/**
 * A comment by `owner` on a post of someone else: the post's author is the "other" here too (owning
 * the post gives no right over comments on it).
 */
const commentEndpoint = (method: WriteEndpoint['method'], allowed: number, body?: Record<string, unknown>): WriteEndpoint => ({
  name: `${method} /posts/{id}/comments/{id}/`,
  method,
  body,
  allowed,
  missingPath: '/api/ventroom/posts/987654321/comments/987654321/',
  async setup(owner) {
    const postAuthor = await newUser();
    const post = await createPost(postAuthor);
    const created = await comment(owner, post.id, 'owned comment');
    const path = `/api/ventroom/posts/${post.id}/comments/${created.id}/`;
    return {
      path,
      read: async () => {
        const page = await call('GET', `/api/ventroom/posts/${post.id}/comments/`, { user: owner });
        const found = page.body.results.find((c: { id: number }) => c.id === created.id);
        return found ?? 'gone';
      },
    };
  },
});

const endpoints: WriteEndpoint[] = [
  postEndpoint('PUT', 200, { title: 'Replaced', content: 'replaced content' }),
  postEndpoint('PATCH', 200, { content: 'patched content' }),
  postEndpoint('DELETE', 204),
  commentEndpoint('PUT', 200, { text: 'replaced text' }),
  commentEndpoint('PATCH', 200, { text: 'patched text' }),
  commentEndpoint('DELETE', 204),
];

describe('object-level authorization: owner / other / admin / anonymous on every write endpoint', () => {
  for (const endpoint of endpoints) {
    for (const actor of ['owner', 'other', 'admin', 'anonymous'] as Actor[]) {
      it(`${endpoint.name} by ${actor}`, async () => {
        const owner = await newUser();
        const users: Record<Actor, TestUser | undefined> = {
          owner,
          other: await newUser(),
          admin: await newUser({ admin: true }),
          anonymous: undefined,
        };
        const user = users[actor];
        const target = await endpoint.setup(owner);
        const before = await target.read();
        const response = await call(endpoint.method, target.path, { user, json: endpoint.body });
        if (actor === 'owner' || actor === 'admin') {
          expect(response.status).toBe(endpoint.allowed);
          if (endpoint.method === 'DELETE') expect(await target.read()).toBe('gone');
          else {
            // An admin's edit keeps the author: the object is still the owner's.
            expect(response.body.user.id).toBe(owner.id);
            expect(await target.read()).not.toEqual(before);
          }
        } else {
          expect(response.status).toBe(actor === 'anonymous' ? 401 : 403);
          if (actor === 'other') expect(response.body).toEqual(FORBIDDEN);
          expect(await target.read()).toEqual(before);
        }
        // A missing object is a 404 for every signed-in actor, whoever would own it.
        if (user) expect(await call(endpoint.method, endpoint.missingPath, { user, json: endpoint.body })).toMatchObject({ status: 404, body: NOT_FOUND });
      });
    }
  }

  it('the post\'s author has no right over comments on it, and a comment is only found under its own post', async () => {
    const postAuthor = await newUser();
    const commenter = await newUser();
    const post = await createPost(postAuthor);
    const other = await createPost(postAuthor);
    const created = await comment(commenter, post.id, 'mine');
    for (const method of ['PATCH', 'DELETE'] as const) {
      expect((await call(method, `/api/ventroom/posts/${post.id}/comments/${created.id}/`, { user: postAuthor, json: { text: 'x' } })).status).toBe(403);
      // Under another post's URL the comment does not exist, even for its owner.
      expect((await call(method, `/api/ventroom/posts/${other.id}/comments/${created.id}/`, { user: commenter, json: { text: 'x' } })).status).toBe(404);
    }
  });

  it('a stranger learns nothing from validation: an invalid body to someone else\'s post is still 403', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const other = await newUser();
    for (const method of ['PUT', 'PATCH'] as const) {
      const response = await call(method, `/api/ventroom/posts/${post.id}/`, { user: other, json: { title: 'x'.repeat(1000), content: '' } });
      expect(response.status).toBe(403);
    }
  });
});

describe('reactions are per user: nobody changes or removes another user\'s reaction', () => {
  for (const contentType of ['ventpost', 'ventcomment'] as const) {
    it(`on a ${contentType === 'ventpost' ? 'post' : 'comment'}, by another user and by an admin`, async () => {
      const owner = await newUser();
      const reactor = await newUser();
      const post = await createPost(owner);
      const objectId = contentType === 'ventpost' ? post.id : (await comment(owner, post.id, 'react to me')).id;
      await react(reactor, contentType, objectId, '❤️');
      const target = { content_type: contentType, object_id: objectId };
      for (const intruder of [await newUser(), await newUser({ admin: true })]) {
        // Impersonation fields are ignored: each request acts for its token's user only.
        const impersonated = { ...target, reaction_type: '😢', user: reactor.id, user_id: reactor.id };
        expect((await call('POST', '/api/ventroom/reactions/', { user: intruder, json: impersonated })).status).toBe(201);
        expect((await call('DELETE', '/api/ventroom/reactions/', { user: intruder, json: { ...target, user_id: reactor.id } })).status).toBe(204);
        expect((await call('DELETE', `/api/ventroom/reactions/?content_type=${contentType}&object_id=${objectId}&user_id=${reactor.id}`, { user: intruder })).status).toBe(204);
      }
      const seenBy = async (user: TestUser) => {
        if (contentType === 'ventpost') return (await call('GET', `/api/ventroom/posts/${post.id}/`, { user })).body;
        const page = await call('GET', `/api/ventroom/posts/${post.id}/comments/`, { user });
        return page.body.results.find((c: { id: number }) => c.id === objectId);
      };
      expect(await seenBy(reactor)).toMatchObject({ user_reaction: '❤️', reaction_summary: [{ reaction_type: '❤️', count: 1 }] });
      expect(await seenBy(owner)).toMatchObject({ user_reaction: null, reaction_summary: [{ reaction_type: '❤️', count: 1 }] });
    });
  }
});

describe('mass assignment: the body never sets author, ids, counters or timestamps', () => {
  const forged = (victim: string) => ({
    id: 1,
    pk: 'FEED',
    user: { id: victim, display_name: 'Victim', profile_photo: 'https://evil.example/p.png' },
    user_id: victim,
    views: 1_000_000,
    has_viewed: true,
    comment_count: 999,
    reaction_summary: [{ reaction_type: '👍', count: 1000 }],
    user_reaction: '❤️',
    created_at: '2000-01-01T00:00:00Z',
    updated_at: '2000-01-01T00:00:00Z',
  });

  it('on create', async () => {
    const author = await newUser();
    const victim = await newUser();
    const response = await call('POST', '/api/ventroom/posts/', { user: author, json: { ...forged(victim.id), content: 'mine' } });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ user: { id: author.id, display_name: author.displayName }, views: 0, has_viewed: false, comment_count: 0, reaction_summary: [], user_reaction: null });
    expect(response.body.id).not.toBe(1);
    expect(response.body.created_at.startsWith('2000')).toBe(false);
  });

  for (const method of ['PUT', 'PATCH'] as const) {
    it(`on ${method}, by the owner and by an admin`, async () => {
      const author = await newUser();
      const victim = await newUser();
      const post = await createPost(author, { content: 'original' });
      for (const editor of [author, await newUser({ admin: true })]) {
        const response = await call(method, `/api/ventroom/posts/${post.id}/`, { user: editor, json: { ...forged(victim.id), content: 'edited' } });
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ id: post.id, user: post.user, views: 0, comment_count: 0, reaction_summary: [], created_at: post.created_at });
        expect(response.body.content).toBe('edited');
        expect(response.body.updated_at > post.updated_at).toBe(true);
      }
      const reread = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: victim });
      expect(reread.body).toMatchObject({ id: post.id, user: post.user, views: 0, comment_count: 0, reaction_summary: [], user_reaction: null, created_at: post.created_at });
    });
  }

  it('on comments: create, PUT and PATCH ignore id, user, parent (after creation), counters and dates', async () => {
    const author = await newUser();
    const victim = await newUser();
    const post = await createPost(victim);
    const other = await createPost(victim);
    const victimComment = await comment(victim, post.id, 'victim');
    const created = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, {
      user: author,
      json: { ...forged(victim.id), text: 'mine', post: other.id, post_id: other.id, replies: [{ id: victimComment.id }] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ user: { id: author.id }, parent: null, replies: [], reaction_summary: [], user_reaction: null });
    expect(created.body.id).not.toBe(1);
    for (const method of ['PUT', 'PATCH'] as const) {
      const edited = await call(method, `/api/ventroom/posts/${post.id}/comments/${created.body.id}/`, {
        user: author,
        json: { ...forged(victim.id), text: `edited ${method}`, parent: victimComment.id },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ id: created.body.id, user: { id: author.id }, parent: null, text: `edited ${method}`, created_at: created.body.created_at });
    }
    const page = await call('GET', `/api/ventroom/posts/${post.id}/comments/`, { user: victim });
    expect(page.body.results.map((c: { id: number }) => c.id).sort()).toEqual([victimComment.id, created.body.id].sort());
    expect((await call('GET', `/api/ventroom/posts/${other.id}/`, { user: victim })).body.comment_count).toBe(0);
  });
});
