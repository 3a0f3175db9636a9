import { httpHandler } from '../../core/http/handler.ts';
import { updatePost } from '../../domain/post-update.ts';
import { postInput } from './post-input.ts';

/** PUT replaces the writable fields (content required); PATCH changes only what it names. */
export const handler = httpHandler('UpdatePost', async ({ event, principal, idParam }) => {
  const postId = idParam('post_id');
  const partial = event.requestContext.http.method === 'PATCH';
  return { status: 200, body: await updatePost(principal, postId, () => postInput(event, partial)) };
});
