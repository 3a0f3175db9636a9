import type { CreateInvalidationCommandInput } from '@aws-sdk/client-cloudfront';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TABLE, db } from '../../lambdas/core/db.ts';
import { postPartitionKeys } from '../../lambdas/core/keys.ts';
import { newUser } from '../support/api.ts';
import { injectDbFault } from '../support/faults.ts';
import { invokeHttp, invokeWorker, sqsEvent } from '../support/lambda-events.ts';
import { pngOfSize } from '../support/media-samples.ts';

/**
 * Hardening item 8: media is cached for a year at the edge, so what a delete or an edit takes down
 * must be invalidated in CloudFront too. CloudFront has no emulator: the calls are recorded (and
 * answered) on the functions' own client; S3 is the real emulator.
 */
process.env.MEDIA_DISTRIBUTION_ID = 'E2TESTDISTRIBUTION';
const { cloudfront } = await import('../../lambdas/core/media-cdn.ts');
const { s3 } = await import('../../lambdas/core/media.ts');
const { handler: cleanup } = await import('../../lambdas/workers/cleanup.ts');
const { handler: createUpload } = await import('../../lambdas/http/uploads/create.ts');
const { handler: createPost } = await import('../../lambdas/http/posts/create.ts');
const { handler: updatePost } = await import('../../lambdas/http/posts/update.ts');
const { handler: createComment } = await import('../../lambdas/http/comments/create.ts');
const { handler: updateComment } = await import('../../lambdas/http/comments/update.ts');

const invalidations: CreateInvalidationCommandInput[] = [];
cloudfront.middlewareStack.add(
  () => async (args) => {
    invalidations.push(args.input as CreateInvalidationCommandInput);
    return { output: { $metadata: { httpStatusCode: 201 }, Invalidation: { Id: 'I1', Status: 'InProgress' } }, response: {} };
  },
  { step: 'initialize', name: 'record-invalidations' },
);

async function uploaded(user: Awaited<ReturnType<typeof newUser>>): Promise<string> {
  const png = pngOfSize(2048);
  const upload = await invokeHttp(createUpload, { method: 'POST', path: '/api/ventroom/uploads/', json: { size: png.length }, user });
  await fetch(upload.body.upload_url, { method: 'PUT', body: new Uint8Array(png) });
  return upload.body.media_key;
}

const storedKey = (mediaUrl: string) => decodeURIComponent(new URL(mediaUrl).pathname.replace(/^\/media\//, ''));
const exists = (key: string) => s3.send(new HeadObjectCommand({ Bucket: process.env.MEDIA_BUCKET, Key: key })).then(() => true, () => false);

describe('retracting media clears the edge cache (hardening item 8)', () => {
  it('an edit that replaces a post\'s media deletes the old file and invalidates its path', async () => {
    const user = await newUser();
    const created = await invokeHttp(createPost, { method: 'POST', path: '/api/ventroom/posts/', json: { content: 'v1', media_key: await uploaded(user), media_type: 'image' }, user });
    expect(created.status).toBe(201);
    const oldKey = storedKey(created.body.media);
    invalidations.length = 0;
    const edited = await invokeHttp(updatePost, {
      method: 'PATCH',
      path: `/api/ventroom/posts/${created.body.id}/`,
      pathParameters: { post_id: String(created.body.id) },
      json: { media_key: await uploaded(user), media_type: 'image' },
      user,
    });
    expect(edited.status).toBe(200);
    expect(await exists(oldKey)).toBe(false);
    expect(invalidations).toHaveLength(1);
    expect(invalidations[0]).toMatchObject({ DistributionId: 'E2TESTDISTRIBUTION', InvalidationBatch: { Paths: { Quantity: 1, Items: [`/${oldKey}`] } } });
  });

  it('a comment takes an upload in, and an edit that replaces it deletes the old file and invalidates its path', async () => {
    const user = await newUser();
    const post = await invokeHttp(createPost, { method: 'POST', path: '/api/ventroom/posts/', json: { content: 'with a thread' }, user });
    const comments = `/api/ventroom/posts/${post.body.id}/comments/`;
    const created = await invokeHttp(createComment, {
      method: 'POST',
      path: comments,
      pathParameters: { post_id: String(post.body.id) },
      json: { text: 'v1', media_key: await uploaded(user), media_type: 'image' },
      user,
    });
    expect(created.status).toBe(201);
    const oldKey = storedKey(created.body.media);
    invalidations.length = 0;
    const edited = await invokeHttp(updateComment, {
      method: 'PATCH',
      path: `${comments}${created.body.id}/`,
      pathParameters: { post_id: String(post.body.id), comment_id: String(created.body.id) },
      json: { media_key: await uploaded(user), media_type: 'image' },
      user,
    });
    expect(edited.status).toBe(200);
    expect(await exists(storedKey(edited.body.media))).toBe(true);
    expect(await exists(oldKey)).toBe(false);
    expect(invalidations).toHaveLength(1);
    expect(invalidations[0]).toMatchObject({ InvalidationBatch: { Paths: { Quantity: 1, Items: [`/${oldKey}`] } } });
  });

  it('a cleanup job deletes its media and invalidates all of it in one call; a redelivery repeats the same caller reference', async () => {
    const user = await newUser();
    const keys: string[] = [];
    for (const content of ['a', 'b']) {
      const created = await invokeHttp(createPost, { method: 'POST', path: '/api/ventroom/posts/', json: { content, media_key: await uploaded(user), media_type: 'image' }, user });
      keys.push(storedKey(created.body.media));
    }
    invalidations.length = 0;
    const job = JSON.stringify({ kind: 'comments', post_id: 1, comment_ids: [], media_keys: keys });
    for (let delivery = 0; delivery < 2; delivery++) {
      const result = await invokeWorker('Cleanup', cleanup, sqsEvent([job]));
      expect(result.batchItemFailures).toEqual([]);
    }
    for (const key of keys) expect(await exists(key)).toBe(false);
    expect(invalidations).toHaveLength(2);
    expect(invalidations[0]!.InvalidationBatch!.Paths).toEqual({ Quantity: 2, Items: keys.map((key) => `/${key}`).sort() });
    expect(invalidations[1]!.InvalidationBatch!.CallerReference).toBe(invalidations[0]!.InvalidationBatch!.CallerReference);
  });

  it('a post cleanup takes the media down first: a job that fails later (here: its index deletes) leaves nothing served', async () => {
    const user = await newUser();
    const created = await invokeHttp(createPost, { method: 'POST', path: '/api/ventroom/posts/', json: { content: 'gone soon', media_key: await uploaded(user), media_type: 'image' }, user });
    const key = storedKey(created.body.media);
    // As if the post were deleted: a post id that does not exist, with a viewer log left behind.
    const postId = 880_000_000 + (created.body.id % 1_000_000);
    await db.send(new PutCommand({ TableName: TABLE, Item: { ...postPartitionKeys.viewerLog(postId, 'batch-1'), user_ids: new Set([user.id]) } }));
    const fault = injectDbFault({ kind: 'throttle', operations: ['BatchWriteItem'], times: Infinity });
    try {
      const result = await invokeWorker('Cleanup', cleanup, sqsEvent([JSON.stringify({ kind: 'post', post_id: postId, media_key: key })]));
      expect(result.batchItemFailures).toHaveLength(1);
    } finally {
      fault.remove();
    }
    expect(await exists(key)).toBe(false);
    expect((await invokeWorker('Cleanup', cleanup, sqsEvent([JSON.stringify({ kind: 'post', post_id: postId, media_key: key })]))).batchItemFailures).toEqual([]);
  });
});
