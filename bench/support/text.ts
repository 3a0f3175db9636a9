/** Deterministic, readable filler text of exact lengths (ASCII, so characters = bytes). */
const WORDS = (
  'today i just needed somewhere to put this feeling down before it turns into another sleepless night ' +
  'work has been heavy and the people around me mean well but nobody really listens when i try to explain ' +
  'so here it is written out plainly and maybe someone reading understands a little of what this week was like'
).split(' ');

export function textOfLength(length: number, seed = 0): string {
  let text = '';
  for (let index = seed; text.length < length; index++) text += `${text ? ' ' : ''}${WORDS[index % WORDS.length]}`;
  return text.slice(0, length).trimEnd().padEnd(length, '.');
}

/** Sentences: capitalised and full-stopped, as a post or comment reads. */
export function contentOfLength(length: number, seed = 0): string {
  const text = textOfLength(length, seed * 3);
  return (text.charAt(0).toUpperCase() + text.slice(1, -1) + '.').slice(0, length);
}
