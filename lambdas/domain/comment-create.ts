import type { Principal } from '../core/auth.ts';
import { publish, type Publication } from '../core/broadcast.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import type { MediaInput } from '../core/http/media-input.ts';
import { saveMedia, type StoredMedia } from '../core/media.ts';
import { enqueueNotifications } from '../core/notifications-queue.ts';
import type { CommentRecord } from '../repositories/comment-items.ts';
import { insertReply, insertTopLevel } from '../repositories/comment-writes.ts';
import { findComment, type LocatedComment } from '../repositories/comments.ts';
import { findPost } from '../repositories/posts.ts';
import { nextId } from '../repositories/sequences.ts';
import { NO_STATE } from '../repositories/user-state.ts';
import { authorOf } from './author.ts';
import { commentDto, type CommentDto } from './comment-dto.ts';
import { discardMedia } from './discard-media.ts';
import { commentOnPost, replyToComment } from './notify.ts';

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
    if (media) await discardMedia(media.key);
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
