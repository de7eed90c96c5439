const FAILURE_WINDOW_MS = 60_000;
/** Wildcard deployments are keyed per captured model, so the map is bounded against odd traffic. */
const MAX_ENTRIES = 10_000;

export interface CooldownPolicy {
  /** router_settings.allowed_fails: failures tolerated per minute; one more starts a cooldown. */
  readonly allowedFails: number;
  /** router_settings.cooldown_time in ms; 0 disables cooldowns. */
  readonly cooldownMs: number;
}

interface Entry {
  failures: number[];
  until: number;
}

/**
 * Per-deployment failure bookkeeping. Like LiteLLM, `allowed_fails` counts the failures that
 * are tolerated within a minute: the next one takes the deployment out for `cooldown_time`.
 * Time is passed in so the bookkeeping is testable without clocks.
 */
export class CooldownTracker {
  private readonly entries = new Map<string, Entry>();

  /** Records a failure; returns true when it started a cooldown. */
  recordFailure(key: string, now: number, policy: CooldownPolicy): boolean {
    if (policy.cooldownMs <= 0) return false;
    const entry = this.entries.get(key) ?? { failures: [], until: 0 };
    entry.failures = entry.failures.filter((t) => now - t < FAILURE_WINDOW_MS);
    entry.failures.push(now);
    this.entries.set(key, entry);
    if (entry.failures.length > policy.allowedFails) {
      entry.until = Math.max(entry.until, now + policy.cooldownMs);
      // A fresh minute starts after the cooldown; old failures must not re-trigger it at once.
      entry.failures = [];
      this.prune(now);
      return true;
    }
    this.prune(now);
    return false;
  }

  isCoolingDown(key: string, now: number): boolean {
    return (this.entries.get(key)?.until ?? 0) > now;
  }

  /** Milliseconds until the deployment is usable again (0 when it is). */
  remainingMs(key: string, now: number): number {
    return Math.max(0, (this.entries.get(key)?.until ?? 0) - now);
  }

  /** Failures counted in the current one-minute window. */
  recentFailures(key: string, now: number): number {
    return this.entries.get(key)?.failures.filter((t) => now - t < FAILURE_WINDOW_MS).length ?? 0;
  }

  clear(): void {
    this.entries.clear();
  }

  private prune(now: number): void {
    if (this.entries.size <= MAX_ENTRIES) return;
    for (const [key, e] of this.entries) {
      if (e.until <= now && e.failures.every((t) => now - t >= FAILURE_WINDOW_MS)) this.entries.delete(key);
    }
    // Still too many: everything here is failing; forget the oldest rather than grow without bound.
    const excess = this.entries.size - MAX_ENTRIES;
    if (excess > 0) [...this.entries.keys()].slice(0, excess).forEach((k) => this.entries.delete(k));
  }
}
