import type { Principal } from '../core/auth.ts';
import { publish, type Publication } from '../core/broadcast.ts';
import { enqueueCleanup } from '../core/cleanup-queue.ts';
import { NotFoundError, PermissionDeniedError, ValidationError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import type { MediaInput } from '../core/http/media-input.ts';
import { logger } from '../core/logger.ts';
import { deleteMedia, saveMedia, type StoredMedia } from '../core/media.ts';
import { enqueueNotifications } from '../core/notifications-queue.ts';
import type { CommentRecord } from '../repositories/comment-items.ts';
import { deleteReply, deleteThread } from '../repositories/comment-deletes.ts';
import { insertReply, insertTopLevel, updateComment as updateCommentRecord, type CommentChanges } from '../repositories/comment-writes.ts';
import { findComment, type LocatedComment } from '../repositories/comments.ts';
import { findPost, postExists } from '../repositories/posts.ts';
import { nextId } from '../repositories/sequences.ts';
import { NO_STATE } from '../repositories/user-state.ts';
import { authorOf, mayModify } from './author.ts';
import { commentDto, type CommentDto } from './comment-dto.ts';
import { presentComment } from './comment-reads.ts';
import { commentOnPost, replyToComment } from './notify.ts';

async function discard(key: string): Promise<void> {
  await deleteMedia(key).catch((error) => logger.warn('Could not delete media', { key, error: error as Error }));
}

export interface NewComment {
  text: string;
  parent?: number | null;
  media?: MediaInput;
}

/** DRF's PrimaryKeyRelatedField message for an id that names nothing. */
const noSuchParent = (id: number) => new ValidationError({ parent: [`Invalid pk "${id}" - object does not exist.`] });

/**
 * Who hears of a new comment: everyone on the post's page and the author (one publication, so a
 * connection in both groups gets it once); the owner of the comment replied to; the post's owner,
 * unless they wrote it or already hear of it as that comment's owner.
 */
function announceComment(actor: Principal, comment: CommentRecord, dto: CommentDto, postOwnerId: string, parentOwnerId: string | null) {
  const publications: Publication[] = [{ type: 'new_ventroom_comment', data: dto, audiences: [groups.post(comment.postId), groups.user(actor.id)] }];
  const notifications = [];
  if (parentOwnerId !== null && parentOwnerId !== actor.id) {
    publications.push({ type: 'new_reply_on_user_comment', data: dto, audiences: [groups.user(parentOwnerId)] });
    notifications.push(replyToComment(actor, comment, parentOwnerId));
  }
  if (postOwnerId !== actor.id && postOwnerId !== parentOwnerId) {
    publications.push({ type: 'new_comment_on_user_post', data: dto, audiences: [groups.user(postOwnerId)] });
    notifications.push(commentOnPost(actor, comment, postOwnerId));
  }
  return Promise.all([publish(...publications), enqueueNotifications(notifications)]);
}

/**
 * Adds a comment, or a reply when `parent` names a comment of the same post. A reply to a reply
 * joins the thread of its top-level comment (the list nests one level, as the spec shows) while
 * `parent` keeps the id the client sent, and the owner of that comment is the one notified.
 */
export async function createComment(principal: Principal, postId: number, input: NewComment, now = new Date()): Promise<CommentDto> {
  const parentId = input.parent ?? null;
  const [stored, parent] = await Promise.all([findPost(postId), parentId === null ? undefined : findComment(parentId)]);
  if (!stored) throw new NotFoundError();
  if (parentId !== null) {
    if (!parent) throw noSuchParent(parentId);
    if (parent.location.postId !== postId) throw new ValidationError({ parent: ['Parent comment must belong to the same post.'] });
  }
  const media = await saveMedia(principal.id, input.media, now);
  let comment: CommentRecord;
  try {
    comment = await insert(principal, postId, input.text, parent, media, now);
  } catch (error) {
    if (media) await discard(media.key);
    throw error;
  }
  const dto = commentDto(comment, NO_STATE, []);
  await announceComment(principal, comment, dto, stored.post.author.id, parent?.comment.author.id ?? null);
  return dto;
}

async function insert(principal: Principal, postId: number, text: string, parent: LocatedComment | undefined, media: StoredMedia | null | undefined, now: Date): Promise<CommentRecord> {
  const at = now.toISOString();
  const draft = {
    postId,
    parentId: parent?.comment.id ?? null,
    rootId: null,
    author: authorOf(principal),
    text,
    mediaKey: media?.key ?? null,
    mediaType: media?.mediaType ?? null,
    createdAt: at,
    updatedAt: at,
    reactions: {},
    replyCount: 0,
    version: 0,
    lastReplyId: null,
  };
  if (!parent) {
    const comment = { ...draft, id: await nextId('comment') };
    if (!(await insertTopLevel(comment))) throw new NotFoundError();
    return comment;
  }
  const rootId = parent.location.rootId ?? parent.comment.id;
  const outcome = await insertReply(draft, rootId, () => nextId('comment'), parent.location.rootId === null ? parent.comment : undefined);
  if (outcome.status === 'post-gone') throw new NotFoundError();
  if (outcome.status === 'root-gone') throw noSuchParent(parent.comment.id);
  return outcome.record;
}

/** Loads a comment a caller wants to change, enforcing owner-or-admin (404 before 403, as DRF does). */
async function modifiableComment(principal: Principal, postId: number, commentId: number): Promise<LocatedComment> {
  const [located, postThere] = await Promise.all([findComment(commentId), postExists(postId)]);
  if (!located || !postThere || located.location.postId !== postId) throw new NotFoundError();
  if (!mayModify(principal, located.comment.author)) throw new PermissionDeniedError();
  return located;
}

export interface CommentUpdate {
  text?: string;
  media?: MediaInput;
}

/** `readUpdate` parses the body after the 404/403 checks, so a stranger learns nothing from validation errors. */
export async function updateComment(
  principal: Principal,
  postId: number,
  commentId: number,
  readUpdate: () => Promise<CommentUpdate>,
  now = new Date(),
): Promise<CommentDto> {
  const before = await modifiableComment(principal, postId, commentId);
  const update = await readUpdate();
  const media = await saveMedia(principal.id, update.media, now);
  const changes: CommentChanges = { text: update.text };
  if (media !== undefined) Object.assign(changes, { mediaKey: media?.key ?? null, mediaType: media?.mediaType ?? null });
  const updated = await updateCommentRecord(commentId, changes, now.toISOString());
  if (!updated) {
    if (media) await discard(media.key);
    throw new NotFoundError();
  }
  if (media !== undefined && before.comment.mediaKey && before.comment.mediaKey !== updated.comment.mediaKey) {
    await discard(before.comment.mediaKey);
  }
  const dto = await presentComment(principal.id, updated.comment);
  await publish({ type: 'ventroom_comment_updated', data: dto, audiences: [groups.post(postId)] });
  return dto;
}

/** Reactions and media of deleted comments go through the cleanup queue, in jobs of bounded size. */
const IDS_PER_CLEANUP_JOB = 500;

async function cleanUpAfter(postId: number, removed: CommentRecord[]): Promise<void> {
  for (let start = 0; start < removed.length; start += IDS_PER_CLEANUP_JOB) {
    const chunk = removed.slice(start, start + IDS_PER_CLEANUP_JOB);
    const job = {
      kind: 'comments' as const,
      post_id: postId,
      comment_ids: chunk.map((comment) => comment.id),
      media_keys: chunk.flatMap((comment) => (comment.mediaKey ? [comment.mediaKey] : [])),
    };
    try {
      await enqueueCleanup(job);
    } catch (error) {
      // The comments are gone for every reader; what is left is invisible, and the post's own
      // cleanup removes it at the latest. Log for the alarm.
      logger.error('Could not enqueue comment cleanup', { postId, error: error as Error });
    }
  }
}

/**
 * Deletes a comment: a top-level one with its whole thread, a reply on its own (a preview reply is
 * replaced by the thread's next-oldest one). The post's counters drop in the same transactions.
 */
export async function deleteComment(principal: Principal, postId: number, commentId: number): Promise<void> {
  const { location } = await modifiableComment(principal, postId, commentId);
  const outcome = location.rootId === null ? await deleteThread(postId, commentId) : await deleteReply(commentId);
  if (outcome.status !== 'deleted') throw new NotFoundError();
  await cleanUpAfter(postId, outcome.removed);
  await publish({ type: 'ventroom_comment_deleted', data: { comment_id: commentId, post_id: postId }, audiences: [groups.post(postId)] });
}
