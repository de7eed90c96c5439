/**
 * Optimal-string-alignment (restricted Damerau-Levenshtein) distance: a swapped pair of
 * letters (`api_bsae`) counts as one edit, the commonest typo in a hand-written key.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known key `key` is probably a typo of, or undefined. Short keys allow one edit only, so
 * real LiteLLM keys that sit close to each other (`rpm`/`tpm`, `order`) never trip it; keys
 * that are themselves known elsewhere in LiteLLM (`ignored`) are passed in and never suggested.
 */
export function suggestKey(key: string, known: readonly string[], alsoValid: readonly string[] = []): string | undefined {
  if (known.includes(key) || alsoValid.includes(key)) return undefined;
  const lower = key.toLowerCase();
  const limit = key.length <= 4 ? 0 : key.length <= 7 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate);
    if (distance <= limit && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}
