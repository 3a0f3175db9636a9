import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { db, TABLE } from '../../lambdas/core/db.ts';
import { feedKeys, userStateKeys } from '../../lambdas/core/keys.ts';
import { handler as cleanupWorker } from '../../lambdas/workers/cleanup.ts';
import { handler as notificationsWorker } from '../../lambdas/workers/notifications.ts';
import { handler as createCommentHandler } from '../../lambdas/http/comments/create.ts';
import { handler as reactionHandler } from '../../lambdas/http/reactions/create.ts';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { queueClient } from '../support/queues.ts';
import { comment } from '../support/comments.ts';
import { WsClient } from '../support/ws.ts';
import { handler as createHandler } from '../../lambdas/http/posts/create.ts';
import { handler as deleteHandler } from '../../lambdas/http/posts/delete.ts';
import { handler as updateHandler } from '../../lambdas/http/posts/update.ts';
import { handler as viewsWorker } from '../../lambdas/workers/views.ts';
import { postCount } from '../../lambdas/repositories/posts.ts';
import { call, createPost, drain, newUser, twin, type TestUser } from '../support/api.ts';
import { PNG_1x1 } from '../support/media-samples.ts';
import { injectedTotals, withDbFaults, type FaultPlan } from '../support/faults.ts';
import { invokeHttp, invokeWorker, sqsEvent } from '../support/lambda-events.ts';
import { auditTable, scanTable } from '../support/table-audit.ts';

const INTERNAL = { detail: 'Internal server error. Please try again later.' };

async function feedBodiesWith(content: string) {
  const items = await scanTable(db, TABLE);
  return items.filter((item) => item.pk === 'FEED' && !item.sk.endsWith('#S') && item.content === content);
}

function create(user: TestUser, content: string) {
  return invokeHttp(createHandler, { method: 'POST', path: '/api/ventroom/posts/', user, json: { title: 'fault', content } });
}

beforeEach(async () => {
  await drain();
});
afterAll(() => {
  console.log(`faults injected: ${JSON.stringify(injectedTotals())}`);
});

describe('DynamoDB faults in the create path', () => {
  const cases: { name: string; plan: FaultPlan; expect: 'created' | 'failed' }[] = [
    { name: 'throttled twice, then fine', plan: { kind: 'throttle', operations: ['TransactWriteItems'], times: 2 }, expect: 'created' },
    { name: 'throttled on every attempt', plan: { kind: 'throttle', operations: ['TransactWriteItems'], times: Infinity }, expect: 'failed' },
    { name: 'transaction conflict twice, then fine', plan: { kind: 'conflict', operations: ['TransactWriteItems'], times: 2 }, expect: 'created' },
    { name: 'transaction conflict on every attempt', plan: { kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }, expect: 'failed' },
    { name: 'response lost after the commit', plan: { kind: 'lostResponse', operations: ['TransactWriteItems'], times: 1 }, expect: 'created' },
  ];
  for (const scenario of cases) {
    it(`${scenario.name}: ${scenario.expect === 'created' ? 'one post, 201' : 'the generic 500, nothing written'}`, async () => {
      const user = await newUser();
      const content = `fault ${randomUUID()}`;
      const before = await postCount();
      const response = await withDbFaults([scenario.plan], async ([fault]) => {
        const result = await create(user, content);
        expect(fault!.injected).toBeGreaterThan(0);
        return result;
      });
      if (scenario.expect === 'created') {
        expect(response.status).toBe(201);
        expect(response.body.content).toBe(content);
        expect(await feedBodiesWith(content)).toHaveLength(1);
        expect(await postCount()).toBe(before + 1);
      } else {
        expect(response.status).toBe(500);
        expect(response.body).toEqual(INTERNAL);
        expect(await feedBodiesWith(content)).toHaveLength(0);
        expect(await postCount()).toBe(before);
      }
      await drain();
      expect((await auditTable(db, TABLE)).problems).toEqual([]);
    });
  }
});

