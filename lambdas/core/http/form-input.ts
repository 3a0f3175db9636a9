import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod/mini';
import { ValidationError, isAppError } from '../errors.ts';
import { MEDIA_LIMITS } from '../media.ts';
import { validate } from '../validation.ts';
import { parseBody } from './body.ts';
import { mediaInput, type MediaInput } from './media-input.ts';

/**
 * Parses a create/update body that may carry one media file (JSON, multipart or urlencoded) and
 * validates its fields, collecting every field's error and the media's into one DRF 400.
 */
export async function fieldsWithMedia<T extends z.core.$ZodLooseShape>(
  event: APIGatewayProxyEventV2,
  shape: T,
): Promise<Partial<z.infer<z.ZodMiniObject<T>>> & { media?: MediaInput }> {
  const body = await parseBody(event, { maxFileBytes: MEDIA_LIMITS.inlineBytes, maxFiles: 1 });
  const errors: Record<string, string[]> = {};
  const collect = (error: unknown) => {
    if (!(isAppError(error) && error instanceof ValidationError)) throw error;
    Object.assign(errors, error.fields);
  };
  let fields: Partial<z.infer<z.ZodMiniObject<T>>> = {};
  let media: MediaInput | undefined;
  try {
    fields = validate(shape, body.fields ?? {});
  } catch (error) {
    collect(error);
  }
  try {
    media = mediaInput(body);
  } catch (error) {
    collect(error);
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { ...fields, media };
}
