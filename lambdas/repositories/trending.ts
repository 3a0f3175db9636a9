import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, db, writeIf } from '../core/db.ts';
import { postPartitionKeys, trendingKeys } from '../core/keys.ts';
import { VIEWS_BY_HOUR_INDEX } from '../core/table-schema.ts';
import { hourStartSeconds } from '../core/view-time.ts';
import { queryAll } from './query.ts';

/** A snapshot is only read during its own hour (and the next, as a fallback): TTL removes it after. */
const SNAPSHOT_RETENTION_SECONDS = 2 * 24 * 3600;
const snapshotExpiry = (hour: string) => hourStartSeconds(hour) + SNAPSHOT_RETENTION_SECONDS;

/** One post of the trending list as it was when the snapshot was computed. */
export interface TrendingEntry {
  postId: number;
  /** Views in the 24 hours before the snapshot. */
  recentViews: number;
  totalViews: number;
}

export interface TrendingSnapshot {
  /** Epoch milliseconds of the clock the snapshot was computed for. */
  computedAt: number;
  entries: TrendingEntry[];
}

/** Views per post in one hour, from the ViewsByHour index (eventually consistent, as every GSI read). */
export async function viewsInHour(hour: string): Promise<Map<number, number>> {
  const index = postPartitionKeys.hourBucketIndexKey(hour);
  const items = await queryAll({
    IndexName: VIEWS_BY_HOUR_INDEX.indexName,
    KeyConditionExpression: '#hour = :hour',
    ExpressionAttributeNames: { '#hour': index.attribute },
    ExpressionAttributeValues: { ':hour': index.value },
  });
  return new Map(items.map((item) => [postPartitionKeys.postIdOf(item.pk as string), (item.n as number | undefined) ?? 0]));
}

type StoredEntry = [postId: number, recentViews: number, totalViews: number];

/** The snapshot of the 24 hours ending with `hour`, if one was saved. */
export async function readTrendingSnapshot(hour: string): Promise<TrendingSnapshot | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: trendingKeys.snapshot(hour) }));
  // A claim creates the item before the first snapshot is saved: no entries yet means no snapshot.
  if (typeof Item?.computed_at !== 'number' || !Array.isArray(Item.entries)) return undefined;
  return {
    computedAt: Item.computed_at,
    entries: (Item.entries as StoredEntry[]).map(([postId, recentViews, totalViews]) => ({ postId, recentViews, totalViews })),
  };
}

/**
 * Takes the right to recompute the hour's snapshot, if it is stale (computed more than `staleMs` away
 * from `now`, either side: a snapshot stamped in the future is not fresh either) and nobody else holds
 * a live claim (one taken within `leaseMs` of `now`). One conditional write decides among any number
 * of racing readers and workers: exactly one computes, the others keep serving the old snapshot.
 */
export async function claimTrendingRefresh(hour: string, now: number, staleMs: number, leaseMs: number): Promise<boolean> {
  return writeIf(
    new UpdateCommand({
      TableName: TABLE,
      Key: trendingKeys.snapshot(hour),
      UpdateExpression: 'SET claimed_at = :now, #ttl = :ttl',
      ConditionExpression:
        '(attribute_not_exists(computed_at) OR computed_at <= :staleBefore OR computed_at >= :staleAfter) AND ' +
        '(attribute_not_exists(claimed_at) OR claimed_at <= :leaseBefore OR claimed_at >= :leaseAfter)',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':now': now,
        ':ttl': snapshotExpiry(hour),
        ':staleBefore': now - staleMs,
        ':staleAfter': now + staleMs,
        ':leaseBefore': now - leaseMs,
        ':leaseAfter': now + leaseMs,
      },
    }),
  );
}

/** Saves a snapshot computed under the claim taken at `claimedAt`; false if that claim was lost meanwhile. */
export async function saveTrendingSnapshot(hour: string, snapshot: TrendingSnapshot, claimedAt: number): Promise<boolean> {
  const entries: StoredEntry[] = snapshot.entries.map((entry) => [entry.postId, entry.recentViews, entry.totalViews]);
  return writeIf(
    new PutCommand({
      TableName: TABLE,
      Item: { ...trendingKeys.snapshot(hour), computed_at: snapshot.computedAt, entries, ttl: snapshotExpiry(hour) },
      ConditionExpression: 'claimed_at = :claimedAt',
      ExpressionAttributeValues: { ':claimedAt': claimedAt },
    }),
  );
}
