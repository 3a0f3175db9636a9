import { httpHandler } from '../../core/http/handler.ts';
import { createComment } from '../../domain/comment-create.ts';
import { commentInput } from './comment-input.ts';

export const handler = httpHandler('CreateComment', async ({ event, principal, idParam }) => {
  const postId = idParam('post_id');
  const input = await commentInput(event, 'create');
  return { status: 201, body: await createComment(principal, postId, { text: input.text!, parent: input.parent, media: input.media }) };
});