/** Every object in the media bucket (the exclusive twin's: nothing else writes meanwhile). */
async function mediaObjects(): Promise<string[]> {
  const { endpoints, region, bucket } = twin();
  const s3 = new S3Client({ region, endpoint: endpoints.s3, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function multipart(fields: Record<string, string | Blob>): Promise<{ raw: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value as string);
  const request = new Request('http://multipart.invalid/', { method: 'POST', body: form });
  return { raw: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } };
}

describe('DynamoDB faults in the other write paths', () => {
  it('a create with media that fails in DynamoDB removes the stored file again', async () => {
    const user = await newUser();
    const before = await mediaObjects();
    const body = await multipart({ content: 'with media', media_type: 'image', media: new Blob([PNG_1x1], { type: 'image/png' }) });
    const response = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }], () =>
      invokeHttp(createHandler, { method: 'POST', path: '/api/ventroom/posts/', user, ...body }),
    );
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL);
    expect(await mediaObjects()).toEqual(before);
  });

  it('a comment with media that fails in DynamoDB removes the stored file again', async () => {
    const user = await newUser();
    const post = await createPost(user, { content: 'commented' });
    const before = await mediaObjects();
    const body = await multipart({ text: 'with media', media_type: 'image', media: new Blob([PNG_1x1], { type: 'image/png' }) });
    const response = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }], () =>
      invokeHttp(createCommentHandler, { method: 'POST', path: `/api/ventroom/posts/${post.id}/comments/`, pathParameters: { post_id: String(post.id) }, user, ...body }),
    );
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL);
    expect(await mediaObjects()).toEqual(before);
  });

  it('update: throttled twice succeeds; throttled always fails cleanly and changes nothing', async () => {
    const user = await newUser();
    const post = await createPost(user, { content: 'original' });
    const path = `/api/ventroom/posts/${post.id}/`;
    const update = (content: string) =>
      invokeHttp(updateHandler, { method: 'PATCH', path, pathParameters: { post_id: String(post.id) }, user, json: { content } });
    // The first UpdateItem is the rate limit's; the post's own update comes after the read.
    const onPost = (input: Record<string, any>) => input.Key?.sk?.S === feedKeys.post(post.id).sk;
    const retried = await withDbFaults([{ kind: 'throttle', operations: ['UpdateItem'], when: onPost, times: 2 }], () => update('edited'));
    expect(retried.status).toBe(200);
    expect(retried.body.content).toBe('edited');
    const failed = await withDbFaults([{ kind: 'throttle', operations: ['UpdateItem'], when: onPost, times: Infinity }], () => update('never'));
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual(INTERNAL);
    expect((await call('GET', path, { user })).body.content).toBe('edited');
  });

  for (const kind of ['conflict', 'lostResponse'] as const) {
    it(`delete under ${kind === 'conflict' ? 'a transaction conflict' : 'a response lost after the commit'}: 204 and the feed count drops by exactly one`, async () => {
      const user = await newUser();
      const post = await createPost(user);
      await drain();
      const before = await postCount();
      const response = await withDbFaults([{ kind, operations: ['TransactWriteItems'], times: kind === 'conflict' ? 3 : 1 }], ([fault]) =>
        invokeHttp(deleteHandler, { method: 'DELETE', path: `/api/ventroom/posts/${post.id}/`, pathParameters: { post_id: String(post.id) }, user }).then(
          (result) => {
            expect(fault!.injected).toBe(kind === 'conflict' ? 3 : 1);
            return result;
          },
        ),
      );
      expect(response.status).toBe(204);
      expect(await postCount()).toBe(before - 1);
      await drain();
      expect((await auditTable(db, TABLE)).problems).toEqual([]);
    });
  }

  it('a transaction conflict that never ends is given up after five attempts', async () => {
    const user = await newUser();
    const response = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }], async ([fault]) => {
      const result = await create(user, 'never');
      expect(fault!.injected).toBe(5);
      return result;
    });
    expect(response.status).toBe(500);
  });
});

function viewsMessage(userId: string, postIds: number[]) {
  return JSON.stringify({ user_id: userId, post_ids: postIds, viewed_at: new Date().toISOString() });
}

async function storedViews(postId: number): Promise<number> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: feedKeys.postStats(postId), ConsistentRead: true }));
  return Item?.views as number;
}

