/** Smoothing for the latency average: recent calls weigh most, one outlier does not flip routing. */
const EWMA_ALPHA = 0.3;
const MAX_ENTRIES = 10_000;

export interface StatsView {
  inFlight(key: string): number;
  /** Smoothed recent latency in ms, undefined until the deployment has served a call. */
  latencyMs(key: string): number | undefined;
}

/**
 * In-process load and latency per deployment, read by least-busy and latency-based routing.
 * Latency is the whole call for JSON and the time to the first event for streams: the part
 * of the wait the deployment (not the length of the answer) is responsible for.
 */
export class DeploymentStats implements StatsView {
  private readonly active = new Map<string, number>();
  private readonly latency = new Map<string, number>();

  start(key: string): () => void {
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.active.get(key) ?? 1) - 1;
      if (n <= 0) this.active.delete(key);
      else this.active.set(key, n);
    };
  }

  recordLatency(key: string, ms: number): void {
    const prev = this.latency.get(key);
    this.latency.set(key, prev === undefined ? ms : prev + EWMA_ALPHA * (ms - prev));
    if (this.latency.size > MAX_ENTRIES) this.latency.delete(this.latency.keys().next().value!);
  }

  inFlight(key: string): number {
    return this.active.get(key) ?? 0;
  }

  latencyMs(key: string): number | undefined {
    return this.latency.get(key);
  }
}
