/** The parts of an UpdateItem that applies a partial change. */
export interface UpdateParts {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * SET for each attribute with a value, REMOVE for each one set to null, nothing for undefined ones
 * (a PATCH that does not name a field leaves it alone).
 */
export function setOrRemove(attributes: Record<string, unknown>): UpdateParts {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  for (const [attribute, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    names[`#${attribute}`] = attribute;
    if (value === null) removes.push(`#${attribute}`);
    else {
      sets.push(`#${attribute} = :${attribute}`);
      values[`:${attribute}`] = value;
    }
  }
  const clauses = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''];
  return { expression: clauses.filter(Boolean).join(' '), names, values };
}
