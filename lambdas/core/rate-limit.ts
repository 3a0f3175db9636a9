import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { addIssue, envFlag, readEnv } from './config.ts';
import { TABLE, db, isConditionFailure, writeIf } from './db.ts';
import { ThrottledError } from './errors.ts';
import { rateKeys } from './keys.ts';
import { parseRateLimits } from './rate-limit-spec.ts';
import type { RateClass } from '../manifest.ts';

const config = readEnv({
  RATE_LIMITS_ENABLED: envFlag(true),
  /** Requests per minute per user and class, e.g. `standard=100,create=20,reaction=60` (the spec's numbers). */
  RATE_LIMITS: z.pipe(
    z.optional(z.string()),
    z.transform((text: string | undefined, ctx) => {
      try {
        return parseRateLimits(text);
      } catch (error) {
        return addIssue(ctx, (error as Error).message);
      }
    }),
  ),
});

const WINDOW_SECONDS = 60;

const windowStart = (nowSeconds: number) => nowSeconds - (nowSeconds % WINDOW_SECONDS);

/**
 * Counts one event of `userId` in the current fixed one-minute window of `rateClass`, under a
 * condition that fails once `limit` are counted: the count and the check are one atomic write, so
 * parallel writers cannot overshoot. An UpdateCommand's input, or a transaction's Update as it is.
 */
export function rateWindowUpdate(userId: string, rateClass: string, limit: number, now: number) {
  const start = windowStart(Math.floor(now / 1000));
  return {
    TableName: TABLE,
    Key: rateKeys.window(userId, rateClass, start),
    UpdateExpression: 'ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)',
    ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
    ExpressionAttributeNames: { '#n': 'n', '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': start + 2 * WINDOW_SECONDS },
  };
}

/**
 * Counts one message of a WebSocket connection (its id is the subject: the budget is the
 * connection's, whoever owns it); false once the minute's budget is spent.
 */
export async function consumeSocketBudget(connectionId: string, now = Date.now()): Promise<boolean> {
  if (!config.RATE_LIMITS_ENABLED) return true;
  return writeIf(new UpdateCommand(rateWindowUpdate(connectionId, 'socket', config.RATE_LIMITS.socket, now)));
}

/** Counts one request of `userId` in its class's current window and refuses it once the window's budget is spent. */
export async function consumeRateLimit(userId: string, rateClass: RateClass, now = Date.now()): Promise<void> {
  if (rateClass === 'none' || !config.RATE_LIMITS_ENABLED) return;
  try {
    await db.send(new UpdateCommand(rateWindowUpdate(userId, rateClass, config.RATE_LIMITS[rateClass], now)));
  } catch (error) {
    if (isConditionFailure(error)) {
      const nowSeconds = Math.floor(now / 1000);
      throw new ThrottledError(Math.max(1, windowStart(nowSeconds) + WINDOW_SECONDS - nowSeconds));
    }
    throw error;
  }
}
