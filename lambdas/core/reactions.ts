/**
 * The spec's four reaction types. Counts are stored as one numeric attribute per type on the
 * reacted-to item (so an ADD can move two of them in one update), named here and nowhere else.
 */
export const REACTION_TYPES = ['👍', '❤️', '😂', '😢'] as const;
export type ReactionType = (typeof REACTION_TYPES)[number];

export const REACTION_ATTRIBUTES: Record<ReactionType, string> = {
  '👍': 'r_like',
  '❤️': 'r_love',
  '😂': 'r_haha',
  '😢': 'r_sad',
};

export type ReactionCounts = Partial<Record<ReactionType, number>>;

/** Accepts ❤ with or without U+FE0F (keyboards differ) and answers the documented ❤️. */
export function normalizeReaction(input: string): ReactionType | undefined {
  const value = input === '\u2764' ? '\u2764\uFE0F' : input;
  return (REACTION_TYPES as readonly string[]).includes(value) ? (value as ReactionType) : undefined;
}

export function isReactionType(value: unknown): value is ReactionType {
  return typeof value === 'string' && (REACTION_TYPES as readonly string[]).includes(value);
}

/** Reads the per-type counters off a stored item. */
export function reactionCountsOf(item: Record<string, unknown> | undefined): ReactionCounts {
  const counts: ReactionCounts = {};
  for (const type of REACTION_TYPES) {
    const n = item?.[REACTION_ATTRIBUTES[type]];
    if (typeof n === 'number' && n > 0) counts[type] = n;
  }
  return counts;
}

/** The `reaction_summary` array: types with a positive count, most used first, ties in spec order. */
export function reactionSummary(counts: ReactionCounts): { reaction_type: ReactionType; count: number }[] {
  return REACTION_TYPES.filter((type) => (counts[type] ?? 0) > 0)
    .map((type) => ({ reaction_type: type, count: counts[type]! }))
    .sort((a, b) => b.count - a.count || REACTION_TYPES.indexOf(a.reaction_type) - REACTION_TYPES.indexOf(b.reaction_type));
}
