import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { createHash } from 'node:crypto';
import { envOptional, readEnv } from './config.ts';

const config = readEnv({
  /**
   * The distribution serving media (set by the stack on functions that retract media). Absent where
   * media is served straight from the bucket (the offline twin): there is no edge cache to clear.
   */
  MEDIA_DISTRIBUTION_ID: envOptional(),
});

/** Exported for tests: CloudFront has no emulator, so they watch the calls made on this client. */
export const cloudfront = new CloudFrontClient({});

/**
 * Media objects are cached for a year at the edge (their keys are immutable), so a deleted or
 * replaced file would stay served from CloudFront after its object is gone: this drops the paths
 * from the cache. One invalidation per call, whatever the number of keys (CloudFront bills per path
 * beyond 1,000 a month, and counts a call's paths as one batch). The caller reference is derived from
 * the keys, so a redelivered job repeats the same invalidation instead of paying for a second one.
 */
export async function invalidateMediaPaths(keys: readonly string[]): Promise<void> {
  if (!config.MEDIA_DISTRIBUTION_ID || keys.length === 0) return;
  const paths = [...new Set(keys)].sort().map((key) => `/${key.split('/').map(encodeURIComponent).join('/')}`);
  await cloudfront.send(
    new CreateInvalidationCommand({
      DistributionId: config.MEDIA_DISTRIBUTION_ID,
      InvalidationBatch: {
        CallerReference: createHash('sha256').update(paths.join('\n')).digest('hex').slice(0, 64),
        Paths: { Quantity: paths.length, Items: paths },
      },
    }),
  );
}
