/**
 * The least-privilege proof's logic, on plain data: IAM statements as the template holds them (with
 * resources flattened to strings, `<Logical.Arn>/...`), and recorded calls rendered as the same
 * strings. Two directions per function:
 *  - every recorded call is allowed by some statement (action, resource, condition), and no
 *    statement denies it;
 *  - every action of every statement, on every resource of it, and every partition family of its
 *    `dynamodb:LeadingKeys` condition, was used by some recorded call that the statement allows.
 * A policy element this evaluator does not understand (NotAction, an unknown condition operator or
 * key) is an error, never a silent pass.
 */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  [other: string]: unknown;
}

export interface CheckedCall {
  action: string;
  /** The resource, rendered as the template names it (e.g. `<DataTable.Arn>/index/ViewsByHour`). */
  resource: string;
  leadingKeys?: string[];
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const globCache = new Map<string, RegExp>();
/** IAM's wildcards: `*` any run of characters (slashes too), `?` one character. */
function glob(pattern: string, caseInsensitive = false): RegExp {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let compiled = globCache.get(cacheKey);
  if (!compiled) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    compiled = new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
    globCache.set(cacheKey, compiled);
  }
  return compiled;
}

/** Action names are case-insensitive in IAM; resources are not. */
const actionMatches = (pattern: string, action: string) => glob(pattern, true).test(action);
const resourceMatches = (pattern: string, resource: string) => glob(pattern).test(resource);

const UNDERSTOOD = new Set(['Effect', 'Action', 'Resource', 'Condition', 'Sid']);

export function checkUnderstood(statement: PolicyStatement): void {
  const unknown = Object.keys(statement).filter((key) => !UNDERSTOOD.has(key));
  if (unknown.length) throw new Error(`The IAM check does not evaluate ${unknown.join(', ')} (statement ${JSON.stringify(statement)})`);
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    if (operator !== 'ForAllValues:StringLike' && operator !== 'ForAllValues:StringEquals') throw new Error(`The IAM check does not evaluate the condition operator ${operator}`);
    for (const key of Object.keys(block)) if (key !== 'dynamodb:LeadingKeys') throw new Error(`The IAM check does not evaluate the condition key ${key}`);
  }
}

/**
 * Whether the statement's condition holds for the call. `ForAllValues:` holds when every value the
 * request carries matches one of the listed values (and, as in IAM, when the request carries none).
 */
export function conditionHolds(statement: PolicyStatement, call: CheckedCall): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, block]) =>
    Object.values(block).every((allowed) => {
      const patterns = list(allowed);
      const like = operator.endsWith('StringLike');
      return (call.leadingKeys ?? []).every((value) => patterns.some((pattern) => (like ? glob(pattern).test(value) : pattern === value)));
    }),
  );
}

function statementAllows(statement: PolicyStatement, call: CheckedCall): boolean {
  return (
    list(statement.Action).some((action) => actionMatches(action, call.action)) &&
    list(statement.Resource).some((resource) => resourceMatches(resource, call.resource)) &&
    conditionHolds(statement, call)
  );
}

/** Whether the policy lets the call through: an Allow applies and no Deny does. */
export function isAllowed(statements: PolicyStatement[], call: CheckedCall): boolean {
  return (
    statements.some((s) => s.Effect === 'Allow' && statementAllows(s, call)) && !statements.some((s) => s.Effect === 'Deny' && statementAllows(s, call))
  );
}

/**
 * What a statement grants that no recorded call used: each action on each resource must be used by
 * a call the statement allows, and each value of its condition (a partition family) must be what
 * one of those calls touched. (Combinations are not required: a statement granting PutItem and
 * UpdateItem in two families passes when each action and each family is used.)
 */
export function unusedGrants(statement: PolicyStatement, calls: CheckedCall[]): string[] {
  const unused: string[] = [];
  const allowed = calls.filter((call) => statementAllows(statement, call));
  for (const action of list(statement.Action)) {
    for (const resource of list(statement.Resource)) {
      if (!allowed.some((call) => actionMatches(action, call.action) && resourceMatches(resource, call.resource))) unused.push(`${action} on ${resource}`);
    }
  }
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    const like = operator.endsWith('StringLike');
    for (const pattern of Object.values(block).flatMap(list)) {
      const needed = allowed.some((call) => (call.leadingKeys ?? []).some((value) => (like ? glob(pattern).test(value) : pattern === value)));
      if (!needed) unused.push(`${list(statement.Action).join(', ')} in partitions ${pattern}`);
    }
  }
  return unused;
}
