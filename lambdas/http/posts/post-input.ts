import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { fieldsWithMedia } from '../../core/http/form-input.ts';
import type { MediaInput } from '../../core/http/media-input.ts';
import { postShape } from '../request-shapes.ts';

export { CONTENT_MAX, TITLE_MAX } from '../request-shapes.ts';

export interface PostInput {
  title?: string;
  content?: string;
  media?: MediaInput;
}

/** Collects every field's error of a post body at once, as one DRF 400. */
export function postInput(event: APIGatewayProxyEventV2, partial: boolean): Promise<PostInput> {
  return fieldsWithMedia(event, postShape(partial));
}