describe('worker crashes and redelivery', () => {
  it('views worker dies right after its transaction: the redelivered batch counts nothing twice', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const viewers = await Promise.all([newUser(), newUser(), newUser()]);
    const watcher = await WsClient.connect(await newUser());
    await watcher.request({ type: 'join_ventroom_post', data: { post_id: post.id } }, 'ventroom_post_joined');
    const event = sqsEvent(viewers.map((viewer) => viewsMessage(viewer.id, [post.id])));
    const first = await withDbFaults([{ kind: 'crash', operations: ['TransactWriteItems'], times: 1 }], ([fault]) =>
      invokeWorker('ViewsCounter', viewsWorker, event).then((result) => {
        expect(fault!.injected).toBe(1);
        return result;
      }),
    );
    // The crash surfaced as a failure of every message that named the post: SQS will redeliver them.
    expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(event.Records.map((r) => r.messageId).sort());
    expect(await storedViews(post.id)).toBe(3);
    for (let delivery = 2; delivery <= 4; delivery++) {
      const again = await invokeWorker('ViewsCounter', viewsWorker, { Records: event.Records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: String(delivery) } })) });
      expect(again.batchItemFailures).toEqual([]);
    }
    expect(await storedViews(post.id)).toBe(3);
    await drain();
    expect((await auditTable(db, TABLE)).problems).toEqual([]);
    // The crashed invocation broadcast nothing; the redeliveries send the count it never sent.
    // (The counter flush is a delayed job, which a drain does not wait for.)
    const updates = () => watcher.received.filter((m) => m.type === 'ventroom_post_view_updated' && m.data.post_id === post.id);
    await expect.poll(() => updates().length).toBeGreaterThanOrEqual(1);
    expect(updates().every((m) => m.data.views === 3)).toBe(true);
    await watcher.close();
  });

  it('views worker under transaction conflicts and throttling: retried, then counted once', async () => {
    const post = await createPost(await newUser());
    const viewer = await newUser();
    const result = await withDbFaults(
      [
        { kind: 'conflict', operations: ['TransactWriteItems'], times: 4 },
        { kind: 'throttle', operations: ['TransactWriteItems'], times: 2 },
      ],
      () => invokeWorker('ViewsCounter', viewsWorker, sqsEvent([viewsMessage(viewer.id, [post.id]), viewsMessage(viewer.id, [post.id])])),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(await storedViews(post.id)).toBe(1);
  });

  it('views under endless conflicts: five transactions (db.ts\'s attempts, nothing stacked on top), then the message fails', async () => {
    const post = await createPost(await newUser());
    const event = sqsEvent([viewsMessage((await newUser()).id, [post.id])]);
    const result = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }], async ([fault]) => {
      const outcome = await invokeWorker('ViewsCounter', viewsWorker, event);
      expect(fault!.injected).toBe(5);
      return outcome;
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
    expect(await storedViews(post.id)).toBe(0);
  });

  it('a post whose views keep failing fails only its own messages; the rest of the batch commits', async () => {
    const [healthy, sick] = [await createPost(await newUser()), await createPost(await newUser())];
    const viewer = await newUser();
    const sickKey = feedKeys.postStats(sick.id).sk;
    const event = sqsEvent([viewsMessage(viewer.id, [healthy.id]), viewsMessage(viewer.id, [sick.id])]);
    const result = await withDbFaults(
      [{ kind: 'throttle', operations: ['TransactWriteItems'], times: Infinity, when: (input) => JSON.stringify(input).includes(sickKey) }],
      () => invokeWorker('ViewsCounter', viewsWorker, event),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.messageId }]);
    expect(await storedViews(healthy.id)).toBe(1);
    expect(await storedViews(sick.id)).toBe(0);
    const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: userStateKeys.post(viewer.id, sick.id), ConsistentRead: true }));
    expect(Item?.viewed_at).toBeUndefined();
    // Redelivered without the fault, it is counted.
    expect((await invokeWorker('ViewsCounter', viewsWorker, { Records: [event.Records[1]!] })).batchItemFailures).toEqual([]);
    expect(await storedViews(sick.id)).toBe(1);
  });

  it('cleanup worker dies half-way through a deleted post: the redelivered job removes the rest', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const viewers = await Promise.all(Array.from({ length: 30 }, () => newUser()));
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent(viewers.map((viewer) => viewsMessage(viewer.id, [post.id]))));
    expect(await storedViews(post.id)).toBe(30);
    // Delete the post's own items as the handler does, but run its cleanup here, in-process.
    const { removePost } = await import('../../lambdas/repositories/posts.ts');
    expect(await removePost(post.id)).toBe(true);
    const job = sqsEvent([JSON.stringify({ kind: 'post', post_id: post.id, media_key: null })]);
    const first = await withDbFaults([{ kind: 'crash', operations: ['BatchWriteItem'], times: 1 }], () => invokeWorker('Cleanup', cleanupWorker, job));
    expect(first.batchItemFailures).toHaveLength(1);
    expect((await auditTable(db, TABLE)).leftovers.some((key) => key.includes(String(post.id).padStart(12, '0')))).toBe(true);
    expect((await invokeWorker('Cleanup', cleanupWorker, job)).batchItemFailures).toEqual([]);
    const audit = await auditTable(db, TABLE);
    expect(audit.leftovers.filter((key) => key.includes(String(post.id).padStart(12, '0')))).toEqual([]);
    expect(audit.problems).toEqual([]);
  });
});

