import { errorFor } from './errors.ts';
import type {
  Comment,
  CommentPage,
  MarkViewedResponse,
  Post,
  PostPage,
  PostWithComments,
  ReactionResponse,
  TokenRequest,
  TokenResponse,
  UploadResponse,
  ViewStats,
} from './generated/api-types.ts';

export type MediaType = 'image' | 'video' | 'audio';
export type ReactionType = '👍' | '❤️' | '😂' | '😢';
export type ContentType = 'ventpost' | 'ventcomment';

/** A file to attach: sent inside the request when small, through a presigned upload when large (or when `via` says so). */
export interface MediaFile {
  data: Blob;
  type: MediaType;
  filename?: string;
  via?: 'multipart' | 'upload';
}

/** What a create or update may say about media: a file, an already uploaded `media_key`, or `null` to remove it. */
export type MediaChange = MediaFile | { mediaKey: string; type: MediaType } | null;

export interface PostInput {
  title?: string;
  content: string;
  media?: MediaChange;
}
export interface CommentInput {
  text: string;
  parent?: number | null;
  media?: MediaChange;
}
export interface PageParams {
  page?: number;
  page_size?: number;
}

export interface ClientOptions {
  /** The API's origin, e.g. `http://127.0.0.1:3000` or the stack's HttpApiUrl. */
  baseUrl: string;
  /** The JWT, or a function returning the current one (called before every request, so it can refresh). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  fetch?: typeof fetch;
}

/** Files up to this size go inside the request (the API takes 4 MiB there); larger ones through createUpload. */
export const INLINE_MEDIA_BYTES = 4 * 1024 * 1024;

/**
 * The HTTP API, a method per operation (named as the OpenAPI document's operationIds). Failures
 * throw the typed errors of errors.ts. Runs wherever `fetch` does: browsers, React Native, Node.
 */
export class VentRoomClient {
  readonly baseUrl: string;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private async headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    return token ? { authorization: `Bearer ${token}`, ...extra } : extra;
  }

