import type { RoutingTable } from '../routing/routing-table.js';

export interface ShadowFinding {
  /** The exact model_name or alias that is affected. */
  readonly name: string;
  /** The wildcard that would also match it. */
  readonly by: string;
}

/**
 * Exact names are tried before any wildcard, so an exact model_name or alias that a wildcard
 * would also match is served by the exact entry (a warning: usually intended, sometimes a
 * surprise).
 *
 * A wildcard hidden behind another wildcard cannot happen, so it is not checked: patterns are
 * tried most literal characters first, then fewest stars (routing-table.ts), and a pattern can
 * only cover another that has at least as many literal characters and no fewer stars, with one
 * extra literal between any two of its stars (adjacent stars are rejected). Working through the
 * counts, a pattern tried earlier covers a later one only when the two are the same string — one
 * group.
 */
export function findWildcardShadowing(table: RoutingTable): { overridden: ShadowFinding[] } {
  const patterns = table.wildcardPatterns();
  const overridden: ShadowFinding[] = [];
  const names = [...table.groupNames(), ...table.aliasEntries().map(([name]) => name)];
  for (const name of names) {
    const w = patterns.find((x) => x.regex.test(name));
    if (w) overridden.push({ name, by: w.pattern });
  }
  return { overridden };
}
