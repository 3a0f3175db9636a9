import { httpHandler } from '../../core/http/handler.ts';
import { getPost } from '../../domain/post-reads.ts';

export const handler = httpHandler('GetPost', async ({ principal, idParam }) => ({
  status: 200,
  body: await getPost(principal, idParam('post_id')),
}));
