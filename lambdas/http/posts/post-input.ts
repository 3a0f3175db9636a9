import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ValidationError, isAppError } from '../../core/errors.ts';
import { parseBody } from '../../core/http/body.ts';
import { mediaInput, type MediaInput } from '../../core/http/media-input.ts';
import { MEDIA_LIMITS } from '../../core/media.ts';
import { text, validate } from '../../core/validation.ts';

export const TITLE_MAX = 150;
/** Not in the spec (DRF's TextField has no cap); bounded so one post stays a small DynamoDB item. */
export const CONTENT_MAX = 10_000;

export interface PostInput {
  title?: string;
  content?: string;
  media?: MediaInput;
}

/** Collects every field's error of a post body at once, as one DRF 400. */
export async function postInput(event: APIGatewayProxyEventV2, partial: boolean): Promise<PostInput> {
  const body = await parseBody(event, { maxFileBytes: MEDIA_LIMITS.inlineBytes, maxFiles: 1 });
  const fields = body.fields ?? {};
  const errors: Record<string, string[]> = {};
  let input: PostInput = {};
  try {
    input = validate(
      {
        title: text({ max: TITLE_MAX, required: false, allowBlank: true }),
        content: partial ? text({ max: CONTENT_MAX, required: false }) : text({ max: CONTENT_MAX }),
      },
      fields,
    );
  } catch (error) {
    if (!(isAppError(error) && error instanceof ValidationError)) throw error;
    Object.assign(errors, error.fields);
  }
  try {
    input.media = mediaInput(body);
  } catch (error) {
    if (!(isAppError(error) && error instanceof ValidationError)) throw error;
    Object.assign(errors, error.fields);
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return input;
}