async function delayedCleanups(): Promise<number> {
  const { Attributes } = await queueClient(twin()).send(
    new GetQueueAttributesCommand({ QueueUrl: twin().queues.main.cleanup, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
}

const itemsOfPost = async (postId: number) => {
  const padded = String(postId).padStart(12, '0');
  return (await scanTable(db, TABLE)).filter((item) => item.pk === `POST#${padded}` || (item.pk.startsWith('USER#') && item.sk.startsWith(`P#${padded}`)));
};

describe('a request that dies between its steps leaves nothing behind for good', () => {
  it('delete dies right after the post\'s transaction: the late cleanup pass booked before it removes every leftover', async () => {
    const author = await newUser();
    const post = await createPost(author);
    await comment(await newUser(), post.id, 'left behind?');
    await invokeWorker('ViewsCounter', viewsWorker, sqsEvent([viewsMessage((await newUser()).id, [post.id])]));
    await drain();
    expect((await itemsOfPost(post.id)).length).toBeGreaterThan(3);
    const delayed = await delayedCleanups();
    const response = await withDbFaults([{ kind: 'crash', operations: ['TransactWriteItems'], times: 1 }], () =>
      invokeHttp(deleteHandler, { method: 'DELETE', path: `/api/ventroom/posts/${post.id}/`, pathParameters: { post_id: String(post.id) }, user: author }),
    );
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL);
    expect(await findPostStats(post.id)).toBeUndefined();
    // No immediate pass was sent (the request died); the late one was booked before the delete.
    expect(await delayedCleanups()).toBe(delayed + 1);
    expect((await itemsOfPost(post.id)).length).toBeGreaterThan(0);
    // What SQS delivers 15 minutes later:
    const late = sqsEvent([JSON.stringify({ kind: 'post', post_id: post.id, media_key: null })]);
    expect((await invokeWorker('Cleanup', cleanupWorker, late)).batchItemFailures).toEqual([]);
    expect(await itemsOfPost(post.id)).toEqual([]);
  });

  it('a late pass booked for a delete that then failed leaves the living post alone', async () => {
    const author = await newUser();
    const post = await createPost(author);
    await comment(await newUser(), post.id, 'still here');
    const response = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }], () =>
      invokeHttp(deleteHandler, { method: 'DELETE', path: `/api/ventroom/posts/${post.id}/`, pathParameters: { post_id: String(post.id) }, user: author }),
    );
    expect(response.status).toBe(500);
    const before = await itemsOfPost(post.id);
    const late = sqsEvent([JSON.stringify({ kind: 'post', post_id: post.id, media_key: null })]);
    expect((await invokeWorker('Cleanup', cleanupWorker, late)).batchItemFailures).toEqual([]);
    expect(await itemsOfPost(post.id)).toEqual(before);
    expect((await call('GET', `/api/ventroom/posts/${post.id}/`, { user: author })).body.comment_count).toBe(1);
  });
});

async function findPostStats(postId: number) {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: feedKeys.postStats(postId), ConsistentRead: true }));
  return Item;
}

