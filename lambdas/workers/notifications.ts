import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { envInt, envString, readEnv } from '../core/config.ts';
import { logger } from '../core/logger.ts';
import type { Notification, NotificationsMessage } from '../core/notifications-queue.ts';
import { sqsConsumer } from '../core/sqs-batch.ts';
import { queueBody } from '../core/sqs.ts';
import { markPushed, recordNotification, type PushPolicy } from '../repositories/notifications.ts';

const config = readEnv({
  NOTIFICATIONS_TOPIC_ARN: envString(),
  /** Pushes per recipient per minute; the rest are kept in-app only ("throttle notifications"). */
  NOTIFICATIONS_PUSH_PER_MINUTE: envInt(10),
  NOTIFICATIONS_RETENTION_DAYS: envInt(90),
});

const policy: PushPolicy = {
  perMinute: config.NOTIFICATIONS_PUSH_PER_MINUTE,
  retentionSeconds: config.NOTIFICATIONS_RETENTION_DAYS * 24 * 3600,
};

const sns = new SNSClient({});

/** The push as subscribers (a mobile push fan-out, an e-mail digest) receive it. */
async function push(notification: Notification): Promise<void> {
  const { recipient_id, title, message, data } = notification;
  await sns.send(
    new PublishCommand({
      TopicArn: config.NOTIFICATIONS_TOPIC_ARN,
      // ASCII-escaped JSON: emulated SQS subscribers refuse some characters a display name may hold.
      Message: queueBody({ recipient_id, title, message, data }),
      // Lets a subscription filter by recipient without parsing the body.
      MessageAttributes: { recipient_id: { DataType: 'String', StringValue: recipient_id } },
    }),
  );
}

async function deliver(notification: Notification): Promise<void> {
  const decision = await recordNotification(notification, policy);
  if (decision !== 'push') return;
  await push(notification);
  await markPushed(notification);
}

function parse(body: string): Notification[] {
  const message = JSON.parse(body) as NotificationsMessage;
  if (!Array.isArray(message.notifications)) throw new Error('Malformed notifications message');
  return message.notifications;
}

/**
 * Keeps every notification in its recipient's in-app list and pushes it to the topic unless the
 * recipient already got their minute's worth. A redelivered message finds its notifications stored
 * and pushes only those whose push had not completed: in-app exactly once, push at least once.
 */
export const handler = sqsConsumer('Notifications', async (record) => {
  const notifications = parse(record.body);
  const results = await Promise.allSettled(notifications.map(deliver));
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    logger.error('Notification delivery failed', { errors: failures.map((failure) => String(failure.reason)) });
    throw failures[0]!.reason;
  }
});
