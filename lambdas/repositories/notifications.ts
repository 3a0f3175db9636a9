import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, conditionFailedAt, db, isConditionFailure } from '../core/db.ts';
import { userStateKeys } from '../core/keys.ts';
import type { Notification } from '../core/notifications-queue.ts';
import { rateWindowUpdate } from '../core/rate-limit.ts';

/** What became of a notification's push. */
export type PushState = 'pending' | 'sent' | 'throttled';

export interface StoredNotification extends Notification {
  push: PushState;
}

export interface PushPolicy {
  /** Pushes per recipient per one-minute window; past it, notifications are kept in-app only. */
  perMinute: number;
  /** How long an in-app notification is kept (TTL). */
  retentionSeconds: number;
}

const PUSH_CLASS = 'push';

function keyOf(notification: Notification) {
  return userStateKeys.notification(notification.recipient_id, notification.created_at, notification.id);
}

function itemOf(notification: Notification, push: PushState, policy: PushPolicy) {
  return {
    ...keyOf(notification),
    id: notification.id,
    title: notification.title,
    message: notification.message,
    data: notification.data,
    created_at: notification.created_at,
    push,
    ttl: Math.floor(Date.parse(notification.created_at) / 1000) + policy.retentionSeconds,
  };
}

/**
 * Keeps the notification in the recipient's in-app list and takes one push from their budget for
 * the current minute, both in one transaction. Answers whether the caller should push it now:
 * 'push' for a new one within budget (or one stored earlier whose push never completed),
 * 'throttled' when over budget (kept in-app only), 'done' when a redelivery finds it handled.
 */
export async function recordNotification(notification: Notification, policy: PushPolicy, now = Date.now()): Promise<'push' | 'throttled' | 'done'> {
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: itemOf(notification, 'pending', policy), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Update: rateWindowUpdate(notification.recipient_id, PUSH_CLASS, policy.perMinute, now) },
        ],
      }),
    );
    return 'push';
  } catch (error) {
    if (conditionFailedAt(error, 0)) {
      const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: keyOf(notification), ConsistentRead: true }));
      return Item?.push === 'pending' ? 'push' : 'done';
    }
    if (!conditionFailedAt(error, 1)) throw error;
  }
  try {
    await db.send(
      new PutCommand({ TableName: TABLE, Item: itemOf(notification, 'throttled', policy), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return 'throttled';
}

export async function markPushed(notification: Notification): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: keyOf(notification),
      UpdateExpression: 'SET #push = :sent',
      ExpressionAttributeNames: { '#push': 'push' },
      ExpressionAttributeValues: { ':sent': 'sent' },
    }),
  );
}

/** A user's in-app notifications, newest first. */
export async function recentNotifications(userId: string, limit = 50): Promise<StoredNotification[]> {
  const result = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userStateKeys.partition(userId), ':prefix': userStateKeys.notificationPrefix },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    id: item.id as string,
    recipient_id: userId,
    title: item.title as string,
    message: item.message as string,
    data: item.data as Record<string, unknown>,
    created_at: item.created_at as string,
    push: item.push as PushState,
  }));
}