describe('faults in comments, reactions and notifications', () => {
  it('a comment under transaction conflicts is created once; under endless conflicts, not at all', async () => {
    const post = await createPost(await newUser());
    const user = await newUser();
    const create = (text: string) =>
      invokeHttp(createCommentHandler, { method: 'POST', path: `/api/ventroom/posts/${post.id}/comments/`, pathParameters: { post_id: String(post.id) }, user, json: { text } });
    const ok = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: 3 }], () => create('conflicted'));
    expect(ok.status).toBe(201);
    const failed = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }], () => create('never'));
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual(INTERNAL);
    const lost = await withDbFaults([{ kind: 'lostResponse', operations: ['TransactWriteItems'], times: 1 }], () => create('lost answer'));
    expect(lost.status).toBe(201);
    const page = await call('GET', `/api/ventroom/posts/${post.id}/comments/`, { user });
    expect(page.body.results.map((c: { text: string }) => c.text).sort()).toEqual(['conflicted', 'lost answer']);
    expect((await call('GET', `/api/ventroom/posts/${post.id}/`, { user })).body.comment_count).toBe(2);
    await drain();
    expect((await auditTable(db, TABLE)).problems).toEqual([]);
  });

  it('a reaction whose answer is lost, or that meets conflicts and throttling, counts once', async () => {
    const post = await createPost(await newUser());
    const users = [await newUser(), await newUser(), await newUser()];
    const react = (user: TestUser, type: string) =>
      invokeHttp(reactionHandler, { method: 'POST', path: '/api/ventroom/reactions/', user, json: { content_type: 'ventpost', object_id: post.id, reaction_type: type } });
    const plans: FaultPlan[][] = [
      [{ kind: 'lostResponse', operations: ['TransactWriteItems'], times: 1 }],
      // Four: the most db.ts's five attempts absorb (nothing retries conflicts on top of them).
      [{ kind: 'conflict', operations: ['TransactWriteItems'], times: 4 }],
      [{ kind: 'throttle', operations: ['TransactWriteItems'], times: 2 }],
    ];
    for (const [index, user] of users.entries()) {
      const response = await withDbFaults(plans[index]!, () => react(user, '👍'));
      expect(response.status).toBe(201);
    }
    // A change of type under a lost answer moves the counters once.
    expect((await withDbFaults([{ kind: 'lostResponse', operations: ['TransactWriteItems'], times: 1 }], () => react(users[0]!, '😂'))).status).toBe(201);
    const seen = await call('GET', `/api/ventroom/posts/${post.id}/`, { user: users[0] });
    expect(seen.body.reaction_summary).toEqual([{ reaction_type: '👍', count: 2 }, { reaction_type: '😂', count: 1 }]);
    expect(seen.body.user_reaction).toBe('😂');
    await drain();
    expect((await auditTable(db, TABLE)).problems).toEqual([]);
  });

  it('a reaction under endless conflicts gives up after db.ts\'s five attempts, with no retries stacked on top', async () => {
    const post = await createPost(await newUser());
    const user = await newUser();
    const response = await withDbFaults([{ kind: 'conflict', operations: ['TransactWriteItems'], times: Infinity }], async ([fault]) => {
      const result = await invokeHttp(reactionHandler, { method: 'POST', path: '/api/ventroom/reactions/', user, json: { content_type: 'ventpost', object_id: post.id, reaction_type: '👍' } });
      expect(fault!.injected).toBe(5);
      return result;
    });
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL);
    expect((await call('GET', `/api/ventroom/posts/${post.id}/`, { user })).body).toMatchObject({ reaction_summary: [], user_reaction: null });
  });

  it('notifications worker dies after storing the in-app item: redelivered, it pushes once more and stores nothing twice', async () => {
    const recipient = await newUser();
    const at = new Date().toISOString();
    const notification = { id: `fault-${randomUUID()}`, recipient_id: recipient.id, title: 'New Comment', message: 'X commented on your post.', data: { post_id: 1 }, created_at: at };
    const event = sqsEvent([JSON.stringify({ notifications: [notification] })]);
    const first = await withDbFaults([{ kind: 'crash', operations: ['TransactWriteItems'], times: 1 }], () => invokeWorker('Notifications', notificationsWorker, event));
    expect(first.batchItemFailures).toHaveLength(1);
    const stored = async () => (await scanTable(db, TABLE)).filter((item) => item.pk === `USER#${recipient.id}` && item.sk.startsWith('N#'));
    expect((await stored()).map((item) => item.push)).toEqual(['pending']);
    for (let delivery = 0; delivery < 3; delivery++) expect((await invokeWorker('Notifications', notificationsWorker, event)).batchItemFailures).toEqual([]);
    const items = await stored();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: notification.id, push: 'sent' });
  });
});
