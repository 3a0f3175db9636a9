import { httpHandler } from '../../core/http/handler.ts';
import { deletePost } from '../../domain/post-delete.ts';

export const handler = httpHandler('DeletePost', async ({ principal, idParam }) => {
  await deletePost(principal, idParam('post_id'));
  return { status: 204 };
});
