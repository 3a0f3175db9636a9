import { beforeAll, describe, expect, it } from 'vitest';
import { RATE_KEY_PREFIX } from '../../lib/data.ts';
import { UPLOAD_PREFIX } from '../../lib/media-layout.ts';
import { rateKeys } from '../../lambdas/core/keys.ts';

/** The stack's grants and lifecycle rules assume key layouts the handler code owns: keep them in step. */
describe('layouts the stack shares with the handlers', () => {
  beforeAll(() => {
    Object.assign(process.env, {
      MEDIA_BUCKET: 'ventroom-layout-test',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'layout-test',
      AWS_SECRET_ACCESS_KEY: 'layout-test',
    });
  });

  it('stages presigned uploads under the prefix the lifecycle rule expires', async () => {
    const { presignUpload } = await import('../../lambdas/core/media.ts');
    const upload = await presignUpload('user-1', 1024);
    expect(upload.media_key.startsWith(`${UPLOAD_PREFIX}user-1/`)).toBe(true);
    expect(new URL(upload.upload_url).pathname).toContain(`/${UPLOAD_PREFIX}user-1/`);
  });

  it('confines rate-limit writes to the partitions rate windows live in', () => {
    expect(rateKeys.window('user-1', 'standard', 60).pk.startsWith(RATE_KEY_PREFIX)).toBe(true);
    expect(RATE_KEY_PREFIX).toBe('RATE#');
  });
});
