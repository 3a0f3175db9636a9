import * as z from 'zod/mini';
import { commentSchema, postSchema, reactionSummarySchema, replySchema, userSchema, viewStatsSchema } from '../lambdas/domain/dto-schemas.ts';
import * as http from './http-schemas.ts';

export type JsonSchema = Record<string, unknown>;
export type Target = 'draft-2020-12' | 'draft-07';

/** The named schemas both documents share, by component name. */
export const namedSchemas: Record<string, z.ZodMiniType> = {
  User: userSchema,
  ReactionSummary: reactionSummarySchema,
  Post: postSchema,
  Reply: replySchema,
  Comment: commentSchema,
  PostPage: http.postPageSchema,
  CommentPage: http.commentPageSchema,
  PostWithComments: http.postWithCommentsSchema,
  ViewStats: viewStatsSchema,
  MarkViewedResponse: http.markViewedResponseSchema,
  ReactionResponse: http.reactionResponseSchema,
  UploadResponse: http.uploadResponseSchema,
  DetailError: http.detailErrorSchema,
  FieldErrors: http.fieldErrorsSchema,
  LegacyError: http.legacyErrorSchema,
  GatewayError: http.gatewayErrorSchema,
  BadRequest: http.badRequestSchema,
  TokenRequest: http.tokenRequestSchema,
  TokenResponse: http.tokenResponseSchema,
  Health: http.healthResponseSchema,
  Drained: http.drainResponseSchema,
  Jwks: http.jwksResponseSchema,
};

const SAFE = Number.MAX_SAFE_INTEGER;

/** zod's output, tidied for a document: no per-schema `$schema`/`$id`, no ±2^53 integer bounds. */
export function tidy(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(tidy);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === '$id') continue;
    if ((key === 'minimum' && value === -SAFE) || (key === 'maximum' && value === SAFE)) continue;
    // zod spells its ISO formats out as long regexes too; the format says it (and ajv-formats checks it).
    if (key === 'pattern' && ((schema as JsonSchema).format === 'date-time' || (schema as JsonSchema).format === 'date')) continue;
    out[key] = tidy(value);
  }
  return out;
}

/**
 * Every named schema (plus `extra`) through zod's own `z.toJSONSchema`, with references between
 * them as `$ref`s to `uriPrefix + name` (zod 4 resolves a registry of schemas into such references).
 * Output mode: objects are closed (`additionalProperties: false`), so a field the schemas do not
 * name fails validation.
 */
export function componentSchemas(target: Target, uriPrefix: string, extra: Record<string, z.ZodMiniType> = {}): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries({ ...namedSchemas, ...extra })) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { metadata: registry, target, io: 'output', uri: (id) => `${uriPrefix}${id}` });
  return tidy(schemas);
}

/** A request body as the handlers read it (input mode: DRF fields, unknown fields ignored). */
export function inputSchema(shape: z.core.$ZodLooseShape, target: Target = 'draft-2020-12'): JsonSchema {
  return tidy(z.toJSONSchema(z.object(shape), { target, io: 'input', unrepresentable: 'any' }));
}
