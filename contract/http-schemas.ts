import * as z from 'zod/mini';
import { MEDIA_TYPES } from '../lambdas/core/media-types.ts';
import { choice } from '../lambdas/core/validation.ts';
import { commentSchema, countSchema, postSchema, reactionTypeSchema, userSchema } from '../lambdas/domain/dto-schemas.ts';

/**
 * Response bodies that have no DTO module of their own, and the DRF error shapes. The DTO schemas
 * (post, comment, user, view stats) live next to their mappers in lambdas/domain/.
 */

/** DRF's page-number pagination envelope. */
export function pageSchema<T extends z.ZodMiniType>(item: T) {
  return z.object({ count: countSchema(), next: z.nullable(z.url()), previous: z.nullable(z.url()), results: z.array(item) });
}

export const postPageSchema = pageSchema(postSchema);
export const commentPageSchema = pageSchema(commentSchema);
export const postWithCommentsSchema = z.object({ post: postSchema, comments: commentPageSchema });

export const markViewedResponseSchema = z.object({
  status: z.literal('success'),
  tracked_posts: countSchema(),
  message: z.literal('Views tracked successfully'),
});

export const reactionResponseSchema = z.object({
  content_type: z.enum(['ventpost', 'ventcomment']),
  object_id: z.int(),
  reaction_type: reactionTypeSchema,
});

export const uploadResponseSchema = z.object({
  upload_url: z.url(),
  media_key: z.string(),
  expires_in: z.int().check(z.minimum(1)),
});

/** 401, 403, 404, 405, 415, 429, 500 and some 400s: `{"detail": "..."}`. */
export const detailErrorSchema = z.object({ detail: z.string() });

/** DRF field errors: a list of messages per field; a list field reports per index (`{"post_ids": {"2": [...]}}`). */
export const fieldErrorsSchema = z.record(z.string(), z.union([z.array(z.string()), z.record(z.string(), z.array(z.string()))]));

/** mark_as_viewed's documented body for a missing, non-array or empty `post_ids`. */
export const legacyErrorSchema = z.object({ error: z.string() });

/** What API Gateway itself answers (413 for a body over its limit, 400 for a malformed path, 5xx). */
export const gatewayErrorSchema = z.object({ message: z.string() });

export const badRequestSchema = z.union([fieldErrorsSchema, detailErrorSchema, legacyErrorSchema, gatewayErrorSchema]);

/** The media fields a create or update takes besides its text fields. */
export const mediaJsonShape = {
  media: z.optional(z.null()),
  media_key: z.optional(z.nullable(z.string())),
  media_type: choice(MEDIA_TYPES, { required: false, allowNull: true }),
};

/** The twin's own endpoints (not deployed). */
export const tokenRequestSchema = z.object({
  display_name: z.string().check(z.minLength(1)),
  user_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  profile_photo: z.optional(z.nullable(z.string())),
  admin: z.optional(z.boolean()),
  expires_in: z.optional(z.number()),
});
export const tokenResponseSchema = z.object({
  token: z.string(),
  user: userSchema,
});
export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  http: z.url(),
  ws: z.string(),
  /** What the twin's fault injection did so far (VENTROOM_CONNECTIONS_RATE, VENTROOM_WS_DISCONNECT_DROP_RATE). */
  faults: z.object({ connections_throttled: z.int().check(z.minimum(0)), disconnects_dropped: z.int().check(z.minimum(0)) }),
});
export const drainResponseSchema = z.object({ status: z.literal('drained') });
export const jwksResponseSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string() })) });
