import { randomUUID } from 'node:crypto';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../lambdas/core/notifications-queue.ts';
import { recentNotifications, recordNotification } from '../../lambdas/repositories/notifications.ts';
import { handler as notificationsWorker } from '../../lambdas/workers/notifications.ts';
import { createPost, drain, newUser, twin } from '../support/api.ts';
import { comment, inParallel, react } from '../support/comments.ts';
import { invokeWorker } from '../support/lambda-events.ts';

interface Push {
  recipient_id: string;
  title: string;
  message: string;
  data: Record<string, unknown>;
}

const clientConfig = (endpoint: string) => ({ region: twin().region, endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const sqs = new SQSClient({ ...clientConfig(twin().endpoints.sqs), useQueueUrlAsEndpoint: false });
const sns = new SNSClient(clientConfig(twin().endpoints.sns));

/** A queue subscribed to the notifications topic, standing in for the mobile push fan-out. */
let queueUrl: string;
const received = new Map<string, Push[]>();

beforeAll(async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `push-probe-${randomUUID()}` }));
  queueUrl = QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn: twin().topicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn! }));
});

afterAll(() => {
  sqs.destroy();
  sns.destroy();
});

/** Reads the probe queue (SNS envelopes) into `received`, by recipient, until `done` or a timeout. */
async function collect(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body!) as { Type?: string; Message?: string };
      const push = JSON.parse(envelope.Message ?? message.Body!) as Push;
      received.set(push.recipient_id, [...(received.get(push.recipient_id) ?? []), push]);
    }
    if (Messages.length) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
  }
}

async function pushesFor(userId: string, atLeast: number): Promise<Push[]> {
  await collect(() => (received.get(userId)?.length ?? 0) >= atLeast);
  return received.get(userId) ?? [];
}

/** After the queues drain, nothing more arrives for this user (to tell "exactly n" from "at least n"). */
async function settledPushesFor(userId: string): Promise<Push[]> {
  await drain();
  await collect(() => false, 1500);
  return received.get(userId) ?? [];
}

