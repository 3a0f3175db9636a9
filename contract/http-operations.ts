import * as z from 'zod/mini';
import type { HttpMethod } from '../lambdas/manifest.ts';
import { postIdsShape } from '../lambdas/http/posts/post-ids-input.ts';
import { commentShapes, postShape, uploadShape } from '../lambdas/http/request-shapes.ts';
import { reactionShape, reactionTargetShape } from '../lambdas/http/reactions/reaction-input.ts';
import { commentSchema, postSchema, viewStatsSchema } from '../lambdas/domain/dto-schemas.ts';
import {
  commentPageSchema,
  markViewedResponseSchema,
  postPageSchema,
  postWithCommentsSchema,
  reactionResponseSchema,
  uploadResponseSchema,
} from './http-schemas.ts';

/**
 * What each manifest route does, per method, for the OpenAPI document: the request shapes are the
 * very ones the handlers validate with, the response schemas the ones the DTO types derive from.
 * The generator refuses a manifest route without an entry here.
 */
export interface BodySpec {
  shape: z.core.$ZodLooseShape;
  /** Also takes `multipart/form-data` with one `media` file (and `media_key`/`media_type`). */
  media?: boolean;
}

export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tag: 'Posts' | 'Comments' | 'Reactions' | 'Views' | 'Media';
  paginated?: boolean;
  body?: BodySpec;
  /** Also accepted as query parameters (DELETE reactions). */
  queryShape?: z.core.$ZodLooseShape;
  success: { status: 200 | 201 | 204; schema?: z.ZodMiniType; description: string };
  /** Error statuses beyond the ones every operation has (401, 429 where rate limited, 500). */
  errors: (400 | 403 | 404 | 413 | 415)[];
}

/** The default of MEDIA_MAX_UPLOAD_BYTES (lambdas/core/media.ts). */
const UPLOAD_MAX_BYTES = 100 * 1024 * 1024;

const VIEW_NOTE = 'Counts a view for each post the caller sees for the first time (in the background).';

export const operations: Record<string, Partial<Record<HttpMethod, OperationSpec>>> = {
  ListPosts: {
    GET: { operationId: 'listPosts', tag: 'Posts', summary: 'List posts, newest first', description: VIEW_NOTE, paginated: true, success: { status: 200, schema: postPageSchema, description: 'A page of posts' }, errors: [404] },
  },
  CreatePost: {
    POST: { operationId: 'createPost', tag: 'Posts', summary: 'Create a post (JSON, or multipart with a media file)', body: { shape: postShape(false), media: true }, success: { status: 201, schema: postSchema, description: 'The new post' }, errors: [400, 413, 415] },
  },
  CreateUpload: {
    POST: { operationId: 'createUpload', tag: 'Media', summary: 'A presigned PUT URL for media up to 100 MiB', description: 'PUT exactly `size` bytes to `upload_url`, then send `media_key` (with `media_type`) in a create or update.', body: { shape: uploadShape(UPLOAD_MAX_BYTES) }, success: { status: 201, schema: uploadResponseSchema, description: 'Where to PUT the file' }, errors: [400, 413, 415] },
  },
  TrendingPosts: {
    GET: { operationId: 'trendingPosts', tag: 'Views', summary: 'The 20 posts with the most views in the last 24 hours', description: VIEW_NOTE, success: { status: 200, schema: postPageSchema, description: 'Trending posts' }, errors: [] },
  },
  MarkPostsViewed: {
    POST: { operationId: 'markAsViewed', tag: 'Views', summary: 'Mark up to 100 posts as viewed (no rate limit)', body: { shape: postIdsShape }, success: { status: 200, schema: markViewedResponseSchema, description: 'Accepted for counting' }, errors: [400, 413, 415] },
  },
  PostViewStats: {
    GET: { operationId: 'viewStats', tag: 'Views', summary: "A post's view analytics (UTC)", success: { status: 200, schema: viewStatsSchema, description: 'View statistics' }, errors: [404] },
  },
  GetPost: {
    GET: { operationId: 'getPost', tag: 'Posts', summary: 'One post', description: VIEW_NOTE, success: { status: 200, schema: postSchema, description: 'The post' }, errors: [404] },
  },
  UpdatePost: {
    PUT: { operationId: 'replacePost', tag: 'Posts', summary: 'Replace a post (owner or admin)', body: { shape: postShape(false), media: true }, success: { status: 200, schema: postSchema, description: 'The updated post' }, errors: [400, 403, 404, 413, 415] },
    PATCH: { operationId: 'updatePost', tag: 'Posts', summary: 'Change some fields of a post (owner or admin)', body: { shape: postShape(true), media: true }, success: { status: 200, schema: postSchema, description: 'The updated post' }, errors: [400, 403, 404, 413, 415] },
  },
  DeletePost: {
    DELETE: { operationId: 'deletePost', tag: 'Posts', summary: 'Delete a post with its comments, reactions and media (owner or admin)', success: { status: 204, description: 'Deleted' }, errors: [403, 404] },
  },
  PostWithComments: {
    GET: { operationId: 'postWithComments', tag: 'Comments', summary: 'A post and a page of its comments (the comment screen)', description: VIEW_NOTE, paginated: true, success: { status: 200, schema: postWithCommentsSchema, description: 'The post and its comments' }, errors: [404] },
  },
  ListComments: {
    GET: { operationId: 'listComments', tag: 'Comments', summary: "A post's top-level comments, newest first, each with its thread's three oldest replies", description: VIEW_NOTE, paginated: true, success: { status: 200, schema: commentPageSchema, description: 'A page of comments' }, errors: [404] },
  },
  CreateComment: {
    POST: { operationId: 'createComment', tag: 'Comments', summary: 'Comment on a post, or reply with `parent`', body: { shape: commentShapes.create(), media: true }, success: { status: 201, schema: commentSchema, description: 'The new comment' }, errors: [400, 404, 413, 415] },
  },
  UpdateComment: {
    PUT: { operationId: 'replaceComment', tag: 'Comments', summary: 'Replace a comment (owner or admin)', body: { shape: commentShapes.replace(), media: true }, success: { status: 200, schema: commentSchema, description: 'The updated comment' }, errors: [400, 403, 404, 413, 415] },
    PATCH: { operationId: 'updateComment', tag: 'Comments', summary: 'Change some fields of a comment (owner or admin)', body: { shape: commentShapes.patch(), media: true }, success: { status: 200, schema: commentSchema, description: 'The updated comment' }, errors: [400, 403, 404, 413, 415] },
  },
  DeleteComment: {
    DELETE: { operationId: 'deleteComment', tag: 'Comments', summary: 'Delete a comment with its replies (owner or admin)', success: { status: 204, description: 'Deleted' }, errors: [403, 404] },
  },
  CreateReaction: {
    POST: { operationId: 'react', tag: 'Reactions', summary: "Set the caller's reaction on a post or comment (a new type replaces the old one)", body: { shape: reactionShape }, success: { status: 201, schema: reactionResponseSchema, description: 'The stored reaction' }, errors: [400, 404, 413, 415] },
  },
  DeleteReaction: {
    DELETE: { operationId: 'removeReaction', tag: 'Reactions', summary: "Remove the caller's reaction (not in the spec; body or query)", body: { shape: reactionTargetShape }, queryShape: reactionTargetShape, success: { status: 204, description: 'Removed (or there was none)' }, errors: [400, 404, 413, 415] },
  },
};
