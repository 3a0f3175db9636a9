import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { hourOf } from '../../lambdas/core/view-time.ts';
import { findPost, viewTotals } from '../../lambdas/repositories/posts.ts';
import { viewsInHour } from '../../lambdas/repositories/trending.ts';
import { countViews } from '../../lambdas/repositories/views.ts';
import { invoke } from '../../local/lambda-runtime.ts';
import { dynamoCalls, installScaleRecorder, setRecording } from '../../bench/support/scale-recorder.ts';
import { createPost, newUser } from '../support/api.ts';

// The scale model's recorder (bench/support/scale-recorder.ts): every DynamoDB call of the handlers'
// client, per partition (table or index), with the units AWS bills, attributed to its function.
const raw = DynamoDBDocumentClient.from(new DynamoDBClient({}));
installScaleRecorder(db, raw, TABLE);

afterAll(() => setRecording(false));

async function recorded<T>(work: () => Promise<T>) {
  const from = dynamoCalls.length;
  setRecording(true);
  try {
    await work();
  } finally {
    setRecording(false);
  }
  return dynamoCalls.slice(from);
}

describe('scale recorder', () => {
  it('bills a views transaction per item and partition, its index entry on the hour, inside the function that ran it', async () => {
    const post = await createPost(await newUser());
    const viewers = [`rec-${Date.now()}-a`, `rec-${Date.now()}-b`];
    const viewedAt = new Date().toISOString();
    const calls = await recorded(() =>
      invoke(async () => countViews(post.id, viewers.map((userId) => ({ userId, viewedAt }))), {}, 'ViewsCounterUnderTest', 10),
    );
    const transaction = calls.find((call) => call.command === 'TransactWriteItems')!;
    expect(transaction.fn).toBe('ViewsCounterUnderTest');
    // Two markers, the counter, the hour bucket, the viewer log: 2 WCU each (all under 1 KB).
    const table = transaction.keys.filter((key) => key.table === 'table');
    expect(table.map((key) => key.pk.split('#')[0]).sort()).toEqual(['FEED', 'POST', 'POST', 'USER', 'USER']);
    expect(table.every((key) => key.wcu === 2)).toBe(true);
    expect(transaction.keys.filter((key) => key.table === 'ViewsByHour')).toEqual([{ table: 'ViewsByHour', pk: hourOf(viewedAt), rcu: 0, wcu: 1 }]);
    // Nothing else: the count is read by the counter flushes, not read back here.
    expect(calls.map((call) => call.command)).toEqual(['TransactWriteItems']);
  });

  it('names the partition of a Query (table and index) and bills keys a BatchGetItem did not find', async () => {
    const post = await createPost(await newUser());
    const calls = await recorded(async () => {
      await findPost(post.id);
      await viewsInHour(hourOf(new Date()));
      await viewTotals([post.id, 999_999_999_999]);
    });
    expect(calls.map((call) => call.fn)).toEqual(['bench', 'bench', 'bench']);
    expect(calls[0]!.keys).toEqual([{ table: 'table', pk: 'FEED', rcu: 0.5, wcu: 0 }]);
    expect(calls[1]!.keys[0]).toMatchObject({ table: 'ViewsByHour', pk: hourOf(new Date()) });
    expect(calls[2]!.keys).toEqual([
      { table: 'table', pk: 'FEED', rcu: 0.5, wcu: 0 },
      { table: 'table', pk: 'FEED', rcu: 0.5, wcu: 0 },
    ]);
  });
});
