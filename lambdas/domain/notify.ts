import { createHash } from 'node:crypto';
import type { Principal } from '../core/auth.ts';
import type { Notification } from '../core/notifications-queue.ts';
import type { ReactionType } from '../core/reactions.ts';
import type { CommentRecord } from '../repositories/comment-items.ts';

/**
 * The push notifications of the spec, built from the event that causes them. Ids derive from that
 * event (the comment's id; the reaction's user, object and commit time), so a retried enqueue or a
 * redelivered message stores and pushes the same notification once.
 */
export type ContentType = 'ventpost' | 'ventcomment';

function hashed(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}

/** "{User} commented on your post." for the post's owner. */
export function commentOnPost(actor: Principal, comment: CommentRecord, postOwnerId: string): Notification {
  return {
    id: `c${comment.id}-post`,
    recipient_id: postOwnerId,
    title: 'New Comment',
    message: `${actor.displayName} commented on your post.`,
    data: { type: 'new_comment_on_user_post', post_id: comment.postId, comment_id: comment.id, user_id: actor.id },
    created_at: comment.createdAt,
  };
}

/** "{User} replied to your comment." for the owner of the comment replied to. */
export function replyToComment(actor: Principal, reply: CommentRecord, parentOwnerId: string): Notification {
  return {
    id: `c${reply.id}-reply`,
    recipient_id: parentOwnerId,
    title: 'New Reply',
    message: `${actor.displayName} replied to your comment.`,
    data: { type: 'new_reply_on_user_comment', post_id: reply.postId, comment_id: reply.id, parent: reply.parentId, user_id: actor.id },
    created_at: reply.createdAt,
  };
}

export interface ReactionEvent {
  contentType: ContentType;
  objectId: number;
  postId: number;
  reaction: ReactionType;
  /** When the reaction committed: with the user and object, it names this change uniquely. */
  at: string;
}

/** "{User} reacted to your post." / "... your comment." for the owner of what was reacted to. */
export function reactionOn(actor: Principal, event: ReactionEvent, ownerId: string): Notification {
  const what = event.contentType === 'ventpost' ? 'post' : 'comment';
  return {
    id: `r${hashed(actor.id, event.contentType, event.objectId, event.at)}`,
    recipient_id: ownerId,
    title: 'New Reaction',
    message: `${actor.displayName} reacted to your ${what}.`,
    data: {
      type: `new_reaction_on_user_${what}`,
      content_type: event.contentType,
      object_id: event.objectId,
      post_id: event.postId,
      reaction_type: event.reaction,
      user_id: actor.id,
    },
    created_at: event.at,
  };
}
