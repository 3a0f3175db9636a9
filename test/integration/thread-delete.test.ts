import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { commentKeys, feedKeys } from '../../lambdas/core/keys.ts';
import { handler as deleteComment } from '../../lambdas/http/comments/delete.ts';
import { batchWrite, putRequest } from '../../lambdas/repositories/batch-write.ts';
import { commentItem, locationOf, lookupItem, type CommentRecord } from '../../lambdas/repositories/comment-items.ts';
import { findPostStats } from '../../lambdas/repositories/posts.ts';
import { call, createPost, newUser } from '../support/api.ts';
import { watchDbCalls } from '../support/db-calls.ts';
import { injectDbFault, type InjectedFault } from '../support/faults.ts';
import { invokeHttp } from '../support/lambda-events.ts';
import { watchSentMessages } from '../support/sent-messages.ts';

/**
 * Hardening item 4: deleting a big thread read the whole thread again for every 45-reply chunk
 * (quadratic, inside a 10 s timeout), and queued the cleanup of reactions and media only after the
 * last chunk, so a delete that died half-way left its deleted replies' media served forever.
 */
const REPLIES = 200;
let fault: InjectedFault | undefined;
afterEach(() => {
  fault?.remove();
  vi.restoreAllMocks();
});

/** A thread of `REPLIES` replies with media, written straight to the table (the API allows 20 creates a minute). */
async function bigThread(postId: number, rootId: number, author: { id: string; displayName: string }): Promise<string[]> {
  const now = new Date().toISOString();
  const base = 700_000_000 + (rootId % 10_000) * 1_000;
  const records: CommentRecord[] = Array.from({ length: REPLIES }, (_, i) => ({
    id: base + i, postId, parentId: rootId, rootId, author: { id: author.id, displayName: author.displayName, profilePhoto: null },
    text: `reply ${i}`, mediaKey: `vent_media/2026/12/${randomUUID()}.png`, mediaType: 'image', createdAt: now, updatedAt: now,
    replyCount: 0, version: 1, lastReplyId: null, reactions: {},
  }) as unknown as CommentRecord);
  await batchWrite(
    records.flatMap((record, i) => {
      const placement = i < 3 ? 'preview' : 'later';
      return [putRequest(commentItem(record, placement)), putRequest(lookupItem(locationOf(record, placement)))];
    }),
  );
  await db.send(new UpdateCommand({ TableName: TABLE, Key: commentKeys.topLevel(postId, rootId), UpdateExpression: 'SET reply_count = :n', ExpressionAttributeValues: { ':n': REPLIES } }));
  await db.send(new UpdateCommand({ TableName: TABLE, Key: feedKeys.postStats(postId), UpdateExpression: 'ADD comment_count :n', ExpressionAttributeValues: { ':n': REPLIES } }));
  return records.map((record) => record.mediaKey!);
}

/** The media keys of the comment cleanup jobs among `sent`, sorted. */
const cleanupMedia = (sent: { kind: string; media_keys?: string[] }[]) => sent.filter((job) => job.kind === 'comments').flatMap((job) => job.media_keys ?? []).sort();

describe('deleting a big thread (hardening item 4)', () => {
  it('reads the thread once, and hands each committed chunk to the cleanup even when a later chunk fails', async () => {
    const author = await newUser();
    const post = await createPost(author);
    const root = await call('POST', `/api/ventroom/posts/${post.id}/comments/`, { user: author, json: { text: 'a thread' } });
    expect(root.status).toBe(201);
    const media = await bigThread(post.id, root.body.id, author);
    const request = { method: 'DELETE', path: `/api/ventroom/posts/${post.id}/comments/${root.body.id}/`, pathParameters: { post_id: String(post.id), comment_id: String(root.body.id) }, user: author };

    // The third chunk's transaction fails for good (throttled on every attempt): the request fails.
    const queued = watchSentMessages<{ kind: string; media_keys?: string[] }>();
    const watch = watchDbCalls();
    fault = injectDbFault({ kind: 'throttle', operations: ['TransactWriteItems'], skip: 2, times: Infinity });
    const failed = await invokeHttp(deleteComment, request);
    watch.stop();
    fault.remove();
    expect(failed.status).toBe(500);
    // The newest 90 replies went in two chunks, and their media is already on its way out.
    expect(cleanupMedia(queued)).toEqual(media.slice(-90).sort());
    // One read of the thread (previews and later replies: two Queries), not one per chunk.
    const prefixOf = (input: Record<string, any>) => String(input.ExpressionAttributeValues?.[':prefix']?.S ?? input.ExpressionAttributeValues?.[':prefix'] ?? '');
    const threadReads = watch.calls.filter((c) => c.command === 'QueryCommand' && /^R/.test(prefixOf(c.input)));
    expect(threadReads).toHaveLength(2);

    // Asked again, the delete finishes: everything is gone and the post's count is exact.
    queued.length = 0;
    const done = await invokeHttp(deleteComment, request);
    expect(done.status).toBe(204);
    expect(cleanupMedia(queued)).toEqual(media.slice(0, -90).sort());
    expect((await findPostStats(post.id))?.commentCount).toBe(0);
  });
});
