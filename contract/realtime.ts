import * as z from 'zod/mini';
import { commentSchema, countSchema, postSchema, reactionSummarySchema, reactionTypeSchema } from '../lambdas/domain/dto-schemas.ts';

/**
 * The WebSocket protocol as data: every message a client may send and every event the server sends,
 * with who receives it. The AsyncAPI document (docs/api/asyncapi.json) is generated from these
 * registries, and the e2e suites validate every frame they receive against it. New protocol
 * messages (e.g. lambdas/core/realtime-protocol.ts) are added with `defineServerEvents`,
 * `defineClientMessages` and `extendEnvelope`; nothing else needs to change.
 */

/** Who receives an event: a group name pattern (the spec's), or the sender of the client message it answers. */
export type Audience = 'ventroom_feed' | 'vent_post_{post_id}' | `user_{${string}}` | 'sender';

export interface ServerEventSpec {
  type: string;
  /** Schema of `data`. */
  data: z.ZodMiniType;
  summary: string;
  audiences: Audience[];
  /** `reply`: the answer to a client message (sender only); `broadcast`: fanned out to groups. */
  kind: 'reply' | 'broadcast';
  /** A PascalCase name for schemas and operations; derived from `type` when omitted. */
  name?: string;
}

export interface ClientMessageSpec {
  type: string;
  /** Schema of `data`; undefined when the message carries none. */
  data?: z.ZodMiniType;
  summary: string;
  /** The server event types that may answer it (besides `error`). */
  replies: string[];
}

/**
 * Envelope fields every server event carries besides `type` and `data`, by kind. Optional fields
 * added here (an `offset`, an `epoch`) are documented and accepted on every event of that kind.
 */
/** An event's place in one group's history. */
const position = z.object({ offset: z.int().check(z.minimum(1)), epoch: z.string() });

/**
 * Where a group stands, on the reply to a join or recover_user: its last event's offset and its
 * history's epoch (0 and `""` before its first event); `recovered` answers a recovery (false: history
 * cannot cover the gap, refetch over HTTP).
 */
const standing = z.object({
  group: z.string(),
  offset: z.int().check(z.minimum(0)),
  epoch: z.string(),
  recovered: z.optional(z.boolean()),
});

export const envelope: Record<ServerEventSpec['kind'], Record<string, z.ZodMiniType>> = {
  reply: {
    id: z.uuid(),
    timestamp: z.iso.datetime(),
    standing: z.optional(standing),
  },
  broadcast: {
    id: z.uuid(),
    timestamp: z.iso.datetime(),
    /** The event's offset in each of the receiver's groups it came through (absent on view counters). */
    positions: z.optional(z.record(z.string(), position)),
  },
};

export function extendEnvelope(kind: ServerEventSpec['kind'] | 'all', fields: Record<string, z.ZodMiniType>): void {
  for (const target of kind === 'all' ? (['reply', 'broadcast'] as const) : [kind]) Object.assign(envelope[target], fields);
}

export const serverEvents = new Map<string, ServerEventSpec>();
export const clientMessages = new Map<string, ClientMessageSpec>();

export function defineServerEvents(...specs: ServerEventSpec[]): void {
  for (const spec of specs) serverEvents.set(spec.type, spec);
}

export function defineClientMessages(...specs: ClientMessageSpec[]): void {
  for (const spec of specs) clientMessages.set(spec.type, spec);
}

export const pascal = (type: string) => type.replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());

const postId = z.int().check(z.minimum(1));
const postIdData = z.object({ post_id: z.union([postId, z.string().check(z.regex(/^\d{1,15}$/))]) });
/** Where a client stopped, sent to recover what it missed (docs/realtime.md, "Recovery"). */
const since = {
  offset: z.optional(z.int().check(z.minimum(0))),
  epoch: z.optional(z.string().check(z.maxLength(64))),
};
const reactionUpdate = z.object({
  content_type: z.enum(['ventpost', 'ventcomment']),
  object_id: z.int(),
  reaction_summary: reactionSummarySchema,
  user_reaction: z.nullable(reactionTypeSchema),
  user_id: z.string(),
});

defineClientMessages(
  {
    type: 'join_ventroom',
    data: z.optional(z.object(since)),
    summary: 'Join the ventroom_feed group (new posts, post updates, deletions, view counts). With `offset` and `epoch` (of the last feed event received), the events missed since are sent first, in order.',
    replies: ['ventroom_joined'],
  },
  { type: 'leave_ventroom', summary: 'Leave the ventroom_feed group. No reply.', replies: [] },
  {
    type: 'join_ventroom_post',
    data: z.object({ ...postIdData.shape, ...since }),
    summary: 'Join vent_post_{post_id} (comments, reactions, view counts of one post). With `offset` and `epoch`, the events missed since are sent first, in order.',
    replies: ['ventroom_post_joined'],
  },
  { type: 'leave_ventroom_post', data: postIdData, summary: 'Leave vent_post_{post_id}. No reply.', replies: [] },
  {
    type: 'recover_user',
    data: z.optional(z.object(since)),
    summary: 'The user_{user_id} group is joined at connect; this asks where it stands and, with `offset` and `epoch`, for the events it sent while the client was away (sent first, in order).',
    replies: ['user_recovered'],
  },
  { type: 'ping', summary: 'Keep-alive: API Gateway closes a connection idle for 10 minutes (and every connection after 2 hours).', replies: ['pong'] },
);

