import { randomUUID } from 'node:crypto';
import { checkHttpResponse } from './contract.ts';
import { workerTwin } from './worker-twin.ts';

export const twin = workerTwin;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface TestUser {
  id: string;
  token: string;
  displayName: string;
  auth: { authorization: string };
}

/** A fresh user from the dev issuer; every test gets its own so rate limits never collide. */
/** A twin other than the project's (one a test started itself): its base URL. */
export interface OtherTwin {
  httpUrl: string;
}

export async function newUser(
  options: { displayName?: string; admin?: boolean; id?: string; expiresIn?: number; photo?: string; on?: OtherTwin } = {},
): Promise<TestUser> {
  const displayName = options.displayName ?? `User ${randomUUID().slice(0, 8)}`;
  const response = await checkedFetch(`${(options.on ?? twin()).httpUrl}/local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      display_name: displayName,
      user_id: options.id ?? randomUUID(),
      admin: options.admin,
      expires_in: options.expiresIn,
      profile_photo: options.photo,
    }),
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${response.text}`);
  const { token, user } = JSON.parse(response.text) as { token: string; user: { id: string } };
  return { id: user.id, token, displayName, auth: { authorization: `Bearer ${token}` } };
}

/** One HTTP call to the twin; `json` sets a JSON body, `body` sends raw (FormData, bytes, text). */
export async function call<T = any>(
  method: string,
  path: string,
  options: { user?: TestUser; json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(options.user?.auth ?? {}), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const url = path.startsWith('http') ? path : `${twin().httpUrl}${path}`;
  const { response, text } = await checkedFetch(url, { method, headers, body });
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the raw text is the body.
  }
  return { status: response.status, body: parsed as T, headers: response.headers, text };
}

export async function createPost(user: TestUser, fields: Record<string, unknown> = {}) {
  const response = await call('POST', '/api/ventroom/posts/', { user, json: { title: 'A title', content: 'Some content', ...fields } });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return response.body as { id: number; [key: string]: any };
}

/** Waits until the twin's queues are empty and no batch is running (views counted, events sent). */
export async function drain(on: OtherTwin = twin()): Promise<void> {
  // One drain waits 50 s; a twin that concurrent tests keep busy (on a slow 2-core machine) gets two more.
  for (let attempt = 1; ; attempt++) {
    const response = await checkedFetch(`${on.httpUrl}/local/drain`, { method: 'POST' });
    if (response.status === 200) return;
    if (attempt >= 3) throw new Error(`drain failed: ${response.status} ${response.text}`);
  }
}

/**
 * fetch, then the response checked against docs/api/openapi.json (a ContractViolation when the
 * status is not documented for the operation or the body does not match its schema exactly).
 */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<{ response: Response; status: number; text: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  checkHttpResponse({ method: init.method ?? 'GET', url, status: response.status, headers: response.headers, text });
  return { response, status: response.status, text };
}
