import type { DeploymentTarget } from './routing-table.js';
import { DeploymentStats } from './deployment-stats.js';
import { seededRng } from './random.js';
import { chooseDeployment, deploymentKey, LATENCY_EXPLORATION, lowestOrderLevel, weightedShuffle } from './routing-strategy.js';

function target(id: string, settings: Partial<DeploymentTarget['settings']> = {}): DeploymentTarget {
  return {
    group: 'g',
    deploymentId: id,
    provider: 'openai',
    upstreamModel: `${id}-model`,
    apiBase: 'http://127.0.0.1:1/v1',
    credentials: {},
    settings: { extraHeaders: {}, useChatForResponses: false, modelInfo: {}, ...settings },
    deployment: {} as DeploymentTarget['deployment'],
  };
}

function tally(pick: () => DeploymentTarget, n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = pick().deploymentId;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

const N = 10_000;

describe('simple-shuffle', () => {
  it('is uniform without weight, rpm or tpm', () => {
    const rng = seededRng(1);
    const pool = [target('a'), target('b'), target('c')];
    const counts = tally(() => weightedShuffle(pool, rng), N);
    for (const id of ['a', 'b', 'c']) expect(counts[id] / N).toBeCloseTo(1 / 3, 1);
  });

  it('follows weight', () => {
    const rng = seededRng(2);
    const pool = [target('a', { weight: 1 }), target('b', { weight: 3 })];
    const counts = tally(() => weightedShuffle(pool, rng), N);
    expect(counts.a / N).toBeCloseTo(0.25, 1);
    expect(counts.b / N).toBeCloseTo(0.75, 1);
  });

  it('falls back to rpm, then tpm, when no weight is set', () => {
    const rng = seededRng(3);
    const byRpm = tally(() => weightedShuffle([target('a', { rpm: 900 }), target('b', { rpm: 100 })], rng), N);
    expect(byRpm.a / N).toBeCloseTo(0.9, 1);
    const byTpm = tally(() => weightedShuffle([target('a', { tpm: 1000 }), target('b', { tpm: 3000 })], rng), N);
    expect(byTpm.b / N).toBeCloseTo(0.75, 1);
  });

  it('weight wins over rpm; an unlabelled deployment counts as the average', () => {
    const rng = seededRng(4);
    const pool = [target('a', { weight: 2, rpm: 1 }), target('b', { weight: 6 }), target('c', { rpm: 10_000 })];
    const counts = tally(() => weightedShuffle(pool, rng), N);
    // weights 2, 6 and the average 4 for c
    expect(counts.a / N).toBeCloseTo(2 / 12, 1);
    expect(counts.b / N).toBeCloseTo(6 / 12, 1);
    expect(counts.c / N).toBeCloseTo(4 / 12, 1);
  });

  it('is deterministic for a given seed', () => {
    const pool = [target('a'), target('b'), target('c'), target('d')];
    const run = (seed: number) => {
      const rng = seededRng(seed);
      return Array.from({ length: 20 }, () => chooseDeployment(pool, 'simple-shuffle', new DeploymentStats(), rng).deploymentId).join();
    };
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
  });
});

describe('order levels', () => {
  it('uses only the lowest order present; unset order ranks last', () => {
    const pool = [target('x'), target('b', { order: 2 }), target('a1', { order: 1 }), target('a2', { order: 1 })];
    expect(lowestOrderLevel(pool).map((t) => t.deploymentId)).toEqual(['a1', 'a2']);
    expect(lowestOrderLevel([target('x'), target('b', { order: 2 })]).map((t) => t.deploymentId)).toEqual(['b']);
    const rng = seededRng(5);
    const counts = tally(() => chooseDeployment(pool, 'simple-shuffle', new DeploymentStats(), rng), 1000);
    expect(Object.keys(counts).sort()).toEqual(['a1', 'a2']);
  });
});

describe('least-busy', () => {
  it('picks the deployment with the fewest requests in flight', () => {
    const stats = new DeploymentStats();
    const [a, b, c] = [target('a'), target('b'), target('c')];
    stats.start(deploymentKey(a));
    stats.start(deploymentKey(a));
    const endB = stats.start(deploymentKey(b));
    const rng = seededRng(6);
    for (let i = 0; i < 50; i++) expect(chooseDeployment([a, b, c], 'least-busy', stats, rng)).toBe(c);
    stats.start(deploymentKey(c));
    stats.start(deploymentKey(c));
    for (let i = 0; i < 50; i++) expect(chooseDeployment([a, b, c], 'least-busy', stats, rng)).toBe(b);
    endB();
    endB(); // ending twice must not go negative
    expect(stats.inFlight(deploymentKey(b))).toBe(0);
  });

  it('breaks ties at random', () => {
    const rng = seededRng(7);
    const counts = tally(() => chooseDeployment([target('a'), target('b')], 'least-busy', new DeploymentStats(), rng), 1000);
    expect(counts.a).toBeGreaterThan(400);
    expect(counts.b).toBeGreaterThan(400);
  });
});

describe('latency-based-routing', () => {
  it('measures unmeasured deployments first', () => {
    const stats = new DeploymentStats();
    const [a, b] = [target('a'), target('b')];
    stats.recordLatency(deploymentKey(a), 10);
    const rng = seededRng(8);
    for (let i = 0; i < 20; i++) expect(chooseDeployment([a, b], 'latency-based-routing', stats, rng)).toBe(b);
  });

  it('mostly picks the lowest recent latency, exploring the others about 10% of the time', () => {
    const stats = new DeploymentStats();
    const [fast, slow, slower] = [target('fast'), target('slow'), target('slower')];
    stats.recordLatency(deploymentKey(fast), 50);
    stats.recordLatency(deploymentKey(slow), 400);
    stats.recordLatency(deploymentKey(slower), 900);
    const rng = seededRng(9);
    const counts = tally(() => chooseDeployment([fast, slow, slower], 'latency-based-routing', stats, rng), N);
    const explored = (counts.slow + counts.slower) / N;
    expect(explored).toBeGreaterThan(LATENCY_EXPLORATION * (2 / 3) * 0.7);
    expect(explored).toBeLessThan(LATENCY_EXPLORATION * (2 / 3) * 1.3);
    expect(counts.fast / N).toBeGreaterThan(0.9);
  });

  it('follows a deployment that got slow (smoothed, not on one sample)', () => {
    const stats = new DeploymentStats();
    const [a, b] = [target('a'), target('b')];
    stats.recordLatency(deploymentKey(a), 100);
    stats.recordLatency(deploymentKey(b), 200);
    stats.recordLatency(deploymentKey(a), 300); // one outlier: 100 → 160, still faster
    expect(stats.latencyMs(deploymentKey(a))).toBeCloseTo(160);
    const rng = () => 0.5; // never explores
    expect(chooseDeployment([a, b], 'latency-based-routing', stats, rng)).toBe(a);
    for (let i = 0; i < 5; i++) stats.recordLatency(deploymentKey(a), 1000);
    expect(chooseDeployment([a, b], 'latency-based-routing', stats, rng)).toBe(b);
  });
});

describe('usage-based-routing (v1 and v2)', () => {
  const usage = (entries: [DeploymentTarget, number, number][]) => new Map(entries.map(([t, tpm, rpm]) => [deploymentKey(t), { tpm, rpm }]));

  it.each(['usage-based-routing', 'usage-based-routing-v2'] as const)('%s picks the fewest tokens used this minute', (strategy) => {
    const [a, b, c] = [target('a'), target('b'), target('c')];
    const rng = seededRng(10);
    const snapshot = usage([[a, 500, 1], [b, 90, 9], [c, 300, 0]]);
    for (let i = 0; i < 20; i++) expect(chooseDeployment([a, b, c], strategy, new DeploymentStats(), rng, snapshot)).toBe(b);
  });

  it('with equal tokens, the fewest requests (counted before any answer is in); a deployment missing from the snapshot used nothing', () => {
    const [a, b, c] = [target('a'), target('b'), target('c')];
    const rng = seededRng(11);
    expect(chooseDeployment([a, b], 'usage-based-routing', new DeploymentStats(), rng, usage([[a, 0, 3], [b, 0, 1]]))).toBe(b);
    expect(chooseDeployment([a, b, c], 'usage-based-routing', new DeploymentStats(), rng, usage([[a, 10, 1], [b, 10, 1]]))).toBe(c);
  });

  it('breaks ties like simple-shuffle: by weight', () => {
    const [a, b] = [target('a', { weight: 1 }), target('b', { weight: 3 })];
    const rng = seededRng(12);
    const counts = tally(() => chooseDeployment([a, b], 'usage-based-routing-v2', new DeploymentStats(), rng, usage([[a, 5, 1], [b, 5, 1]])), N);
    expect(counts.a / N).toBeCloseTo(0.25, 1);
  });

  it('spreads a sequence of equal requests evenly when each one is counted', () => {
    const pool = [target('a'), target('b'), target('c')];
    const used = new Map<string, { tpm: number; rpm: number }>();
    const rng = seededRng(13);
    for (let i = 0; i < 30; i++) {
      const t = chooseDeployment(pool, 'usage-based-routing', new DeploymentStats(), rng, used);
      const u = used.get(deploymentKey(t)) ?? { tpm: 0, rpm: 0 };
      used.set(deploymentKey(t), { tpm: u.tpm + 100, rpm: u.rpm + 1 });
    }
    expect(pool.map((t) => used.get(deploymentKey(t))!.rpm)).toEqual([10, 10, 10]);
  });
});

describe('cost-based-routing', () => {
  const priced = (id: string, input: number, output: number, settings: Partial<DeploymentTarget['settings']> = {}) =>
    target(id, { ...settings, modelInfo: { input_cost_per_token: input, output_cost_per_token: output } });

  it('picks the lowest input + output price per token (model_info, else the bundled table)', () => {
    const rng = seededRng(14);
    const expensive = priced('exp', 0.00001, 0.00003);
    const cheap = priced('cheap', 0.000001, 0.000002);
    const mini = { ...target('mini'), upstreamModel: 'gpt-4o-mini' }; // bundled: 0.15 + 0.6 per M
    for (let i = 0; i < 20; i++) expect(chooseDeployment([expensive, cheap, mini], 'cost-based-routing', new DeploymentStats(), rng)).toBe(mini);
    expect(chooseDeployment([expensive, cheap], 'cost-based-routing', new DeploymentStats(), rng)).toBe(cheap);
  });

  it('a deployment without a known price ranks after every priced one', () => {
    const rng = seededRng(15);
    const unknown = target('unknown');
    const dear = priced('dear', 0.001, 0.001);
    for (let i = 0; i < 20; i++) expect(chooseDeployment([unknown, dear], 'cost-based-routing', new DeploymentStats(), rng)).toBe(dear);
  });

  it('breaks ties like simple-shuffle; unpriced-only pools shuffle', () => {
    const rng = seededRng(16);
    const counts = tally(() => chooseDeployment([priced('a', 1e-6, 1e-6, { weight: 3 }), priced('b', 1e-6, 1e-6, { weight: 1 })], 'cost-based-routing', new DeploymentStats(), rng), N);
    expect(counts.a / N).toBeCloseTo(0.75, 1);
    const none = tally(() => chooseDeployment([target('x'), target('y')], 'cost-based-routing', new DeploymentStats(), rng), 1000);
    expect(none.x).toBeGreaterThan(400);
    expect(none.y).toBeGreaterThan(400);
  });
});

describe('deploymentKey', () => {
  it('separates wildcard captures of one deployment', () => {
    const a = { ...target('w'), upstreamModel: 'gpt-4o' };
    const b = { ...target('w'), upstreamModel: 'gpt-4o-mini' };
    expect(deploymentKey(a)).not.toBe(deploymentKey(b));
  });
});
