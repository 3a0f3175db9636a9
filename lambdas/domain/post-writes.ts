import type { Principal } from '../core/auth.ts';
import { publish } from '../core/broadcast.ts';
import { enqueueCleanup } from '../core/cleanup-queue.ts';
import { NotFoundError, PermissionDeniedError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import type { MediaInput } from '../core/http/media-input.ts';
import { logger } from '../core/logger.ts';
import { deleteMedia, saveMedia } from '../core/media.ts';
import { nextId } from '../repositories/sequences.ts';
import {
  EMPTY_STATS,
  findPost,
  insertPost,
  removePost,
  updatePost as updatePostRecord,
  type PostChanges,
  type StoredPost,
} from '../repositories/posts.ts';
import { NO_STATE, userPostState } from '../repositories/user-state.ts';
import { authorOf, mayModify } from './author.ts';
import { postDto, type PostDto } from './post-dto.ts';

async function discard(key: string): Promise<void> {
  await deleteMedia(key).catch((error) => logger.warn('Could not delete media', { key, error: error as Error }));
}

export interface NewPost {
  title: string;
  content: string;
  media?: MediaInput;
}

export async function createPost(principal: Principal, input: NewPost, now = new Date()): Promise<PostDto> {
  const media = await saveMedia(principal.id, input.media, now);
  const at = now.toISOString();
  let stored: StoredPost;
  try {
    stored = {
      post: {
        id: await nextId('post'),
        author: authorOf(principal),
        title: input.title,
        content: input.content,
        mediaKey: media?.key ?? null,
        mediaType: media?.mediaType ?? null,
        createdAt: at,
        updatedAt: at,
      },
      stats: EMPTY_STATS,
    };
    await insertPost(stored.post);
  } catch (error) {
    if (media) await discard(media.key);
    throw error;
  }
  const dto = postDto(stored, NO_STATE);
  await publish({ type: 'new_ventroom_post', data: dto, audiences: [groups.feed, groups.user(principal.id)] });
  return dto;
}

/** Loads a post a caller wants to change, enforcing owner-or-admin (404 before 403, as DRF does). */
async function modifiablePost(principal: Principal, postId: number): Promise<StoredPost> {
  const stored = await findPost(postId, true);
  if (!stored) throw new NotFoundError();
  if (!mayModify(principal, stored.post.author)) throw new PermissionDeniedError();
  return stored;
}

export interface PostUpdate {
  title?: string;
  content?: string;
  media?: MediaInput;
}

/**
 * `readUpdate` parses the request body; it runs after the 404/403 checks, so a stranger learns
 * nothing from validation errors (DRF's order too).
 */
export async function updatePost(
  principal: Principal,
  postId: number,
  readUpdate: () => Promise<PostUpdate>,
  now = new Date(),
): Promise<PostDto> {
  const before = await modifiablePost(principal, postId);
  const update = await readUpdate();
  const media = await saveMedia(principal.id, update.media, now);
  const changes: PostChanges = { title: update.title, content: update.content };
  if (media !== undefined) Object.assign(changes, { mediaKey: media?.key ?? null, mediaType: media?.mediaType ?? null });
  const post = await updatePostRecord(postId, changes, now.toISOString());
  if (!post) {
    if (media) await discard(media.key);
    throw new NotFoundError();
  }
  if (media !== undefined && before.post.mediaKey && before.post.mediaKey !== post.mediaKey) {
    await discard(before.post.mediaKey);
  }
  const dto = postDto({ post, stats: before.stats }, await userPostState(principal.id, postId));
  await publish({ type: 'ventroom_post_updated', data: dto, audiences: [groups.post(postId), groups.feed] });
  return dto;
}

/**
 * Deletes the post at once (it vanishes from every read) and leaves its comments, reactions, views,
 * buckets and media to the cleanup worker.
 */
export async function deletePost(principal: Principal, postId: number): Promise<void> {
  const { post } = await modifiablePost(principal, postId);
  if (!(await removePost(postId))) throw new NotFoundError();
  try {
    await enqueueCleanup({ kind: 'post', post_id: postId, media_key: post.mediaKey });
  } catch (error) {
    // The post is already gone for every reader; its leftovers are invisible. Log for the alarm.
    logger.error('Could not enqueue post cleanup', { postId, error: error as Error });
  }
  await publish({ type: 'ventroom_post_deleted', data: { post_id: postId }, audiences: [groups.post(postId), groups.feed] });
}
