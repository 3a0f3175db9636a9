import { describe, expect, it } from 'vitest';
import { call, createPost, drain, newUser, twin } from '../support/api.ts';

/** Runs alone against its own twin: feed counts and page boundaries are exact. */
describe('feed pagination (DRF page numbers + cursor)', () => {
  it('pages newest first with count/next/previous, following links or bare page numbers', async () => {
    const author = await newUser();
    const reader = await newUser();
    const before = (await call('GET', '/api/ventroom/posts/', { user: reader })).body.count as number;
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await createPost(author, { title: `post ${i}` })).id);
    const newestFirst = [...ids].reverse();
    const total = before + 7;

    const page1 = await call('GET', '/api/ventroom/posts/?page_size=3', { user: reader });
    expect(page1.status).toBe(200);
    expect(page1.body.count).toBe(total);
    expect(page1.body.previous).toBeNull();
    expect(page1.body.results.map((p: any) => p.id)).toEqual(newestFirst.slice(0, 3));
    const next1 = new URL(page1.body.next);
    expect(next1.pathname).toBe('/api/ventroom/posts/');
    expect(next1.searchParams.get('page')).toBe('2');
    expect(next1.searchParams.get('page_size')).toBe('3');
    expect(next1.searchParams.get('cursor')).toBeTruthy();

    const page2 = await call('GET', page1.body.next, { user: reader });
    expect(page2.body.results.map((p: any) => p.id)).toEqual(newestFirst.slice(3, 6));
    const prev2 = new URL(page2.body.previous);
    expect(prev2.searchParams.get('page')).toBeNull();
    expect(prev2.searchParams.get('page_size')).toBe('3');
    const bare2 = await call('GET', '/api/ventroom/posts/?page=2&page_size=3', { user: reader });
    expect(bare2.body).toEqual(page2.body);

    const page3 = await call('GET', page2.body.next, { user: reader });
    expect(page3.body.results[0].id).toBe(newestFirst[6]);
    const backTo2 = await call('GET', page3.body.previous, { user: reader });
    expect(new URL(page3.body.previous).searchParams.get('cursor')).toBeTruthy();
    expect(backTo2.body.results.map((p: any) => p.id)).toEqual(page2.body.results.map((p: any) => p.id));

    const lastPage = Math.ceil(total / 3);
    const last = await call('GET', `/api/ventroom/posts/?page=${lastPage}&page_size=3`, { user: reader });
    expect(last.status).toBe(200);
    expect(last.body.next).toBeNull();
    for (const bad of [`${lastPage + 1}`, '0', '-1', 'abc', '1.5']) {
      const response = await call('GET', `/api/ventroom/posts/?page=${bad}&page_size=3`, { user: reader });
      expect(response.status, bad).toBe(404);
      expect(response.body).toEqual({ detail: 'Invalid page.' });
    }
  });

  it('builds links from the host the API was reached by (never a forged X-Forwarded-Host) with the documented trailing slash', async () => {
    const user = await newUser();
    await createPost(user);
    await createPost(user);
    const response = await call('GET', '/api/ventroom/posts?page_size=1', { user, headers: { 'x-forwarded-host': 'evil.example.com', 'x-forwarded-proto': 'https' } });
    const twinHost = new URL(twin().httpUrl).host;
    expect(response.body.next.startsWith(`https://${twinHost}/api/ventroom/posts/?`)).toBe(true);
  });

  it('clamps page_size to 100 and ignores a bad one, as DRF does', async () => {
    const user = await newUser();
    const huge = await call('GET', '/api/ventroom/posts/?page_size=1000', { user });
    expect(huge.body.results.length).toBeLessThanOrEqual(100);
    const bad = await call('GET', '/api/ventroom/posts/?page_size=abc', { user });
    expect(bad.status).toBe(200);
    expect(bad.body.results.length).toBe(Math.min(20, bad.body.count));
  });

  it('walking a cursor never repeats or skips a post while new posts arrive on top', async () => {
    const author = await newUser();
    const reader = await newUser();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await createPost(author)).id);
    const first = await call('GET', '/api/ventroom/posts/?page_size=2', { user: reader });
    await createPost(author);
    await createPost(author);
    const seen = first.body.results.map((p: any) => p.id);
    let next = first.body.next;
    while (next && seen.length < 6) {
      const page = await call('GET', next, { user: reader });
      seen.push(...page.body.results.map((p: any) => p.id));
      next = page.body.next;
    }
    expect(seen.slice(0, 6)).toEqual([...ids].reverse());
  });

  it('shows has_viewed for the whole page once the views are counted', async () => {
    const author = await newUser();
    const reader = await newUser();
    const a = await createPost(author);
    const b = await createPost(author);
    const page = await call('GET', '/api/ventroom/posts/?page_size=2', { user: reader });
    expect(page.body.results.map((p: any) => p.has_viewed)).toEqual([false, false]);
    await drain();
    const again = await call('GET', '/api/ventroom/posts/?page_size=2', { user: reader });
    expect(again.body.results.map((p: any) => [p.id, p.has_viewed, p.views])).toEqual([
      [b.id, true, 1],
      [a.id, true, 1],
    ]);
  });
});
