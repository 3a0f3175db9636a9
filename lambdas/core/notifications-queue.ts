import { logger } from './logger.ts';
import { queueSender } from './sqs.ts';

/**
 * A notification for one recipient: kept in their in-app list and, unless throttled, pushed through
 * the notifications topic. `id` is derived from the event that caused it, so however often the
 * message is delivered, the recipient gets it once.
 */
export interface Notification {
  id: string;
  recipient_id: string;
  title: string;
  message: string;
  data: Record<string, unknown>;
  /** When the causing event happened (ISO, UTC): orders the in-app list and survives redelivery. */
  created_at: string;
}

/** One request's notifications travel together: one SQS call per request at most. */
export interface NotificationsMessage {
  notifications: Notification[];
}

const send = queueSender<NotificationsMessage>('notifications');

/**
 * Hands notifications to the notifications worker without waiting for delivery. It never throws:
 * the write that caused them has committed, and a client must not see an error for it.
 */
export async function enqueueNotifications(notifications: Notification[]): Promise<void> {
  if (notifications.length === 0) return;
  try {
    await send({ notifications });
  } catch (error) {
    logger.error('Could not enqueue notifications; they are lost', { error: error as Error, ids: notifications.map((n) => n.id) });
  }
}
