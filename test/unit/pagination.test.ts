import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../lambdas/core/errors.ts';
import { pageParams, pageStart, paginated } from '../../lambdas/core/pagination.ts';

const url = (query: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, String(v));
  const qs = search.toString();
  return `https://api.test/api/ventroom/posts/${qs ? `?${qs}` : ''}`;
};

describe('page parameters', () => {
  it('defaults, clamps and ignores a bad page_size as DRF does', () => {
    expect(pageParams({})).toMatchObject({ page: 1, pageSize: 20 });
    expect(pageParams({ page_size: '500' }).pageSize).toBe(100);
    expect(pageParams({ page_size: '0' }).pageSize).toBe(20);
    expect(pageParams({ page_size: 'x' }).pageSize).toBe(20);
  });

  it('rejects pages that are not positive integers with "Invalid page."', () => {
    for (const page of ['0', '-2', 'x', '1.5', '']) expect(() => pageParams({ page }), page).toThrow(NotFoundError);
  });
});

describe('paginated bodies and links', () => {
  const items = [{ id: 9 }, { id: 8 }, { id: 7 }];

  it('page 1: no previous; next carries page, size and a cursor after the last item', () => {
    const params = pageParams({ page_size: '3' });
    const body = paginated(params, 10, items, (i) => i.id, url, { page_size: '3' });
    expect(body.previous).toBeNull();
    const next = new URL(body.next!);
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('page_size')).toBe('3');
    const following = pageParams(Object.fromEntries(next.searchParams));
    expect(pageStart(following)).toEqual({ from: 'older', belowId: 7 });
  });

  it('a cursor minted for another page or size is ignored (the page is walked instead)', () => {
    const params = pageParams({ page_size: '3' });
    const next = new URL(paginated(params, 10, items, (i) => i.id, url, { page_size: '3' }).next!);
    const cursor = next.searchParams.get('cursor')!;
    expect(pageStart(pageParams({ page: '3', page_size: '3', cursor }))).toBe('walk');
    expect(pageStart(pageParams({ page: '2', page_size: '4', cursor }))).toBe('walk');
    expect(pageStart(pageParams({ page: '2', page_size: '3', cursor: 'garbage' }))).toBe('walk');
  });

  it('page 2 links back to the bare list; page 3 back with a cursor before its first item', () => {
    const second = paginated(pageParams({ page: '2', page_size: '3' }), 10, items, (i) => i.id, url, { page: '2', page_size: '3' });
    expect(second.previous).toBe('https://api.test/api/ventroom/posts/?page_size=3');
    const third = paginated(pageParams({ page: '3', page_size: '3' }), 10, items, (i) => i.id, url, { page: '3', page_size: '3' });
    const previous = new URL(third.previous!);
    expect(previous.searchParams.get('page')).toBe('2');
    expect(pageStart(pageParams(Object.fromEntries(previous.searchParams)))).toEqual({ from: 'newer', aboveId: 9 });
  });

  it('the last page has no next; past the end is 404; an empty first page is fine', () => {
    expect(paginated(pageParams({ page: '4', page_size: '3' }), 10, [{ id: 1 }], (i) => i.id, url, {}).next).toBeNull();
    expect(() => paginated(pageParams({ page: '5', page_size: '3' }), 10, [] as { id: number }[], (i) => i.id, url, {})).toThrow('Invalid page.');
    expect(paginated(pageParams({}), 0, [], (i: { id: number }) => i.id, url, {})).toEqual({ count: 0, next: null, previous: null, results: [] });
  });
});
