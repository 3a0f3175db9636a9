import { httpHandler } from '../../core/http/handler.ts';
import { updateComment } from '../../domain/comment-update.ts';
import { commentInput } from './comment-input.ts';

/** PUT replaces the writable fields (text required); PATCH changes only what it names. */
export const handler = httpHandler('UpdateComment', async ({ event, principal, idParam }) => {
  const postId = idParam('post_id');
  const commentId = idParam('comment_id');
  const mode = event.requestContext.http.method === 'PATCH' ? 'patch' : 'replace';
  return { status: 200, body: await updateComment(principal, postId, commentId, () => commentInput(event, mode)) };
});
