import { httpHandler } from '../../core/http/handler.ts';
import { pageParams } from '../../core/pagination.ts';
import { listPosts } from '../../domain/post-reads.ts';

export const handler = httpHandler('ListPosts', async ({ principal, query, url }) => ({
  status: 200,
  body: await listPosts(principal, pageParams(query), url, query),
}));
