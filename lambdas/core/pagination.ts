import { NotFoundError } from './errors.ts';

/**
 * DRF page-number pagination (`{count, next, previous, results}`) over DynamoDB, where "skip N
 * pages" is not a thing: every `next`/`previous` link carries, beside `page`, an opaque cursor naming
 * the item the page continues from, so following links costs one Query per page. A bare `?page=N`
 * still works by walking keys to the page's start.
 */
export interface PageParams {
  page: number;
  pageSize: number;
  cursor?: Cursor;
}

/** Continue older than (`o`) or newer than (`n`) item `a`; valid only for page `p` of size `s`. */
interface Cursor {
  d: 'o' | 'n';
  a: number;
  p: number;
  s: number;
}

export const INVALID_PAGE = 'Invalid page.';

/** DRF's `_positive_int(strict=True, cutoff=max)`: a bad or missing page_size means the default. */
function pageSizeOf(raw: string | undefined, defaultSize: number, maxSize: number): number {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return defaultSize;
  const n = Number(raw);
  if (n <= 0) return defaultSize;
  return Math.min(n, maxSize);
}

function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (!raw || raw.length > 200) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
    const valid =
      (value.d === 'o' || value.d === 'n') &&
      [value.a, value.p, value.s].every((n) => Number.isSafeInteger(n) && (n as number) > 0);
    return valid ? (value as Cursor) : undefined;
  } catch {
    return undefined;
  }
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function pageParams(query: Record<string, string>, options: { defaultSize?: number; maxSize?: number } = {}): PageParams {
  const pageSize = pageSizeOf(query.page_size, options.defaultSize ?? 20, options.maxSize ?? 100);
  const rawPage = query.page;
  let page = 1;
  if (rawPage !== undefined) {
    if (!/^\d{1,9}$/.test(rawPage.trim()) || Number(rawPage) < 1) throw new NotFoundError(INVALID_PAGE);
    page = Number(rawPage);
  }
  const cursor = decodeCursor(query.cursor);
  // A cursor only counts for the page and size it was minted for; otherwise fall back to walking.
  const usable = cursor && cursor.p === page && cursor.s === pageSize ? cursor : undefined;
  return { page, pageSize, cursor: usable };
}

/** Where a page starts, for the repository: the top, or older/newer than an item id. */
export type PageStart = { from: 'top' } | { from: 'older'; belowId: number } | { from: 'newer'; aboveId: number };

/**
 * How many items a bare `?page=N` may walk past. Walking reads each skipped item (DynamoDB bills a
 * keys-only Query by the items' full size), so an uncapped `?page=999999` on a big feed reads the
 * whole partition; deeper pages are reached by following `next` links, whose cursors cost one Query
 * per page. 1,000 items: page 51 at the default size of 20, page 11 at 100.
 */
export const MAX_WALK_ITEMS = 1_000;

export function pageStart(params: PageParams): PageStart | 'walk' {
  if (params.page === 1) return { from: 'top' };
  if (!params.cursor) {
    if ((params.page - 1) * params.pageSize > MAX_WALK_ITEMS) throw new NotFoundError(INVALID_PAGE);
    return 'walk';
  }
  return params.cursor.d === 'o' ? { from: 'older', belowId: params.cursor.a } : { from: 'newer', aboveId: params.cursor.a };
}

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/**
 * Builds the DRF body for a page whose items are ordered newest first and identified by integer ids.
 * Links keep the request's other query parameters, as DRF's do; `url(params)` makes an absolute URL
 * of the list endpoint with the given query parameters.
 */
export function paginated<T>(
  params: PageParams,
  count: number,
  items: T[],
  idOf: (item: T) => number,
  url: (query: Record<string, string | number | undefined>) => string,
  requestQuery: Record<string, string>,
): Paginated<T> {
  const pages = Math.max(1, Math.ceil(count / params.pageSize));
  if (params.page > pages || (params.page > 1 && items.length === 0)) throw new NotFoundError(INVALID_PAGE);
  const { page: _page, cursor: _cursor, ...base } = requestQuery;
  const last = items[items.length - 1];
  const first = items[0];
  const hasNext = params.page < pages && items.length === params.pageSize && last !== undefined;
  const next = hasNext
    ? url({ ...base, page: params.page + 1, cursor: encodeCursor({ d: 'o', a: idOf(last!), p: params.page + 1, s: params.pageSize }) })
    : null;
  let previous: string | null = null;
  if (params.page === 2) previous = url(base);
  else if (params.page > 2 && first !== undefined) {
    previous = url({ ...base, page: params.page - 1, cursor: encodeCursor({ d: 'n', a: idOf(first), p: params.page - 1, s: params.pageSize }) });
  }
  return { count, next, previous, results: items };
}
