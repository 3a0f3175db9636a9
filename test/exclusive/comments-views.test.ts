import { describe, expect, it } from 'vitest';
import { call, createPost, drain, newUser } from '../support/api.ts';
import { comment, commentsPage, getPost } from '../support/comments.ts';

// Exact view counts: this runs where no other test file's readers are viewing the same feed.
describe('with_comments and view tracking', () => {
  it('returns the post and a page of comments in one body, and counts the first look as a view', async () => {
    const author = await newUser();
    const reader = await newUser();
    const post = await createPost(author, { title: 'my boy', content: 'Just needed to share this...' });
    const first = await comment(author, post.id, 'first');
    const second = await comment(reader, post.id, 'second');
    const response = await call('GET', `/api/ventroom/posts/${post.id}/with_comments/`, { user: reader });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['comments', 'post']);
    const { post: shown, comments } = response.body;
    const direct = await getPost(author, post.id);
    // The body's counts are from before its own view, which the views worker may have counted by the
    // time of the author's GET (an idle twin takes a view off the queue at once).
    expect(shown.views).toBe(0);
    expect(shown).toEqual({ ...direct, has_viewed: false, views: 0 });
    expect(shown.comment_count).toBe(2);
    expect(comments).toEqual({ count: 2, next: null, previous: null, results: [second, first] });

    await drain();
    // The reader's look and the author's own GET above: two views.
    const again = await call('GET', `/api/ventroom/posts/${post.id}/with_comments/`, { user: reader });
    expect(again.body.post).toMatchObject({ has_viewed: true, views: 2 });

    // The comments list alone counts a view too.
    const other = await newUser();
    await commentsPage(other, post.id);
    await drain();
    expect((await getPost(other, post.id)).has_viewed).toBe(true);
    expect((await getPost(author, post.id)).views).toBe(3);
  });
});