describe('push notifications: SNS topic and in-app list', () => {
  it('a comment, a reply and reactions reach their owners as pushes and in-app items; nothing about oneself', async () => {
    const owner = await newUser({ displayName: 'Olga Owner' });
    const zoe = await newUser({ displayName: 'Zoë 🌟' });
    const post = await createPost(owner);
    const mine = await comment(owner, post.id, 'owner writes first');
    await react(owner, 'ventpost', post.id, '👍');
    const theirs = await comment(zoe, post.id, 'hello');
    const reply = await comment(zoe, post.id, 'answer', mine.id);
    await react(zoe, 'ventpost', post.id, '❤️');
    await react(zoe, 'ventcomment', mine.id, '😂');
    await comment(owner, post.id, 'and back', theirs.id);

    const toOwner = await pushesFor(owner.id, 4);
    expect(toOwner.map(({ title, message }) => [title, message]).sort()).toEqual(
      [
        ['New Comment', 'Zoë 🌟 commented on your post.'],
        ['New Reply', 'Zoë 🌟 replied to your comment.'],
        ['New Reaction', 'Zoë 🌟 reacted to your post.'],
        ['New Reaction', 'Zoë 🌟 reacted to your comment.'],
      ].sort(),
    );
    const replyPush = toOwner.find((push) => push.title === 'New Reply')!;
    expect(replyPush).toEqual({
      recipient_id: owner.id,
      title: 'New Reply',
      message: 'Zoë 🌟 replied to your comment.',
      data: { type: 'new_reply_on_user_comment', post_id: post.id, comment_id: reply.id, parent: mine.id, user_id: zoe.id },
    });
    expect(toOwner.find((push) => push.message.endsWith('your comment.') && push.title === 'New Reaction')!.data).toEqual({
      type: 'new_reaction_on_user_comment',
      content_type: 'ventcomment',
      object_id: mine.id,
      post_id: post.id,
      reaction_type: '😂',
      user_id: zoe.id,
    });
    const toZoe = await pushesFor(zoe.id, 1);
    expect(toZoe.map((push) => push.message)).toEqual(['Olga Owner replied to your comment.']);

    // Exactly these: the owner's own comment and reaction notified nobody; the reply to Zoë's comment
    // went to Zoë alone (the post owner wrote it).
    expect(await settledPushesFor(owner.id)).toHaveLength(4);
    expect(await settledPushesFor(zoe.id)).toHaveLength(1);

    const inApp = await recentNotifications(owner.id);
    expect(inApp).toHaveLength(4);
    expect(inApp.every((n) => n.push === 'sent')).toBe(true);
    expect(inApp.map((n) => n.created_at)).toEqual([...inApp.map((n) => n.created_at)].sort().reverse());
    expect(inApp.find((n) => n.title === 'New Reply')).toMatchObject({ message: 'Zoë 🌟 replied to your comment.', data: replyPush.data, id: `c${reply.id}-reply` });
    expect(await recentNotifications(zoe.id)).toHaveLength(1);
  });

  it('throttles pushes per recipient per minute but keeps every notification in-app', async () => {
    const owner = await newUser();
    const post = await createPost(owner);
    const fans = await inParallel(Array.from({ length: 13 }, () => () => newUser()), 13);
    await inParallel(fans.map((fan) => () => react(fan, 'ventpost', post.id, '👍')), 13);
    await drain();
    const inApp = await recentNotifications(owner.id);
    expect(inApp).toHaveLength(13);
    // The default budget is 10 pushes per recipient per minute (NOTIFICATIONS_PUSH_PER_MINUTE); the
    // test may straddle a minute boundary, so allow a second window's worth, but never all of them
    // twice and never fewer than the first window's.
    const sent = inApp.filter((n) => n.push === 'sent').length;
    const throttled = inApp.filter((n) => n.push === 'throttled').length;
    expect(sent + throttled).toBe(13);
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(throttled).toBeGreaterThanOrEqual(sent === 10 ? 3 : 0);
    expect(await settledPushesFor(owner.id)).toHaveLength(sent);
  });

  it('is idempotent on redelivery, and completes a push that was stored but never sent', async () => {
    const recipient = await newUser();
    const notification: Notification = {
      id: `test-${randomUUID()}`,
      recipient_id: recipient.id,
      title: 'New Comment',
      message: 'Someone commented on your post.',
      data: { type: 'new_comment_on_user_post', post_id: 1, comment_id: 1, user_id: 'someone' },
      created_at: new Date().toISOString(),
    };
    const event = (body: unknown): SQSEvent => ({
      Records: [
        {
          messageId: randomUUID(),
          receiptHandle: 'r',
          body: JSON.stringify(body),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
          awsRegion: 'us-east-1',
        },
      ],
    });
    for (let delivery = 0; delivery < 3; delivery++) {
      const result = await invokeWorker('Notifications', notificationsWorker, event({ notifications: [notification] }));
      expect(result.batchItemFailures).toEqual([]);
    }
    expect(await recentNotifications(recipient.id)).toEqual([{ ...notification, push: 'sent' }]);
    expect(await settledPushesFor(recipient.id)).toHaveLength(1);

    // A crash after storing, before pushing: the redelivery pushes it (once) and marks it sent.
    const interrupted = { ...notification, id: `test-${randomUUID()}`, created_at: new Date(Date.now() + 1000).toISOString() };
    expect(await recordNotification(interrupted, { perMinute: 1000, retentionSeconds: 3600 })).toBe('push');
    expect((await recentNotifications(recipient.id))[0]).toMatchObject({ id: interrupted.id, push: 'pending' });
    await invokeWorker('Notifications', notificationsWorker, event({ notifications: [interrupted] }));
    await invokeWorker('Notifications', notificationsWorker, event({ notifications: [interrupted] }));
    expect((await recentNotifications(recipient.id)).map((n) => [n.id, n.push])).toEqual([
      [interrupted.id, 'sent'],
      [notification.id, 'sent'],
    ]);
    expect(await settledPushesFor(recipient.id)).toHaveLength(2);

    // A malformed message fails (and is retried, then dead-lettered), never half-handled.
    const failed = await invokeWorker('Notifications', notificationsWorker, event({ nothing: true }));
    expect(failed.batchItemFailures).toHaveLength(1);
  });
});
