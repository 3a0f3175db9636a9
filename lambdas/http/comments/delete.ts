import { httpHandler } from '../../core/http/handler.ts';
import { deleteComment } from '../../domain/comment-delete.ts';

export const handler = httpHandler('DeleteComment', async ({ principal, idParam }) => {
  await deleteComment(principal, idParam('post_id'), idParam('comment_id'));
  return { status: 204 };
});
