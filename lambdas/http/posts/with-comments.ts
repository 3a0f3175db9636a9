import { httpHandler } from '../../core/http/handler.ts';
import { pageParams } from '../../core/pagination.ts';
import { postWithComments } from '../../domain/comment-reads.ts';

export const handler = httpHandler('PostWithComments', async ({ principal, idParam, query, url }) => ({
  status: 200,
  body: await postWithComments(principal, idParam('post_id'), pageParams(query), url, query),
}));
