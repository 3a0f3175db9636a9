import { httpHandler } from '../../core/http/handler.ts';
import { pageParams } from '../../core/pagination.ts';
import { listComments } from '../../domain/comment-reads.ts';

export const handler = httpHandler('ListComments', async ({ principal, idParam, query, url }) => ({
  status: 200,
  body: await listComments(principal, idParam('post_id'), pageParams(query), url, query),
}));
