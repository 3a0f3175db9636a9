import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fieldsWithMedia } from '../../core/http/form-input.ts';
import type { MediaInput } from '../../core/http/media-input.ts';
import { text } from '../../core/validation.ts';

export const TITLE_MAX = 150;
/** Not in the spec (DRF's TextField has no cap); bounded so one post stays a small DynamoDB item. */
export const CONTENT_MAX = 10_000;

export interface PostInput {
  title?: string;
  content?: string;
  media?: MediaInput;
}

/** Collects every field's error of a post body at once, as one DRF 400. */
export function postInput(event: APIGatewayProxyEventV2, partial: boolean): Promise<PostInput> {
  return fieldsWithMedia(event, {
    title: text({ max: TITLE_MAX, required: false, allowBlank: true }),
    content: partial ? text({ max: CONTENT_MAX, required: false }) : text({ max: CONTENT_MAX }),
  });
}
