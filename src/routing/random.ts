/** A source of uniform numbers in [0, 1). Injected so routing decisions can be replayed in tests. */
export type Rng = () => number;

export const defaultRng: Rng = Math.random;

/** mulberry32: tiny, fast and good enough to make strategy tests deterministic. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
