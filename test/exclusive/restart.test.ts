import { afterAll, describe, expect, it } from 'vitest';
import { call, drain, newUser, type TestUser } from '../support/api.ts';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { queueClient, runCleanupSecondPass } from '../support/queues.ts';
import { auditTable } from '../support/table-audit.ts';
import { removeDataDir, startOwnTwin, type OwnTwin } from '../support/twin-process.ts';

/**
 * The twin stopped (SIGTERM) in the middle of a run, with views and cleanup work still queued, and
 * started again on the same data directory: the data is there, counters are intact, tokens still
 * verify, and the queued work is picked up and finished, each view counted once.
 */
let first: OwnTwin | undefined;
let second: OwnTwin | undefined;
afterAll(async () => {
  await first?.stop();
  await second?.stop();
  await removeDataDir(first);
});

describe('restart mid-run with data kept', () => {
  it('keeps every item and counter and resumes the queued work', async () => {
    first = await startOwnTwin({}, { keepData: true });
    const on = first.info;
    const api = (twinUrl: string, method: string, path: string, user: TestUser, json?: unknown) => call(method, `${twinUrl}${path}`, { user, json });
    const author = await newUser({ on });
    const posts: number[] = [];
    for (let i = 0; i < 5; i++) posts.push((await api(on.httpUrl, 'POST', '/api/ventroom/posts/', author, { content: `before restart ${i}` })).body.id);
    const doomed = (await api(on.httpUrl, 'POST', '/api/ventroom/posts/', author, { content: 'deleted before restart' })).body.id;
    const settledViewers = await Promise.all(Array.from({ length: 5 }, () => newUser({ on })));
    for (const viewer of settledViewers) expect((await api(on.httpUrl, 'GET', '/api/ventroom/posts/', viewer)).status).toBe(200);
    await drain(on);
    // Work still queued (or in a batching window) when the process is told to stop.
    const lateViewers = await Promise.all(Array.from({ length: 20 }, () => newUser({ on })));
    await Promise.all(lateViewers.map((viewer) => api(on.httpUrl, 'GET', '/api/ventroom/posts/', viewer)));
    expect((await api(on.httpUrl, 'DELETE', `/api/ventroom/posts/${doomed}/`, author)).status).toBe(204);
    const { Attributes } = await queueClient(on).send(
      new GetQueueAttributesCommand({ QueueUrl: on.queues.main.views, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const pending = Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
    expect(pending).toBeGreaterThan(0);
    await first.stop();

    second = await startOwnTwin({}, { dataDir: first.dataDir });
    const again = second.info;
    const started = Date.now();
    await drain(again);
    const resumedInMs = Date.now() - started;
    // A views batch still queued for the deleted post may log its viewers after the first cleanup
    // pass: the second pass (15 minutes later in AWS) is sent now.
    await runCleanupSecondPass(again, [doomed]);
    await drain(again);
    const audit = await auditTable(second.table, again.tableName);
    expect(audit.problems).toEqual([]);
    expect(audit.feedCount).toBe(posts.length);
    for (const id of posts) {
      // The author's token from before the restart still works (the dev issuer's key is kept).
      const response = await api(again.httpUrl, 'GET', `/api/ventroom/posts/${id}/`, author);
      expect(response.status).toBe(200);
      expect(response.body.views).toBe(settledViewers.length + lateViewers.length);
    }
    expect((await api(again.httpUrl, 'GET', `/api/ventroom/posts/${doomed}/`, author)).status).toBe(404);
    expect(audit.leftovers.filter((key) => key.includes(String(doomed).padStart(12, '0')))).toEqual([]);
    console.log(`restart: ${pending} views messages pending at SIGTERM (${lateViewers.length} viewers x ${posts.length} posts) and 1 cleanup finished ${resumedInMs} ms after the restart`);
  });
});
