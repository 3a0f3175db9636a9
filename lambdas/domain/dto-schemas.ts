import * as z from 'zod/mini';
import { MEDIA_TYPES } from '../core/media-types.ts';
import { REACTION_TYPES } from '../core/reactions.ts';

/**
 * The response DTOs as zod schemas. The DTO types the mappers return derive from them (post-dto.ts,
 * comment-dto.ts, author.ts, view-stats.ts), and the API description (docs/api/) is generated from
 * them, so the code and the description cannot drift. No mapper parses with them: they cost nothing
 * per request. Plain data: importing this module reads no configuration.
 */

/** A count: a non-negative integer. */
export const countSchema = () => z.int().check(z.minimum(0));
const idSchema = () => z.int().check(z.minimum(1));

/** The spec's `user` object on posts and comments (from the writer's token claims). */
export const userSchema = z.object({ id: z.string(), display_name: z.string(), profile_photo: z.nullable(z.string()) });
export type UserDto = z.infer<typeof userSchema>;

/** One of the spec's four reaction types, as answered (❤️ always with U+FE0F). */
export const reactionTypeSchema = z.enum(REACTION_TYPES);

/** `reaction_summary`: types with a positive count, most used first. */
export const reactionSummarySchema = z.array(z.object({ reaction_type: reactionTypeSchema, count: z.int().check(z.minimum(1)) }));

export const postSchema = z.object({
  id: idSchema(),
  user: userSchema,
  title: z.string(),
  content: z.string(),
  media: z.nullable(z.url()),
  media_type: z.nullable(z.enum(MEDIA_TYPES)),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  views: countSchema(),
  has_viewed: z.boolean(),
  comment_count: countSchema(),
  reaction_summary: reactionSummarySchema,
  user_reaction: z.nullable(reactionTypeSchema),
});
export type PostDto = z.infer<typeof postSchema>;

/** A reply as it appears inside its thread's `replies` array: a comment without nested replies. */
export const replySchema = z.object({
  id: idSchema(),
  user: userSchema,
  parent: z.nullable(idSchema()),
  text: z.string(),
  media: z.nullable(z.url()),
  media_type: z.nullable(z.enum(MEDIA_TYPES)),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  reaction_summary: reactionSummarySchema,
  user_reaction: z.nullable(reactionTypeSchema),
});
export type ReplyDto = z.infer<typeof replySchema>;

/** The spec's comment object: a top-level comment with at most three preview replies. */
export const commentSchema = z.extend(replySchema, { replies: z.array(replySchema).check(z.maxLength(3)) });
export type CommentDto = z.infer<typeof commentSchema>;

/** The spec's view analytics for one post. */
export const viewStatsSchema = z.object({
  post_id: idSchema(),
  total_views: countSchema(),
  unique_viewers: countSchema(),
  recent_views_24h: countSchema(),
  views_last_7_days: z.array(z.object({ date: z.iso.date(), views: countSchema() })).check(z.length(7)),
  has_user_viewed: z.boolean(),
});
export type ViewStatsDto = z.infer<typeof viewStatsSchema>;
