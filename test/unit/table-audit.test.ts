import { describe, expect, it } from 'vitest';
import { audit, type Item } from '../support/table-audit.ts';

/** The recount the race, fault and restart tests rely on must itself catch every kind of drift. */
const pad = (n: number) => String(n).padStart(12, '0');

function consistentTable(): Item[] {
  const post = 7;
  const P = `POST#${pad(post)}`;
  const comment = (sk: string, id: number, extra: Item = {}) => ({ pk: P, sk, id, ...extra });
  const lookup = (id: number, placement: string, root?: number) => ({ pk: `CMT#${pad(id)}`, sk: 'CMT', post_id: post, placement, root_id: root });
  return [
    { pk: 'FEED', sk: '~COUNT', n: 1 },
    { pk: 'FEED', sk: `P#${pad(post)}`, id: post, content: 'x' },
    { pk: 'FEED', sk: `P#${pad(post)}#S`, views: 2, comment_count: 5, top_comment_count: 1, r_like: 1 },
    { pk: P, sk: 'VH#2026112408', n: 2 },
    { pk: P, sk: 'VL#abc', user_ids: new Set(['a', 'b']) },
    { pk: P, sk: 'X#P#a', user_id: 'a' },
    { pk: P, sk: `X#C${pad(10)}#b`, user_id: 'b' },
    comment(`C#${pad(10)}`, 10, { reply_count: 4, r_love: 1 }),
    comment(`RP#${pad(10)}#${pad(11)}`, 11, { root_id: 10 }),
    comment(`RP#${pad(10)}#${pad(12)}`, 12, { root_id: 10 }),
    comment(`RP#${pad(10)}#${pad(13)}`, 13, { root_id: 10 }),
    comment(`R#${pad(10)}#${pad(14)}`, 14, { root_id: 10 }),
    lookup(10, 'top'),
    lookup(11, 'preview', 10),
    lookup(12, 'preview', 10),
    lookup(13, 'preview', 10),
    lookup(14, 'later', 10),
    { pk: 'USER#a', sk: `P#${pad(post)}`, viewed_at: '2026-11-24T08:00:00Z', reaction: '👍' },
    { pk: 'USER#b', sk: `P#${pad(post)}`, viewed_at: '2026-11-24T08:00:00Z' },
    { pk: 'USER#b', sk: `P#${pad(post)}#C#${pad(10)}`, reaction: '❤️' },
    { pk: 'USER#a', sk: 'N#2026-11-24T08:00:00Z#c11-post', id: 'c11-post' },
  ];
}

function change(items: Item[], sk: string, patch: Item | null): Item[] {
  return items.flatMap((item) => (item.sk !== sk ? [item] : patch === null ? [] : [{ ...item, ...patch }]));
}

describe('table audit', () => {
  it('finds nothing wrong with a consistent table', () => {
    expect(audit(consistentTable()).problems).toEqual([]);
  });

  const broken: [string, (items: Item[]) => Item[], RegExp][] = [
    ['a view counted twice', (t) => change(t, `P#${pad(7)}#S`, { views: 3 }), /views 3 != 2 viewers/],
    ['a lost hour bucket', (t) => change(t, 'VH#2026112408', { n: 1 }), /hour buckets hold 1 views/],
    ['a drifted reaction counter', (t) => change(t, `P#${pad(7)}#S`, { r_like: 2 }), /👍 2 != 1 reactors/],
    ['a drifted comment reaction', (t) => change(t, `C#${pad(10)}`, { r_love: 0 }), /comment 10: ❤️ 0 != 1/],
    ['a wrong comment count', (t) => change(t, `P#${pad(7)}#S`, { comment_count: 4 }), /comment_count 4 != 5/],
    ['a wrong feed count', (t) => change(t, '~COUNT', { n: 2 }), /feed count 2 != 1 posts/],
    ['a wrong reply count', (t) => change(t, `C#${pad(10)}`, { reply_count: 3 }), /reply_count 3 != 4 replies/],
    ['a preview that is not the oldest replies', (t) => change(change(t, `RP#${pad(10)}#${pad(13)}`, null), `R#${pad(10)}#${pad(14)}`, null).concat([
      { pk: `POST#${pad(7)}`, sk: `RP#${pad(10)}#${pad(14)}`, id: 14 }, { pk: `POST#${pad(7)}`, sk: `R#${pad(10)}#${pad(13)}`, id: 13 },
    ]), /reply 13 of 10 is later, should be preview/],
    ['a stale id lookup', (t) => t.map((item) => (item.pk === `CMT#${pad(14)}` ? { ...item, placement: 'preview' } : item)), /comment 14 lookup says/],
    ['a view no cleanup can find', (t) => change(t, 'VL#abc', { user_ids: new Set(['a']) }), /view of b on post 7 is in no viewer log/],
    ['a reaction no cleanup can find', (t) => change(t, 'X#P#a', null), /reaction of a on post 7 is not indexed/],
    ['a notification stored twice', (t) => [...t, { pk: 'USER#a', sk: 'N#2026-11-24T08:00:01Z#c11-post', id: 'c11-post' }], /notification c11-post stored twice/],
  ];
  for (const [name, breakIt, problem] of broken) {
    it(`catches ${name}`, () => {
      const problems = audit(breakIt(consistentTable())).problems;
      expect(problems.some((p) => problem.test(p)), problems.join('; ')).toBe(true);
    });
  }

  it('lists what a deleted post left behind', () => {
    const items = consistentTable().filter((item) => item.pk !== 'FEED' || item.sk === '~COUNT').map((item) => (item.sk === '~COUNT' ? { ...item, n: 0 } : item));
    const result = audit(items);
    expect(result.leftovers).toContain(`POST#${pad(7)} VL#abc`);
    expect(result.leftovers).toContain(`USER#a P#${pad(7)}`);
  });
});
