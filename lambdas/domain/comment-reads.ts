import type { Principal } from '../core/auth.ts';
import { NotFoundError } from '../core/errors.ts';
import { INVALID_PAGE, pageStart, paginated, type PageParams, type Paginated } from '../core/pagination.ts';
import { enqueueViews } from '../core/views-queue.ts';
import type { CommentRecord } from '../repositories/comment-items.ts';
import { nthNewestTopLevelId, previewsInRange, topLevelPage, type CommentAnchor } from '../repositories/comments.ts';
import { findPost } from '../repositories/posts.ts';
import { userStatesInRange } from '../repositories/user-state.ts';
import { threadDto, type CommentDto } from './comment-dto.ts';
import { postDto, type PostDto } from './post-dto.ts';

type UrlOf = (query: Record<string, string | number | undefined>) => string;

/**
 * The page's top-level comments; undefined when a bare `?page=N` points past the last comment. A
 * walk waits for the post's count (`walkCount`) and walks only to a page that exists: a page past the
 * end is a 404 without reading every top-level comment on the way.
 */
async function readTopLevel(postId: number, params: PageParams, walkCount: () => Promise<number | undefined>): Promise<CommentRecord[] | undefined> {
  const start = pageStart(params);
  let anchor: CommentAnchor | undefined;
  if (start === 'walk') {
    const count = await walkCount();
    if (count === undefined || params.page > Math.max(1, Math.ceil(count / params.pageSize))) return undefined;
    const belowId = await nthNewestTopLevelId(postId, (params.page - 1) * params.pageSize);
    if (belowId === undefined) return undefined;
    anchor = { direction: 'older', belowId };
  } else if (start.from === 'older') anchor = { direction: 'older', belowId: start.belowId };
  else if (start.from === 'newer') anchor = { direction: 'newer', aboveId: start.aboveId };
  return topLevelPage(postId, params.pageSize, anchor);
}

/** Each thread's preview replies, for the threads of the page that have any: one Query, or none. */
async function previewsOf(postId: number, comments: CommentRecord[]): Promise<Map<number, CommentRecord[]>> {
  const threads = comments.filter((comment) => comment.replyCount > 0).map((comment) => comment.id);
  if (threads.length === 0) return new Map();
  return previewsInRange(postId, Math.min(...threads), Math.max(...threads));
}

export interface PostWithComments {
  post: PostDto;
  comments: Paginated<CommentDto>;
}

/**
 * A post and a page of its top-level comments with their preview replies, as the caller sees them:
 * the post (body and counters, one Query), the page (one Query) and the caller's state on the post
 * AND on every comment of it (one Query over `P#<post>`) run in parallel; one more Query fetches the
 * previews of all the page's threads, only if some comment on the page has replies. The caller's
 * first look counts a view (queued, never written here).
 */
export async function postWithComments(principal: Principal, postId: number, params: PageParams, url: UrlOf, query: Record<string, string>): Promise<PostWithComments> {
  const post = findPost(postId);
  const [stored, states, comments] = await Promise.all([
    post,
    userStatesInRange(principal.id, postId, postId),
    readTopLevel(postId, params, async () => (await post)?.stats.topCommentCount),
  ]);
  if (!stored) throw new NotFoundError();
  if (!comments) throw new NotFoundError(INVALID_PAGE);
  const previews = await previewsOf(postId, comments);
  if (!states.post(postId).viewed) await enqueueViews(principal.id, [postId]);
  const results = comments.map((comment) => threadDto(comment, previews.get(comment.id) ?? [], states));
  return {
    post: postDto(stored, states.post(postId)),
    comments: paginated(params, stored.stats.topCommentCount, results, (comment) => comment.id, url, query),
  };
}

export async function listComments(principal: Principal, postId: number, params: PageParams, url: UrlOf, query: Record<string, string>): Promise<Paginated<CommentDto>> {
  return (await postWithComments(principal, postId, params, url, query)).comments;
}