defineServerEvents(
  {
    type: 'ventroom_joined',
    kind: 'reply',
    audiences: ['sender'],
    summary: 'Confirms join_ventroom; its `standing` says where ventroom_feed stands and, after a recovery, whether it worked.',
    data: z.object({ message: z.literal('Successfully joined Ventroom'), user_id: z.string() }),
  },
  {
    type: 'ventroom_post_joined',
    kind: 'reply',
    audiences: ['sender'],
    summary: 'Confirms join_ventroom_post; its `standing` says where the post group stands and, after a recovery, whether it worked.',
    data: z.object({ post_id: postId, message: z.literal('Successfully joined Ventroom post') }),
  },
  {
    type: 'user_recovered',
    kind: 'reply',
    audiences: ['sender'],
    summary: 'Answers recover_user (data: the user group\'s name); its `standing` says where that group stands and, after a recovery, whether it worked.',
    data: z.object({ group: z.string() }),
  },
  { type: 'pong', kind: 'reply', audiences: ['sender'], summary: 'Answers ping.', data: z.object({}) },
  { type: 'error', kind: 'reply', audiences: ['sender'], summary: 'A client message was invalid (not JSON, unknown type, bad data, throttled, not found); the socket stays open.', data: z.object({ message: z.string() }) },
  { type: 'new_ventroom_post', kind: 'broadcast', audiences: ['ventroom_feed', 'user_{author}'], summary: 'A post was created.', data: postSchema },
  { type: 'ventroom_post_updated', kind: 'broadcast', audiences: ['vent_post_{post_id}', 'ventroom_feed'], summary: 'A post was updated.', data: postSchema },
  { type: 'ventroom_post_deleted', kind: 'broadcast', audiences: ['vent_post_{post_id}', 'ventroom_feed'], summary: 'A post was deleted.', data: z.object({ post_id: postId }) },
  { type: 'ventroom_post_view_updated', kind: 'broadcast', audiences: ['vent_post_{post_id}', 'ventroom_feed'], summary: "A post's view count changed. Coalesced: the latest count, at most once per half second per post to its group, and to the feed at most 2 posts' counts every 10 seconds (newest posts first); a connection in both groups hears a post's counts from the post's group only, and never a lower count after a higher one (docs/realtime.md).", data: z.object({ post_id: postId, views: countSchema() }) },
  { type: 'new_ventroom_comment', kind: 'broadcast', audiences: ['vent_post_{post_id}', 'user_{author}'], summary: 'A comment or reply was created.', data: commentSchema },
  { type: 'new_comment_on_user_post', kind: 'broadcast', audiences: ['user_{post_owner}'], summary: 'Someone commented on your post.', data: commentSchema },
  { type: 'new_reply_on_user_comment', kind: 'broadcast', audiences: ['user_{parent_comment_owner}'], summary: 'Someone replied to your comment.', data: commentSchema },
  { type: 'ventroom_comment_updated', kind: 'broadcast', audiences: ['vent_post_{post_id}'], summary: 'A comment was updated.', data: commentSchema },
  { type: 'ventroom_comment_deleted', kind: 'broadcast', audiences: ['vent_post_{post_id}'], summary: 'A comment (with its replies) was deleted.', data: z.object({ comment_id: z.int().check(z.minimum(1)), post_id: postId }) },
  { type: 'ventroom_reaction_updated', kind: 'broadcast', audiences: ['vent_post_{post_id}', 'user_{reactor}'], summary: 'A reaction was added, changed or removed.', data: reactionUpdate },
  { type: 'new_reaction_on_user_post', kind: 'broadcast', audiences: ['user_{post_owner}'], summary: 'Someone reacted to your post.', data: reactionUpdate },
  { type: 'new_reaction_on_user_comment', kind: 'broadcast', audiences: ['user_{comment_owner}'], summary: 'Someone reacted to your comment.', data: reactionUpdate },
);

/** API Gateway's own frames (no `type`): a message its route selection could not place, or an integration failure. */
export const gatewayFrameSchema = z.object({ message: z.string(), connectionId: z.string(), requestId: z.string() });

/** The full schema of one server event (envelope + type + data). */
export function serverEventSchema(spec: ServerEventSpec) {
  return z.object({ type: z.literal(spec.type), data: spec.data, ...envelope[spec.kind] });
}

export function clientMessageSchema(spec: ClientMessageSpec) {
  return z.object(spec.data ? { type: z.literal(spec.type), data: spec.data } : { type: z.literal(spec.type), data: z.optional(z.unknown()) });
}

/** Every broadcast event as it travels alone: what a protocol-2 `batch` frame holds, in order. */
const singleEvents = [...serverEvents.values()].filter((spec) => spec.kind === 'broadcast').map(serverEventSchema);

defineServerEvents({
  type: 'batch',
  kind: 'broadcast',
  audiences: ['ventroom_feed', 'vent_post_{post_id}', 'user_{author}'],
  summary:
    "Protocol 2 only (`?protocol=2` at $connect; docs/realtime.md): one group's events since its last batch, in order, each exactly as it would travel alone (its id, its position in the group), then the latest view counts; at most 32 KB and one frame per group per interval (1 s; the feed's widens with its audience, its counts at most every 30 s unless they ride with events). A group with more than 3 frames of events waiting sends the newest that fit and `skipped` (how many older events were left out, and the offset they go up to): the client counts itself caught up to there and refetches over HTTP what the group shows.",
  data: z.object({
    group: z.string(),
    events: z.array(z.union(singleEvents as unknown as [z.ZodMiniType, z.ZodMiniType, ...z.ZodMiniType[]])),
    skipped: z.optional(z.object({ events: z.int().check(z.minimum(1)), through_offset: z.int().check(z.minimum(1)) })),
  }),
});