  /** One call; JSON bodies are serialised, FormData is sent as multipart. Exposed for endpoints this class does not wrap. */
  async request<T>(method: string, path: string, options: { json?: unknown; form?: FormData; query?: Record<string, string | number | undefined> } = {}): Promise<T> {
    const url = new URL(path.startsWith('http') ? path : `${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers = await this.headers(options.json !== undefined ? { 'content-type': 'application/json' } : {});
    const body = options.json !== undefined ? JSON.stringify(options.json) : options.form;
    const response = await this.fetcher(url.toString(), { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a gateway page): keep the text.
    }
    if (!response.ok) throw errorFor(response.status, parsed, response.headers);
    return parsed as T;
  }

  // Posts
  listPosts(params: PageParams = {}): Promise<PostPage> {
    return this.request('GET', '/api/ventroom/posts/', { query: { ...params } });
  }
  /** Follows a `next` or `previous` link of any page. */
  page<T extends PostPage | CommentPage>(link: string): Promise<T> {
    return this.request('GET', link);
  }
  getPost(postId: number): Promise<Post> {
    return this.request('GET', `/api/ventroom/posts/${postId}/`);
  }
  async createPost(input: PostInput): Promise<Post> {
    return this.write('POST', '/api/ventroom/posts/', { title: input.title, content: input.content }, input.media);
  }
  replacePost(postId: number, input: PostInput): Promise<Post> {
    return this.write('PUT', `/api/ventroom/posts/${postId}/`, { title: input.title, content: input.content }, input.media);
  }
  updatePost(postId: number, input: Partial<PostInput>): Promise<Post> {
    return this.write('PATCH', `/api/ventroom/posts/${postId}/`, { title: input.title, content: input.content }, input.media);
  }
  async deletePost(postId: number): Promise<void> {
    await this.request('DELETE', `/api/ventroom/posts/${postId}/`);
  }
  trendingPosts(): Promise<PostPage> {
    return this.request('GET', '/api/ventroom/posts/trending/');
  }
  viewStats(postId: number): Promise<ViewStats> {
    return this.request('GET', `/api/ventroom/posts/${postId}/view_stats/`);
  }
  markAsViewed(postIds: number[]): Promise<MarkViewedResponse> {
    return this.request('POST', '/api/ventroom/posts/mark_as_viewed/', { json: { post_ids: postIds } });
  }

  // Comments
  postWithComments(postId: number, params: PageParams = {}): Promise<PostWithComments> {
    return this.request('GET', `/api/ventroom/posts/${postId}/with_comments/`, { query: { ...params } });
  }
  listComments(postId: number, params: PageParams = {}): Promise<CommentPage> {
    return this.request('GET', `/api/ventroom/posts/${postId}/comments/`, { query: { ...params } });
  }
  createComment(postId: number, input: CommentInput): Promise<Comment> {
    return this.write('POST', `/api/ventroom/posts/${postId}/comments/`, { text: input.text, parent: input.parent }, input.media);
  }
  replaceComment(postId: number, commentId: number, input: Omit<CommentInput, 'parent'>): Promise<Comment> {
    return this.write('PUT', `/api/ventroom/posts/${postId}/comments/${commentId}/`, { text: input.text }, input.media);
  }
  updateComment(postId: number, commentId: number, input: Partial<Omit<CommentInput, 'parent'>>): Promise<Comment> {
    return this.write('PATCH', `/api/ventroom/posts/${postId}/comments/${commentId}/`, { text: input.text }, input.media);
  }
  async deleteComment(postId: number, commentId: number): Promise<void> {
    await this.request('DELETE', `/api/ventroom/posts/${postId}/comments/${commentId}/`);
  }

  // Reactions
  react(target: { content_type: ContentType; object_id: number; reaction_type: ReactionType }): Promise<ReactionResponse> {
    return this.request('POST', '/api/ventroom/reactions/', { json: target });
  }
  async removeReaction(target: { content_type: ContentType; object_id: number }): Promise<void> {
    await this.request('DELETE', '/api/ventroom/reactions/', { json: target });
  }

  // Media
  createUpload(size: number): Promise<UploadResponse> {
    return this.request('POST', '/api/ventroom/uploads/', { json: { size } });
  }
  /** A presigned upload: asks for a URL, PUTs the bytes, and answers the `media_key` to send in a create or update. */
  async uploadMedia(data: Blob): Promise<string> {
    const upload = await this.createUpload(data.size);
    const response = await this.fetcher(upload.upload_url, { method: 'PUT', body: data });
    if (!response.ok) throw errorFor(response.status, await response.text(), response.headers);
    return upload.media_key;
  }

  /** A create or update: JSON, or multipart when a small file goes along (a large one is uploaded first). */
  private async write<T>(method: string, path: string, fields: Record<string, unknown>, media: MediaChange | undefined): Promise<T> {
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    if (media === undefined) return this.request(method, path, { json: defined });
    if (media === null) return this.request(method, path, { json: { ...defined, media: null } });
    if ('mediaKey' in media) return this.request(method, path, { json: { ...defined, media_key: media.mediaKey, media_type: media.type } });
    const via = media.via ?? (media.data.size <= INLINE_MEDIA_BYTES ? 'multipart' : 'upload');
    if (via === 'upload') {
      const mediaKey = await this.uploadMedia(media.data);
      return this.request(method, path, { json: { ...defined, media_key: mediaKey, media_type: media.type } });
    }
    const form = new FormData();
    for (const [name, value] of Object.entries(defined)) form.set(name, value === null ? '' : String(value));
    form.set('media_type', media.type);
    form.set('media', media.data, media.filename ?? 'media');
    return this.request(method, path, { form });
  }
}

/** The offline twin's token endpoint (never deployed): a dev JWT for any identity. */
export async function devToken(baseUrl: string, request: TokenRequest, fetcher: typeof fetch = (i, n) => fetch(i, n)): Promise<TokenResponse> {
  const response = await fetcher(`${baseUrl.replace(/\/+$/, '')}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const body = (await response.json()) as unknown;
  if (!response.ok) throw errorFor(response.status, body, response.headers);
  return body as TokenResponse;
}
