import { parseBody } from '../../core/http/body.ts';
import { httpHandler } from '../../core/http/handler.ts';
import { MEDIA_LIMITS, presignUpload } from '../../core/media.ts';
import { validate } from '../../core/validation.ts';
import { uploadShape } from '../request-shapes.ts';

/**
 * A presigned PUT for media too large for a request body. The client says how many bytes it will
 * send (`{"size": n}`, at most the upload limit); the answer's media_key then goes into a create.
 */
export const handler = httpHandler('CreateUpload', async ({ event, principal }) => {
  const body = await parseBody(event, { maxFileBytes: 0, maxFiles: 0 });
  const { size } = validate(uploadShape(MEDIA_LIMITS.uploadBytes), body.fields ?? {});
  // Required and not nullable: validation guarantees a number here.
  return { status: 201, body: await presignUpload(principal.id, size as number) };
});
