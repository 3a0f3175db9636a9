import type { Principal } from '../core/auth.ts';
import { publish, type Publication } from '../core/broadcast.ts';
import { NotFoundError } from '../core/errors.ts';
import { groups } from '../core/groups.ts';
import { reactionSummary, type ReactionCounts, type ReactionType } from '../core/reactions.ts';
import { findComment, findLocation, getComment } from '../repositories/comments.ts';
import { findPost } from '../repositories/posts.ts';
import { setReaction, type ReactionTarget } from '../repositories/reactions.ts';
import type { ContentType } from './notify.ts';

export interface ReactionRequest {
  contentType: ContentType;
  objectId: number;
  /** null removes the caller's reaction. */
  reaction: ReactionType | null;
}

/** What an actual change did, for whoever announces it. */
export interface ReactionChange {
  postId: number;
  /** When it committed. */
  at: string;
  ownerId: string;
  data: {
    content_type: ContentType;
    object_id: number;
    reaction_summary: ReturnType<typeof reactionSummary>;
    user_reaction: ReactionType | null;
    user_id: string;
  };
  /** `ventroom_reaction_updated` to the post's page and the reactor, as one publication. */
  update: Publication;
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
 * Sets (or removes) the caller's one reaction on a post or comment. Undefined when nothing changed
 * (the reaction one already has) or the object vanished right after the change: nothing to announce.
 */
export async function changeReaction(principal: Principal, request: ReactionRequest, now = () => new Date()): Promise<ReactionChange | undefined> {
  const outcome = await setReaction(principal.id, await targetOf(request), request.reaction, now);
  if (outcome.status === 'gone') throw new NotFoundError();
  if (outcome.status === 'unchanged') return undefined;
  const state = await afterwards(outcome.target);
  if (!state) return undefined;
  const data = {
    content_type: request.contentType,
    object_id: request.objectId,
    reaction_summary: reactionSummary(state.counts),
    user_reaction: request.reaction,
    user_id: principal.id,
  };
  return {
    postId: outcome.target.postId,
    at: outcome.at,
    ownerId: state.ownerId,
    data,
    update: { type: 'ventroom_reaction_updated', data, audiences: [groups.post(outcome.target.postId), groups.user(principal.id)] },
  };
}

/** Not in the spec: takes the caller's reaction back; announced like a change, never to the owner. */
export async function removeReaction(principal: Principal, target: Omit<ReactionRequest, 'reaction'>): Promise<void> {
  const change = await changeReaction(principal, { ...target, reaction: null });
  if (change) await publish(change.update);
}
