import { httpHandler } from '../../core/http/handler.ts';
import { react } from '../../domain/reactions.ts';
import { reactionInput } from './reaction-input.ts';

/** Adds or changes the caller's reaction; answers the spec's echo with the stored (normalised) type. */
export const handler = httpHandler('CreateReaction', async ({ event, principal }) => {
  const input = await reactionInput(event);
  await react(principal, input);
  return { status: 201, body: { content_type: input.contentType, object_id: input.objectId, reaction_type: input.reaction } };
});
