import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { addIssue } from '../../core/config.ts';
import { parseBody } from '../../core/http/body.ts';
import { REACTION_TYPES, normalizeReaction, type ReactionType } from '../../core/reactions.ts';
import { choice, documented, integer, text, validate } from '../../core/validation.ts';
import type { ContentType } from '../../domain/notify.ts';

const CONTENT_TYPES = ['ventpost', 'ventcomment'] as const;

/** A CharField whose value the view checks, with the spec's own message. */
const contentType = documented(
  z.pipe(
    text({ max: 50 }),
    z.transform((value: string, ctx): ContentType => {
      if ((CONTENT_TYPES as readonly string[]).includes(value)) return value as ContentType;
      return addIssue(ctx, "Invalid content type. Must be 'ventpost' or 'ventcomment'.");
    }),
  ),
  { type: 'string', enum: [...CONTENT_TYPES] },
);

/** ❤ arrives with or without U+FE0F depending on the keyboard; both mean the documented ❤️. */
const reactionType = documented(
  z.pipe(
    z.pipe(z.unknown(), z.transform((value: unknown) => (typeof value === 'string' ? (normalizeReaction(value) ?? value) : value))),
    choice(REACTION_TYPES),
  ),
  { type: 'string', enum: [...REACTION_TYPES, '\u2764'], description: '❤ is accepted with or without U+FE0F and stored as ❤️.' },
);

/** What names a reacted-to object. */
export const reactionTargetShape = { content_type: contentType, object_id: integer() };
export const reactionShape = { ...reactionTargetShape, reaction_type: reactionType };

export interface ReactionTargetInput {
  contentType: ContentType;
  objectId: number;
}

/** Reactions are small JSON (or form) bodies; no files. */
async function fieldsOf(event: APIGatewayProxyEventV2): Promise<unknown> {
  return (await parseBody(event, { maxFileBytes: 0, maxFiles: 0 })).fields;
}

export async function reactionInput(event: APIGatewayProxyEventV2): Promise<ReactionTargetInput & { reaction: ReactionType }> {
  const fields = validate(reactionShape, await fieldsOf(event));
  // Required, not nullable: validation has refused anything but a value.
  return { contentType: fields.content_type, objectId: fields.object_id!, reaction: fields.reaction_type! };
}

/**
 * What a removal names: the body's fields, or the query string's (some HTTP clients cannot send a
 * body with DELETE).
 */
export async function reactionTargetInput(event: APIGatewayProxyEventV2, query: Record<string, string>): Promise<ReactionTargetInput> {
  const body = await fieldsOf(event);
  const source = body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length > 0 ? body : query;
  const fields = validate(reactionTargetShape, source);
  return { contentType: fields.content_type, objectId: fields.object_id! };
}
