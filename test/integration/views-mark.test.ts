import { afterEach, describe, expect, it, vi } from 'vitest';
import { markAsViewed } from '../../lambdas/domain/mark-viewed.ts';
import { countViews } from '../../lambdas/repositories/views.ts';
import { createPost, newUser } from '../support/api.ts';
import { watchSentMessages } from '../support/sent-messages.ts';
import { principalOf } from '../support/views.ts';

const watchViewsQueue = () => watchSentMessages<{ post_ids: number[]; viewed_at: string }>();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mark_as_viewed enqueues only what the caller has not viewed', () => {
  it('gives the same answer whichever read it takes (range Query for neighbours, BatchGet for scattered ids)', async () => {
    const author = await newUser();
    // A post per call: the twin's worker counts what a call enqueues, maybe before the next call.
    const [a, b, c] = [await createPost(author), await createPost(author), await createPost(author)];
    const user = await newUser();
    await countViews(a.id, [{ userId: user.id, viewedAt: new Date().toISOString() }]);
    const sent = watchViewsQueue();
    const now = new Date('2031-03-03T03:03:03.000Z');

    expect(await markAsViewed(principalOf(user), [a.id, b.id, b.id], now)).toBe(2);
    expect(await markAsViewed(principalOf(user), [a.id, c.id, 900_000_000], now)).toBe(3);
    expect(await markAsViewed(principalOf(user), [a.id], now)).toBe(1);
    expect(await markAsViewed(principalOf(user), [900_000_001, 900_000_002], now)).toBe(2);
    // One message per request that had something new; the already viewed post is never sent, nor
    // ids above the last post id ever issued (they name no post).
    expect(sent).toEqual([
      { user_id: user.id, post_ids: [b.id], viewed_at: now.toISOString() },
      { user_id: user.id, post_ids: [c.id], viewed_at: now.toISOString() },
    ]);
  });
});
