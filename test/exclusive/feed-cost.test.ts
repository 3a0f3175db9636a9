import { describe, expect, it } from 'vitest';
import { newMeter, withCapacityMeter } from '../../lambdas/core/db.ts';
import { pageParams } from '../../lambdas/core/pagination.ts';
import { listPosts } from '../../lambdas/domain/post-reads.ts';
import { createPost, drain, newUser, call } from '../support/api.ts';

const principal = (id: string) => ({ id, displayName: id, profilePhoto: null, isAdmin: false });
const url = (query: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  return `http://test/api/ventroom/posts/?${search}`;
};

/** The feed's DynamoDB bill, measured with ReturnConsumedCapacity: calls, reads, and no writes. */
describe('feed page cost', () => {
  it('a 20-post page is at most 3 calls and writes nothing, fresh reader or not', async () => {
    const authors = [await newUser(), await newUser()];
    for (let i = 0; i < 21; i++) await createPost(authors[i % 2]!, { title: `Post ${i}`, content: 'A typical vent of a couple of sentences. '.repeat(6) });
    const reader = await newUser();

    const fresh = newMeter();
    await withCapacityMeter(fresh, () => listPosts(principal(reader.id), pageParams({}), url, {}));
    expect(fresh.writeUnits).toBe(0);
    expect(fresh.calls).toBeLessThanOrEqual(2);

    await call('GET', '/api/ventroom/posts/', { user: reader });
    await drain();
    const seen = newMeter();
    const page = await withCapacityMeter(seen, () => listPosts(principal(reader.id), pageParams({}), url, {}));
    expect(page.results.every((post) => post.has_viewed)).toBe(true);
    expect(seen.writeUnits).toBe(0);

    const next = new URL(page.next!);
    expect(next.searchParams.get('page')).toBe('2');
    const deep = newMeter();
    await withCapacityMeter(deep, () => listPosts(principal(reader.id), pageParams(Object.fromEntries(next.searchParams)), url, {}));
    expect(deep.calls).toBeLessThanOrEqual(3);
    // A bare page number far past the end is refused before any read (it is past the walk cap).
    const far = newMeter();
    await expect(withCapacityMeter(far, () => listPosts(principal(reader.id), pageParams({ page: '999999' }), url, {}))).rejects.toThrow('Invalid page.');
    expect(far.operations).toEqual([]);
    console.log(
      `feed page of 20: fresh reader ${fresh.readUnits} RCU in ${fresh.calls} calls (${fresh.operations.join(', ')}); ` +
        `reader who viewed all ${seen.readUnits} RCU in ${seen.calls} calls; page 2 via cursor ${deep.readUnits} RCU in ${deep.calls} calls (${deep.operations.join(', ')})`,
    );
  });
});
