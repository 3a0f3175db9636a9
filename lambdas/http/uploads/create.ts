import { httpHandler } from '../../core/http/handler.ts';
import { presignUpload } from '../../core/media.ts';

/** A presigned PUT for media too large for a request body; the answer's media_key goes into a create. */
export const handler = httpHandler('CreateUpload', async ({ principal }) => ({
  status: 201,
  body: await presignUpload(principal.id),
}));
