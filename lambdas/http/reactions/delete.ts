import { httpHandler } from '../../core/http/handler.ts';
import { react } from '../../domain/reactions.ts';
import { reactionTargetInput } from './reaction-input.ts';

/** Not in the spec: removes the caller's reaction (idempotent: 204 whether or not there was one). */
export const handler = httpHandler('DeleteReaction', async ({ event, principal, query }) => {
  const target = await reactionTargetInput(event, query);
  await react(principal, { ...target, reaction: null });
  return { status: 204 };
});
