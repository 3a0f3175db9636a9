import * as z from 'zod/mini';
import { readEnv } from './config.ts';

const { MEDIA_BASE_URL } = readEnv({
  /** Where media is served from (CloudFront in AWS, the local gateway offline), without trailing slash. */
  MEDIA_BASE_URL: z.pipe(z.url(), z.transform((url: string) => url.replace(/\/+$/, ''))),
});

/** The absolute URL a stored media key is served at. Kept apart from media.ts so readers load no S3 client. */
export function mediaUrl(key: string | null | undefined): string | null {
  return key ? `${MEDIA_BASE_URL}/${key.split('/').map(encodeURIComponent).join('/')}` : null;
}
