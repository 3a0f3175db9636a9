import { describe, expect, it } from 'vitest';
import { call, createPost, newUser } from '../support/api.ts';

/**
 * Requests no route matches reach the HTTP API's `$default` route, which answers as Django and DRF
 * do: 404 `{"detail": "Not found."}` for a path nothing serves (before authentication), and for a
 * served path asked with another method 401 without credentials, else 405 with `Allow`.
 */
describe('requests no route matches', () => {
  it('a known path with a method it does not serve: 405 naming the allowed methods, with or without the slash', async () => {
    const user = await newUser();
    const post = await createPost(user);
    const cases: [string, string, string][] = [
      ['DELETE', '/api/ventroom/posts/', 'GET, POST'],
      ['PUT', '/api/ventroom/posts', 'GET, POST'],
      ['POST', `/api/ventroom/posts/${post.id}/`, 'GET, PUT, PATCH, DELETE'],
      ['GET', '/api/ventroom/reactions/', 'POST, DELETE'],
      ['PUT', '/api/ventroom/uploads/', 'POST'],
      ['PATCH', `/api/ventroom/posts/${post.id}/view_stats/`, 'GET'],
      ['DELETE', `/api/ventroom/posts/${post.id}/comments/`, 'GET, POST'],
      ['GET', `/api/ventroom/posts/${post.id}/comments/1/`, 'PUT, PATCH, DELETE'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await call(method, path, { user });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.body).toEqual({ detail: `Method "${method}" not allowed.` });
      expect(response.headers.get('allow')?.split(', ').sort()).toEqual(allow.split(', ').sort());
      expect(response.headers.get('content-type')).toBe('application/json');
    }
  });

  it('a known path with another method but no credentials: 401 first, as DRF authenticates before it dispatches', async () => {
    const response = await call('DELETE', '/api/ventroom/posts/');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    const forged = await call('DELETE', '/api/ventroom/posts/', { headers: { authorization: 'Bearer not.a.token' } });
    expect(forged.status).toBe(401);
  });

  it('OPTIONS on a served path (a CORS preflight, which carries no token): 204 with Allow; API Gateway adds the CORS headers', async () => {
    const response = await call('OPTIONS', '/api/ventroom/posts/', { headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
    expect((await call('OPTIONS', '/api/ventroom/nowhere/')).status).toBe(404);
  });

  it('a path nothing serves: 404 with the DRF body, with or without credentials', async () => {
    const user = await newUser();
    for (const path of ['/', '/api/', '/api/ventroom/', '/api/ventroom/posts/1/likes/', '/api/ventroom/posts/1/comments/2/replies/', '/admin/']) {
      for (const options of [{ user }, {}]) {
        const response = await call('GET', path, options);
        expect(response.status, path).toBe(404);
        expect(response.body).toEqual({ detail: 'Not found.' });
      }
    }
  });

  it('answers the matched routes as before: the fallback only sees what no route takes', async () => {
    const user = await newUser();
    const list = await call('GET', '/api/ventroom/posts/', { user });
    expect(list.status).toBe(200);
    const missing = await call('GET', '/api/ventroom/posts/999999999/', { user });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'Not found.' });
  });
});
