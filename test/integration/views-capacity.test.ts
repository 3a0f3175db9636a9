import { describe, expect, it } from 'vitest';
import { newMeter, withCapacityMeter, type CapacityMeter } from '../../lambdas/core/db.ts';
import { countViews } from '../../lambdas/repositories/views.ts';
import { createPost, newUser } from '../support/api.ts';
import { userIds } from '../support/views.ts';

async function metered<T>(work: () => Promise<T>): Promise<{ meter: CapacityMeter; result: T }> {
  const meter = newMeter();
  const result = await withCapacityMeter(meter, work);
  return { meter, result };
}

describe('views capacity (exploration)', () => {
  it('measures', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const at = '2030-03-01T10:15:00.000Z';
    const users = userIds(100);
    const a = await metered(() => countViews(post.id, users.map((userId) => ({ userId, viewedAt: at }))));
    console.log('100x1', a.meter, a.result);
    const again = await metered(() => countViews(post.id, users.map((userId) => ({ userId, viewedAt: at }))));
    console.log('100x1 again', again.meter, again.result);
    const posts = await Promise.all(Array.from({ length: 20 }, () => createPost(author)));
    const five = userIds(5);
    const b = await metered(() => Promise.all(posts.map((p) => countViews(p.id, five.map((userId) => ({ userId, viewedAt: at }))))));
    console.log('5x20', b.meter);
    expect(a.result.status).toBe('counted');
  });
});
