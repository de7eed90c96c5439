import type { RoutingStrategy } from '../config/config.types.js';
import { priceOf } from '../spend/cost.js';
import type { Rng } from './random.js';
import type { StatsView } from './deployment-stats.js';
import type { DeploymentTarget } from './routing-table.js';

/** Share of latency-based picks that go to a random deployment, so a recovered one gets measured again. */
export const LATENCY_EXPLORATION = 0.1;

/** Cooldown and stats are per deployment and, for wildcards, per captured upstream model. */
export function deploymentKey(t: DeploymentTarget): string {
  return `${t.deploymentId}\u0000${t.upstreamModel}`;
}

/**
 * Deployments with the lowest `order` among those given. A deployment without `order` ranks
 * after every deployment that has one: setting it is how an operator marks a preference.
 */
export function lowestOrderLevel(pool: readonly DeploymentTarget[]): DeploymentTarget[] {
  const rank = (t: DeploymentTarget) => t.settings.order ?? Number.POSITIVE_INFINITY;
  const best = Math.min(...pool.map(rank));
  return pool.filter((t) => rank(t) === best);
}

/** What a deployment used in the current one-minute window, from the rpm/tpm limit counters. */
export interface DeploymentUsage {
  readonly tpm: number;
  readonly rpm: number;
}

/** Usage per deploymentKey; a deployment missing from it has used nothing yet. */
export type UsageSnapshot = ReadonlyMap<string, DeploymentUsage>;

/** Strategies that rank deployments by this minute's use, so the router reads the counters first. */
export function needsUsage(strategy: RoutingStrategy): boolean {
  return strategy === 'usage-based-routing' || strategy === 'usage-based-routing-v2';
}

/** Picks one deployment from a non-empty pool according to the group's strategy. */
export function chooseDeployment(
  pool: readonly DeploymentTarget[],
  strategy: RoutingStrategy,
  stats: StatsView,
  rng: Rng,
  usage?: UsageSnapshot,
): DeploymentTarget {
  if (pool.length === 0) throw new Error('chooseDeployment needs at least one deployment');
  const level = lowestOrderLevel(pool);
  if (level.length === 1) return level[0];
  switch (strategy) {
    case 'least-busy':
      return leastBusy(level, stats, rng);
    case 'latency-based-routing':
      return lowestLatency(level, stats, rng);
    case 'usage-based-routing':
    case 'usage-based-routing-v2':
      return lowestUsage(level, usage, rng);
    case 'cost-based-routing':
      return cheapest(level, rng);
    case 'simple-shuffle':
    default:
      return weightedShuffle(level, rng);
  }
}

/**
 * Weighted random pick: by `weight` when any deployment sets it, else by `rpm`, else `tpm`,
 * else uniform. A deployment that leaves the chosen field unset counts as the average of the
 * others, so adding one unlabelled deployment neither starves nor floods it.
 */
export function weightedShuffle(pool: readonly DeploymentTarget[], rng: Rng): DeploymentTarget {
  const field = (['weight', 'rpm', 'tpm'] as const).find((f) => pool.some((t) => (t.settings[f] ?? 0) > 0));
  if (!field) return pool[Math.floor(rng() * pool.length)];
  const present = pool.map((t) => t.settings[field]).filter((v): v is number => typeof v === 'number' && v >= 0);
  const fill = present.reduce((a, b) => a + b, 0) / present.length;
  const weights = pool.map((t) => {
    const v = t.settings[field];
    return typeof v === 'number' && v >= 0 ? v : fill;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return pool[Math.floor(rng() * pool.length)];
  let r = rng() * total;
  for (let i = 0; i < pool.length; i++) {
    r -= weights[i];
    if (r < 0) return pool[i];
  }
  return pool[pool.length - 1];
}

function leastBusy(pool: readonly DeploymentTarget[], stats: StatsView, rng: Rng): DeploymentTarget {
  const load = pool.map((t) => stats.inFlight(deploymentKey(t)));
  const min = Math.min(...load);
  return pickRandom(pool.filter((_, i) => load[i] === min), rng);
}

function lowestLatency(pool: readonly DeploymentTarget[], stats: StatsView, rng: Rng): DeploymentTarget {
  const latency = pool.map((t) => stats.latencyMs(deploymentKey(t)));
  // Unmeasured deployments first: without a sample there is nothing to compare.
  const unmeasured = pool.filter((_, i) => latency[i] === undefined);
  if (unmeasured.length) return pickRandom(unmeasured, rng);
  if (rng() < LATENCY_EXPLORATION) return pickRandom(pool, rng);
  const min = Math.min(...(latency as number[]));
  return pickRandom(pool.filter((_, i) => latency[i] === min), rng);
}

/**
 * LiteLLM's usage-based routing (v1 and v2 pick alike): the fewest tokens used this minute,
 * then the fewest requests (tokens are only known once an answer is in, requests at once, so
 * concurrent requests still spread). Deployments at their tpm/rpm limit are refused by the
 * admission check after this pick, and the router moves on to the next.
 */
function lowestUsage(pool: readonly DeploymentTarget[], usage: UsageSnapshot | undefined, rng: Rng): DeploymentTarget {
  const of = (t: DeploymentTarget) => usage?.get(deploymentKey(t)) ?? { tpm: 0, rpm: 0 };
  const minTpm = Math.min(...pool.map((t) => of(t).tpm));
  const byTokens = pool.filter((t) => of(t).tpm === minTpm);
  const minRpm = Math.min(...byTokens.map((t) => of(t).rpm));
  return weightedShuffle(byTokens.filter((t) => of(t).rpm === minRpm), rng);
}

/**
 * LiteLLM's cost-based routing: the lowest input + output price per token, from the same prices
 * spend is charged with (model_info, else the bundled table). A deployment without a known
 * price ranks after every priced one, as LiteLLM's placeholder price makes it do.
 */
function cheapest(pool: readonly DeploymentTarget[], rng: Rng): DeploymentTarget {
  const cost = pool.map((t) => {
    const p = priceOf(t);
    return p ? p.input + p.output : Number.POSITIVE_INFINITY;
  });
  const min = Math.min(...cost);
  return weightedShuffle(pool.filter((_, i) => cost[i] === min), rng);
}

function pickRandom<T>(items: readonly T[], rng: Rng): T {
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))];
}
