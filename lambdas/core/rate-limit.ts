import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { addIssue, envFlag, readEnv } from './config.ts';
import { TABLE, db, isConditionFailure } from './db.ts';
import { ThrottledError } from './errors.ts';
import { rateKeys } from './keys.ts';
import type { RateClass } from '../manifest.ts';

const limitsSchema = z.pipe(
  z.optional(z.string()),
  z.transform((text: string | undefined, ctx) => {
    const limits: Record<Exclude<RateClass, 'none'>, number> = { standard: 100, create: 20, reaction: 60 };
    for (const part of (text ?? '').split(',').filter(Boolean)) {
      const [name, value] = part.split('=').map((s) => s.trim());
      const n = Number(value);
      if (!name || !(name in limits) || !Number.isInteger(n) || n < 1) {
        return addIssue(ctx, `bad entry "${part}" (expected e.g. standard=100,create=20)`);
      }
      limits[name as keyof typeof limits] = n;
    }
    return limits;
  }),
);

const config = readEnv({
  RATE_LIMITS_ENABLED: envFlag(true),
  /** Requests per minute per user and class, e.g. `standard=100,create=20,reaction=60` (the spec's numbers). */
  RATE_LIMITS: limitsSchema,
});

const WINDOW_SECONDS = 60;

/**
 * Counts one request of `userId` in the current fixed one-minute window of its class and refuses it
 * once the window's budget is spent. One conditional write: the count and the check are atomic, so
 * parallel requests cannot overshoot the limit.
 */
export async function consumeRateLimit(userId: string, rateClass: RateClass, now = Date.now()): Promise<void> {
  if (rateClass === 'none' || !config.RATE_LIMITS_ENABLED) return;
  const limit = config.RATE_LIMITS[rateClass];
  const nowSeconds = Math.floor(now / 1000);
  const windowStart = nowSeconds - (nowSeconds % WINDOW_SECONDS);
  try {
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: rateKeys.window(userId, rateClass, windowStart),
        UpdateExpression: 'ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'n', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': windowStart + 2 * WINDOW_SECONDS },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) {
      throw new ThrottledError(Math.max(1, windowStart + WINDOW_SECONDS - nowSeconds));
    }
    throw error;
  }
}
