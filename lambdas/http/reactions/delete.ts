import { httpHandler } from '../../core/http/handler.ts';
import { removeReaction } from '../../domain/reaction-change.ts';
import { reactionTargetInput } from './reaction-input.ts';

/** Not in the spec: removes the caller's reaction (idempotent: 204 whether or not there was one). */
export const handler = httpHandler('DeleteReaction', async ({ event, principal, query }) => {
  await removeReaction(principal, await reactionTargetInput(event, query));
  return { status: 204 };
});
