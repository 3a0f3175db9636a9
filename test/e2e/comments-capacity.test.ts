import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../lambdas/core/auth.ts';
import { newMeter, withCapacityMeter, type CapacityMeter } from '../../lambdas/core/db.ts';
import { pageParams } from '../../lambdas/core/pagination.ts';
import type { CommentDto } from '../../lambdas/domain/comment-dto.ts';
import { postWithComments } from '../../lambdas/domain/comment-reads.ts';
import { createComment } from '../../lambdas/domain/comment-create.ts';
import { createPost } from '../../lambdas/domain/post-create.ts';
import { react } from '../../lambdas/domain/reactions.ts';

const person = (name: string): Principal => ({ id: randomUUID(), displayName: name, profilePhoto: `https://example.com/${name}.jpg`, isAdmin: false });
const url = (query: Record<string, string | number | undefined>) => `https://api.example.com/api/ventroom/posts/1/with_comments/?${new URLSearchParams(query as Record<string, string>)}`;
const sentence = (n: number) => `Comment number ${n}: ${'I really feel this, thank you for sharing it with all of us here. '.repeat(2)}`;

async function metered<T>(work: () => Promise<T>): Promise<{ result: T; meter: CapacityMeter }> {
  const meter = newMeter();
  const result = await withCapacityMeter(meter, work);
  return { result, meter };
}

const row = (what: string, meter: CapacityMeter) =>
  `${what.padEnd(58)} ${String(meter.calls).padStart(5)} ${meter.readUnits.toFixed(1).padStart(6)} ${meter.writeUnits.toFixed(1).padStart(6)}  ${meter.operations.join(', ')}`;

/**
 * What the comment screen and a reaction change cost in DynamoDB (ReturnConsumedCapacity, as AWS
 * bills it), measured around the domain calls (the HTTP handler adds one rate-limit write, 1 WCU).
 * The call counts are asserted: they are the design.
 */
describe('capacity: comment screen and reaction change', () => {
  it('measures a page of 20 comments with replies and one reaction change', async () => {
    const owner = person('owner');
    const readers = Array.from({ length: 4 }, (_, i) => person(`reader${i}`));
    const post = await createPost(owner, { title: 'Measured', content: 'A post whose comment screen is measured.' });
    const roots: CommentDto[] = [];
    for (let n = 0; n < 22; n++) roots.push(await createComment(readers[n % 4]!, post.id, { text: sentence(n) }));
    for (const root of roots.slice(-20)) {
      for (let r = 0; r < 4; r++) await createComment(readers[(r + 1) % 4]!, post.id, { text: `Reply ${r}: me too.`, parent: root.id });
    }
    const viewer = readers[0]!;
    for (const root of roots.slice(-20).filter((_, i) => i % 3 === 0)) await react(viewer, { contentType: 'ventcomment', objectId: root.id, reaction: '❤️' });
    await react(viewer, { contentType: 'ventpost', objectId: post.id, reaction: '👍' });

    const page = await metered(() => postWithComments(viewer, post.id, pageParams({}), url, {}));
    expect(page.result.comments.results).toHaveLength(20);
    expect(page.result.comments.results.every((c) => c.replies.length === 3)).toBe(true);
    expect(page.result.comments.count).toBe(22);
    expect(page.meter.operations.sort()).toEqual(['Query', 'Query', 'Query', 'Query']);

    const next = page.result.comments.next!;
    const second = await metered(() => postWithComments(viewer, post.id, pageParams(Object.fromEntries(new URL(next).searchParams)), url, {}));
    expect(second.result.comments.results).toHaveLength(2);

    const postChange = await metered(() => react(viewer, { contentType: 'ventpost', objectId: post.id, reaction: '😂' }));
    expect(postChange.meter.operations).toEqual(['GetItem', 'TransactWriteItems', 'Query']);
    const commentChange = await metered(() => react(viewer, { contentType: 'ventcomment', objectId: roots[21]!.id, reaction: '😢' }));
    expect(commentChange.meter.operations.sort()).toEqual(['GetItem', 'GetItem', 'GetItem', 'GetItem', 'TransactWriteItems']);
    const firstReaction = await metered(() => react(readers[1]!, { contentType: 'ventpost', objectId: post.id, reaction: '😂' }));
    const repeat = await metered(() => react(readers[1]!, { contentType: 'ventpost', objectId: post.id, reaction: '😂' }));
    expect(repeat.meter.operations).toEqual(['GetItem']);

    const topLevel = await metered(() => createComment(readers[2]!, post.id, { text: sentence(99) }));
    const reply = await metered(() => createComment(readers[3]!, post.id, { text: 'A reply.', parent: roots[21]!.id }));

    console.log(
      [
        `${'operation'.padEnd(58)} ${'calls'.padStart(5)} ${'RCU'.padStart(6)} ${'WCU'.padStart(6)}  DynamoDB calls`,
        row('with_comments page 1 (20 comments x 3 preview replies)', page.meter),
        row('with_comments page 2 via cursor (2 comments)', second.meter),
        row('reaction change on a post (👍 -> 😂)', postChange.meter),
        row('reaction change on a comment (❤️ -> 😢)', commentChange.meter),
        row('first reaction on a post (with reactor index)', firstReaction.meter),
        row('same reaction again (no-op)', repeat.meter),
        row('create top-level comment', topLevel.meter),
        row('create reply', reply.meter),
      ].join('\n'),
    );
  }, 120_000);
});
