import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fieldsWithMedia } from '../../core/http/form-input.ts';
import type { MediaInput } from '../../core/http/media-input.ts';
import { commentShapes, type CommentMode } from '../request-shapes.ts';

export { COMMENT_TEXT_MAX } from '../request-shapes.ts';

export interface CommentInput {
  text?: string;
  parent?: number | null;
  media?: MediaInput;
}

/** A new comment (text required, optional parent) or an update (PUT: text required; PATCH: partial). */
export async function commentInput(event: APIGatewayProxyEventV2, mode: CommentMode): Promise<CommentInput> {
  if (mode === 'create') return fieldsWithMedia(event, commentShapes.create());
  return fieldsWithMedia(event, commentShapes[mode]());
}
