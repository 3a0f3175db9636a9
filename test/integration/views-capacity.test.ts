import { describe, expect, it } from 'vitest';
import { feedKeys } from '../../lambdas/core/keys.ts';
import { lastHours } from '../../lambdas/core/view-time.ts';
import { markAsViewed } from '../../lambdas/domain/mark-viewed.ts';
import { computeTrending, trendingEntries } from '../../lambdas/domain/trending-snapshot.ts';
import { trendingPosts } from '../../lambdas/domain/trending.ts';
import { viewStats } from '../../lambdas/domain/view-stats.ts';
import { batchGet } from '../../lambdas/repositories/batch-get.ts';
import { viewsInHour } from '../../lambdas/repositories/trending.ts';
import { userPostStates } from '../../lambdas/repositories/user-state.ts';
import { countViews, type View } from '../../lambdas/repositories/views.ts';
import { findPostStats } from '../../lambdas/repositories/posts.ts';
import { createPost, newUser } from '../support/api.ts';
import { measure } from '../support/capacity.ts';
import { principalOf, userIds } from '../support/views.ts';

/**
 * What views cost in DynamoDB, measured with the capacity meter around direct calls (docs/views.md
 * quotes these numbers). Transactions are billed from their items the AWS way (see support/capacity).
 */
// Each test its own hours, so the trending window of one holds no views of another.
const WORKER_AT = '2032-02-10T10:20:00.000Z';
const TRENDING_AT = '2032-02-12T10:20:00.000Z';
const NOW = new Date('2032-02-12T10:40:00.000Z');
const rows: Record<string, unknown>[] = [];
const views = (users: string[], at = WORKER_AT): View[] => users.map((userId) => ({ userId, viewedAt: at }));

async function posts(count: number) {
  const authors = await Promise.all(Array.from({ length: Math.ceil(count / 15) }, () => newUser()));
  return Promise.all(Array.from({ length: count }, (_, i) => createPost(authors[i % authors.length]!)));
}

