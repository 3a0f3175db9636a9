import type { Principal } from '../core/auth.ts';
import { NotFoundError } from '../core/errors.ts';
import { INVALID_PAGE, pageStart, paginated, type PageParams, type Paginated } from '../core/pagination.ts';
import { enqueueViews } from '../core/views-queue.ts';
import { feedPage, findPost, nthNewestPostId, postCount, type FeedPage, type StoredPost } from '../repositories/posts.ts';
import { EMPTY_STATES, userPostState, userStatesInRange, type UserStates } from '../repositories/user-state.ts';
import { postDto, type PostDto } from './post-dto.ts';

/** One post as its caller sees it; counts a view for the caller if this is their first. */
export async function getPost(principal: Principal, postId: number): Promise<PostDto> {
  const [stored, state] = await Promise.all([findPost(postId), userPostState(principal.id, postId)]);
  if (!stored) throw new NotFoundError();
  if (!state.viewed) await enqueueViews(principal.id, [postId]);
  return postDto(stored, state);
}

/** The caller's state on a set of posts in one Query over their id range. */
export async function statesFor(userId: string, posts: StoredPost[]): Promise<UserStates> {
  if (posts.length === 0) return EMPTY_STATES;
  const ids = posts.map(({ post }) => post.id);
  return userStatesInRange(userId, Math.min(...ids), Math.max(...ids));
}

/** Maps posts to DTOs for the caller and hands the ones they see for the first time to the views queue. */
export async function presentPosts(principal: Principal, posts: StoredPost[]): Promise<PostDto[]> {
  return presentWithStates(principal, posts, await statesFor(principal.id, posts));
}

/** `presentPosts` for a caller whose states on the posts were already read (in whatever way suits the ids). */
export async function presentWithStates(principal: Principal, posts: StoredPost[], states: UserStates, now = new Date()): Promise<PostDto[]> {
  const unseen = posts.filter(({ post }) => !states.post(post.id).viewed).map(({ post }) => post.id);
  await enqueueViews(principal.id, unseen, now);
  return posts.map((stored) => postDto(stored, states.post(stored.post.id)));
}

async function readPage(params: PageParams): Promise<{ page: FeedPage; count: number }> {
  const start = pageStart(params);
  if (start === 'walk') {
    // The count first: a page past the end is a 404 without walking (and paying for) the whole feed.
    const count = await postCount();
    if (params.page > Math.max(1, Math.ceil(count / params.pageSize))) throw new NotFoundError(INVALID_PAGE);
    const anchor = await nthNewestPostId((params.page - 1) * params.pageSize);
    if (anchor === undefined) throw new NotFoundError(INVALID_PAGE);
    return { page: await feedPage(params.pageSize, { direction: 'older', belowPostId: anchor }), count };
  }
  if (start.from === 'top') {
    const page = await feedPage(params.pageSize);
    return { page, count: page.count ?? 0 };
  }
  const anchor = start.from === 'older' ? { direction: 'older' as const, belowPostId: start.belowId } : { direction: 'newer' as const, abovePostId: start.aboveId };
  const [page, count] = await Promise.all([feedPage(params.pageSize, anchor), postCount()]);
  return { page, count };
}

/**
 * A feed page: one Query for the posts (page 1 gets the count in it too; other pages read the counter
 * in parallel) and one Query for the caller's `has_viewed`/`user_reaction` over the page's id range.
 */
export async function listPosts(
  principal: Principal,
  params: PageParams,
  url: (query: Record<string, string | number | undefined>) => string,
  query: Record<string, string>,
): Promise<Paginated<PostDto>> {
  const { page, count } = await readPage(params);
  const results = await presentPosts(principal, page.posts);
  return paginated(params, count, results, (post) => post.id, url, query);
}
