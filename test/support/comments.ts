import { call, type TestUser } from './api.ts';

/** Helpers for comment and reaction tests: each throws on an unexpected status, with the body. */
export async function comment(user: TestUser, postId: number, text: string, parent?: number | null) {
  const json: Record<string, unknown> = { text };
  if (parent !== undefined) json.parent = parent;
  const response = await call('POST', `/api/ventroom/posts/${postId}/comments/`, { user, json });
  if (response.status !== 201) throw new Error(`comment failed: ${response.status} ${response.text}`);
  return response.body as { id: number; [key: string]: any };
}

export async function react(user: TestUser, contentType: 'ventpost' | 'ventcomment', objectId: number, reactionType: string) {
  const response = await call('POST', '/api/ventroom/reactions/', { user, json: { content_type: contentType, object_id: objectId, reaction_type: reactionType } });
  if (response.status !== 201) throw new Error(`reaction failed: ${response.status} ${response.text}`);
  return response.body;
}

export async function commentsPage(user: TestUser, postId: number, query = '') {
  const response = await call('GET', `/api/ventroom/posts/${postId}/comments/${query}`, { user });
  if (response.status !== 200) throw new Error(`list failed: ${response.status} ${response.text}`);
  return response.body as { count: number; next: string | null; previous: string | null; results: any[] };
}

export async function getPost(user: TestUser, postId: number) {
  const response = await call('GET', `/api/ventroom/posts/${postId}/`, { user });
  if (response.status !== 200) throw new Error(`get failed: ${response.status} ${response.text}`);
  return response.body;
}

/** Runs tasks with at most `limit` in flight (the twin runs on a small machine). */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit = 25): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}

export const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));