describe('views: capacity per counted view, per duplicate, per read', () => {
  it('worker: 100 users x 1 post and 5 users x 20 posts, then the same batches again (all duplicates)', async () => {
    const [hot] = await posts(1);
    const crowd = userIds(100);
    const one = await measure(() => countViews(hot!.id, views(crowd)));
    expect(one.result).toEqual({ status: 'counted', added: 100 });
    expect((await findPostStats(hot!.id))?.views).toBe(100);
    // 97 markers + counter + bucket + log fill the first transaction (100 actions), 3 go to a second.
    expect(one.bill.transactions).toBe(2);
    const oneWcu = one.bill.tableWcu + one.bill.indexWcu;
    rows.push({ scenario: '100 users x 1 post', calls: one.meter.operations.join(' '), awsWcu: oneWcu, perView: oneWcu / 100, localMeterWcu: one.meter.writeUnits, rcu: one.bill.rcu });
    expect(oneWcu / 100).toBeLessThan(2.5);

    const spread = await posts(20);
    const five = userIds(5);
    const many = await measure(() => Promise.all(spread.map((post) => countViews(post.id, views(five)))));
    expect(many.bill.transactions).toBe(20);
    const manyWcu = many.bill.tableWcu + many.bill.indexWcu;
    rows.push({ scenario: '5 users x 20 posts', calls: `20 x TransactWriteItems`, awsWcu: manyWcu, perView: manyWcu / 100, localMeterWcu: many.meter.writeUnits, rcu: many.bill.rcu });
    expect(manyWcu / 100).toBeLessThan(4);

    const again = await measure(() => countViews(hot!.id, views(crowd)));
    expect(again.result).toEqual({ status: 'nothing-new' });
    expect(again.bill.transactions).toBe(0);
    expect(again.meter.operations).toEqual(['TransactWriteItems!', 'TransactWriteItems!']);
    rows.push({ scenario: '100 duplicates x 1 post', calls: again.meter.operations.join(' '), awsWcu: 'cancelled: not reported', perView: '-', localMeterWcu: 0, rcu: 0 });

    const mixed = await measure(() => countViews(hot!.id, views([crowd[0]!, ...userIds(9)])));
    expect(mixed.result).toMatchObject({ status: 'counted', added: 9 });
    expect(mixed.meter.operations).toEqual(['TransactWriteItems!', 'TransactWriteItems']);
    rows.push({ scenario: '9 new + 1 duplicate', calls: mixed.meter.operations.join(' '), awsWcu: mixed.bill.tableWcu + mixed.bill.indexWcu, perView: (mixed.bill.tableWcu + mixed.bill.indexWcu) / 9, localMeterWcu: mixed.meter.writeUnits, rcu: mixed.bill.rcu });
  });

  it('trending: the read with a fresh snapshot, the refresh, and the alternatives measured', async () => {
    const top = await posts(20);
    await Promise.all(top.map((post, i) => countViews(post.id, views(userIds(i + 1), TRENDING_AT))));
    const reader = await newUser();
    const refresh = await measure(() => computeTrending(NOW));
    expect(refresh.result).toHaveLength(20);
    rows.push({ scenario: 'trending refresh (20 posts viewed in 24 h)', calls: `${refresh.meter.calls}: 24 Query(GSI) + BatchGet`, rcu: refresh.bill.rcu });
    const gsiHour = await measure(() => viewsInHour(lastHours(NOW, 1)[0]!));
    expect(gsiHour.result.size).toBe(20);
    rows.push({ scenario: '  one hour of the GSI (20 buckets)', calls: gsiHour.meter.operations.join(' '), rcu: gsiHour.bill.rcu });

    await trendingEntries(NOW); // saves the snapshot for this hour
    const read = await measure(() => trendingPosts(principalOf(reader), new Date(NOW.getTime() + 1000)));
    expect(read.result.results.map((post) => post.id)).toEqual(top.map((post) => post.id).reverse());
    // The snapshot, then 20 posts and the caller's states in parallel (these ids are neighbours: a range Query).
    expect(read.meter.operations).toEqual(['GetItem', ...Array(21).fill('Query')]);
    rows.push({ scenario: 'trending read, fresh snapshot', calls: `${read.meter.calls}: GetItem + 20 Query(post) + Query(states)`, rcu: read.bill.rcu });

    const ids = top.map((post) => post.id);
    const batchPosts = await measure(() => batchGet(ids.flatMap((id) => [feedKeys.post(id), feedKeys.postStats(id)])));
    rows.push({ scenario: '  alternative: posts in one BatchGet (40 items)', calls: batchPosts.meter.operations.join(' '), rcu: batchPosts.bill.rcu });
    const scatteredStates = await measure(() => userPostStates(reader.id, ids));
    rows.push({ scenario: '  states of 20 scattered ids: BatchGet', calls: scatteredStates.meter.operations.join(' '), rcu: scatteredStates.bill.rcu });
  });

  it('view_stats and mark_as_viewed', async () => {
    const [post] = await posts(1);
    await countViews(post!.id, views(userIds(3)));
    const reader = await newUser();
    const stats = await measure(() => viewStats(principalOf(reader), post!.id, NOW));
    expect(stats.result.total_views).toBe(3);
    expect([...stats.meter.operations].sort()).toEqual(['GetItem', 'GetItem', 'Query']);
    rows.push({ scenario: 'view_stats', calls: stats.meter.operations.join(' '), rcu: stats.bill.rcu });

    // Ids of no post: the views they enqueue must not land on other tests' posts (the worker skips them).
    // Beside the state read, one GetItem of the post sequence (in parallel) keeps ids above the last
    // issued post id out of the queue.
    const dense = Array.from({ length: 20 }, (_, i) => 800_000_000 + i);
    const near = await measure(() => markAsViewed(principalOf(reader), dense, NOW));
    expect([...near.meter.operations].sort()).toEqual(['GetItem', 'Query']);
    rows.push({ scenario: 'mark_as_viewed, 20 neighbouring ids', calls: near.meter.operations.join(' '), rcu: near.bill.rcu });
    const scattered = Array.from({ length: 20 }, (_, i) => 810_000_000 + i * 1000);
    const far = await measure(() => markAsViewed(principalOf(reader), scattered, NOW));
    expect([...far.meter.operations].sort()).toEqual(['BatchGetItem', 'GetItem']);
    rows.push({ scenario: 'mark_as_viewed, 20 scattered ids', calls: far.meter.operations.join(' '), rcu: far.bill.rcu });
    console.table(rows);
  });
});
