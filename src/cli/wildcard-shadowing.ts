import type { RoutingTable } from '../routing/routing-table.js';

const STAR = Symbol('star');
type Token = string | typeof STAR;

export interface ShadowFinding {
  /** The pattern or name that is affected. */
  readonly name: string;
  /** The wildcard that takes precedence. */
  readonly by: string;
}

/**
 * Wildcards are tried most specific first (routing-table.ts) and exact names before any
 * wildcard. Two situations follow:
 *  - unreachable: a pattern every one of whose names is matched by a pattern tried earlier —
 *    it can never serve a request (an error);
 *  - overridden: an exact model_name or alias that a wildcard would also match; the exact
 *    entry wins for that one name (a warning: usually intended, sometimes a surprise).
 */
export function findWildcardShadowing(table: RoutingTable): { unreachable: ShadowFinding[]; overridden: ShadowFinding[] } {
  const patterns = table.wildcardPatterns();
  const unreachable: ShadowFinding[] = [];
  patterns.forEach((p, j) => {
    for (let i = 0; i < j; i++) {
      if (covers(patterns[i].pattern, p.pattern)) {
        unreachable.push({ name: p.pattern, by: patterns[i].pattern });
        break;
      }
    }
  });
  const overridden: ShadowFinding[] = [];
  const names = [...table.groupNames(), ...table.aliasEntries().map(([name]) => name)];
  for (const name of names) {
    const w = patterns.find((x) => x.regex.test(name));
    if (w) overridden.push({ name, by: w.pattern });
  }
  return { unreachable, overridden };
}

/**
 * Whether every name matched by glob `inner` is matched by glob `outer` (`*` = one or more
 * characters). A `*` of `inner` can only be absorbed by a `*` of `outer`, so a true answer
 * is always right.
 */
export function covers(outer: string, inner: string): boolean {
  const q = tokens(outer);
  const p = tokens(inner);
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (j === q.length) result = i === p.length;
    else if (q[j] === STAR) {
      result = false;
      for (let k = i + 1; k <= p.length && !result; k++) result = match(k, j + 1);
    } else result = i < p.length && p[i] !== STAR && p[i] === q[j] && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

function tokens(pattern: string): Token[] {
  return [...pattern].map((c) => (c === '*' ? STAR : c));
}
