import type { Principal } from '../core/auth.ts';
import { publish, type Publication } from '../core/broadcast.ts';
import { groups } from '../core/groups.ts';
import { enqueueNotifications } from '../core/notifications-queue.ts';
import type { ReactionType } from '../core/reactions.ts';
import { changeReaction, type ReactionRequest } from './reaction-change.ts';
import { reactionOn } from './notify.ts';

/**
 * Sets the caller's one reaction on a post or comment (a new type replaces the old one). An actual
 * change is announced to the post's page and the reactor (one publication) with the object's fresh
 * summary, and to the object's owner (event and push), never to the reactor themselves. Reacting
 * with the reaction one already has changes nothing and says nothing.
 */
export async function react(principal: Principal, request: ReactionRequest & { reaction: ReactionType }, now = () => new Date()): Promise<void> {
  const change = await changeReaction(principal, request, now);
  if (!change) return;
  const publications: Publication[] = [change.update];
  const notifications = [];
  if (change.ownerId !== principal.id) {
    const what = request.contentType === 'ventpost' ? 'post' : 'comment';
    publications.push({ type: `new_reaction_on_user_${what}`, data: change.data, audiences: [groups.user(change.ownerId)] });
    notifications.push(reactionOn(principal, { ...request, postId: change.postId, at: change.at }, change.ownerId));
  }
  await Promise.all([publish(...publications), enqueueNotifications(notifications)]);
}
