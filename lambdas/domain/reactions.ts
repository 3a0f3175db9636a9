import type { Principal } from '../core/auth.ts';
import { publish, type Publication } from '../core/broadcast.ts';
import { NotFoundError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import { enqueueNotifications } from '../core/notifications-queue.ts';
import { reactionSummary, type ReactionCounts, type ReactionType } from '../core/reactions.ts';
import { findComment, findLocation, getComment } from '../repositories/comments.ts';
import { findPost } from '../repositories/posts.ts';
import { setReaction, type ReactionTarget } from '../repositories/reactions.ts';
import { reactionOn, type ContentType } from './notify.ts';

export interface ReactionRequest {
  contentType: ContentType;
  objectId: number;
  /** null removes the caller's reaction. */
  reaction: ReactionType | null;
}

async function targetOf(request: ReactionRequest): Promise<ReactionTarget> {
  if (request.contentType === 'ventpost') return { postId: request.objectId, comment: null };
  const location = await findLocation(request.objectId, true);
  if (!location) throw new NotFoundError();
  return { postId: location.postId, comment: location };
}

/** The reacted-to object's counters and owner right after the change (strongly consistent). */
async function afterwards(target: ReactionTarget): Promise<{ counts: ReactionCounts; ownerId: string } | undefined> {
  if (!target.comment) {
    const stored = await findPost(target.postId, true);
    return stored && { counts: stored.stats.reactions, ownerId: stored.post.author.id };
  }
  const comment = (await getComment(target.comment, true)) ?? (await findComment(target.comment.commentId))?.comment;
  return comment && { counts: comment.reactions, ownerId: comment.author.id };
}

/**
 * Sets the caller's one reaction on a post or comment (a new type replaces the old one), or removes
 * it. An actual change is announced to the post's page and the reactor (one publication) with the
 * object's fresh summary, and a new or changed reaction to the object's owner (event and push),
 * never to themselves. Reacting with the reaction one already has changes nothing and says nothing.
 */
export async function react(principal: Principal, request: ReactionRequest, now = () => new Date()): Promise<void> {
  const outcome = await setReaction(principal.id, await targetOf(request), request.reaction, now);
  if (outcome.status === 'gone') throw new NotFoundError();
  if (outcome.status === 'unchanged') return;
  const state = await afterwards(outcome.target);
  // Deleted right after the change committed: nobody is left to tell.
  if (!state) return;
  const data = {
    content_type: request.contentType,
    object_id: request.objectId,
    reaction_summary: reactionSummary(state.counts),
    user_reaction: request.reaction,
    user_id: principal.id,
  };
  const publications: Publication[] = [
    { type: 'ventroom_reaction_updated', data, audiences: [groups.post(outcome.target.postId), groups.user(principal.id)] },
  ];
  const notifications = [];
  if (request.reaction && state.ownerId !== principal.id) {
    const what = request.contentType === 'ventpost' ? 'post' : 'comment';
    publications.push({ type: `new_reaction_on_user_${what}`, data, audiences: [groups.user(state.ownerId)] });
    notifications.push(
      reactionOn(principal, { ...request, reaction: request.reaction, postId: outcome.target.postId, at: outcome.at }, state.ownerId),
    );
  }
  await Promise.all([publish(...publications), enqueueNotifications(notifications)]);
}
