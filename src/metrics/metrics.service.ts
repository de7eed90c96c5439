import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One finished request, as the telemetry middleware saw it. Seconds throughout. */
export interface RequestSample {
  readonly route: string;
  /** The model group (never the raw requested name: clients can send anything). '' when unresolved. */
  readonly model: string;
  readonly provider: string;
  readonly status: number;
  readonly errorCode?: string;
  readonly durationS: number;
  readonly upstreamS?: number;
  readonly ttftS?: number;
  readonly overheadS?: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/**
 * The gateway's Prometheus metrics, in a registry of its own (several apps can live in one
 * process, as in tests). Label children are cached by a joined key so a request costs a few
 * map lookups, not label-object hashing.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'switchboard_requests_total',
    help: 'HTTP requests served, by route, model group, provider and status',
    labelNames: ['route', 'model', 'provider', 'status'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'switchboard_request_errors_total',
    help: 'Failed requests by error code (including errors sent inside a started stream)',
    labelNames: ['route', 'model', 'code'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'switchboard_request_duration_seconds',
    help: 'Total request latency as seen by the gateway (to the last byte)',
    labelNames: ['route', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly upstream = new Histogram({
    name: 'switchboard_upstream_duration_seconds',
    help: 'Time spent waiting on the provider (for streams: until the last event)',
    labelNames: ['model', 'provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: 'switchboard_time_to_first_token_seconds',
    help: 'Streaming requests: time from request arrival to the first event sent to the client',
    labelNames: ['model', 'provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly overhead = new Histogram({
    name: 'switchboard_gateway_overhead_seconds',
    help: "The gateway's own time: total (or time to first event) minus upstream time",
    labelNames: ['route'] as const,
    buckets: OVERHEAD_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'switchboard_tokens_total',
    help: 'Tokens reported by providers, by type (prompt, completion)',
    labelNames: ['model', 'provider', 'type'] as const,
    registers: [this.registry],
  });
  private readonly cooldowns = new Counter({
    name: 'switchboard_deployment_cooldowns_total',
    help: 'Times a deployment was taken out of rotation after failures',
    labelNames: ['model', 'deployment'] as const,
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'switchboard_cache_lookups_total',
    help: 'Response cache lookups by endpoint, model group and result (hit, miss)',
    labelNames: ['endpoint', 'model', 'result'] as const,
    registers: [this.registry],
  });
  private readonly cooldownUntil = new Map<string, { model: string; deploymentId: string; until: number }>();
  private readonly coolingDown = new Gauge({
    name: 'switchboard_deployment_cooling_down',
    help: '1 while a deployment is cooling down, else 0',
    labelNames: ['model', 'deployment'] as const,
    registers: [this.registry],
    collect: (() => {
      const entries = () => this.cooldownUntil;
      return function (this: Gauge<'model' | 'deployment'>) {
        const now = Date.now();
        for (const e of entries().values()) this.labels(e.model, e.deploymentId).set(e.until > now ? 1 : 0);
      };
    })(),
  });
  private inFlightSource: () => number = () => 0;
  private readonly children = new Map<string, RequestChildren>();

  constructor() {
    new Gauge({
      name: 'switchboard_requests_in_flight',
      help: 'Requests currently being served (streams included)',
      registers: [this.registry],
      // Read at scrape time: no per-request gauge updates on the hot path.
      collect: (() => {
        const source = () => this.inFlightSource();
        return function (this: Gauge) {
          this.set(source());
        };
      })(),
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The in-flight count lives with the shutdown logic, which needs it anyway. */
  setInFlightSource(source: () => number): void {
    this.inFlightSource = source;
  }

  recordRequest(s: RequestSample): void {
    const c = this.childrenFor(s.route, s.model, s.provider, s.status);
    c.requests.inc();
    c.duration.observe(s.durationS);
    if (s.errorCode) this.errors.labels(s.route, s.model, s.errorCode).inc();
    if (s.upstreamS !== undefined) c.upstream.observe(s.upstreamS);
    if (s.ttftS !== undefined) c.ttft.observe(s.ttftS);
    if (s.overheadS !== undefined) c.overhead.observe(s.overheadS);
    if (s.promptTokens) c.promptTokens.inc(s.promptTokens);
    if (s.completionTokens) c.completionTokens.inc(s.completionTokens);
  }

  /**
   * For the router: a deployment was taken out of rotation for `durationMs`. Counted once; the
   * cooling-down gauge reads 1 until the time is up (evaluated at scrape time, so nobody has to
   * report the end).
   */
  deploymentCooldown(deploymentId: string, model: string, durationMs: number): void {
    this.cooldowns.labels(model, deploymentId).inc();
    const key = `${model}\u0000${deploymentId}`;
    if (this.cooldownUntil.size < 5000 || this.cooldownUntil.has(key)) {
      this.cooldownUntil.set(key, { model, deploymentId, until: Date.now() + durationMs });
    }
  }

  /** For the response cache: one lookup and whether it found an answer. */
  cacheLookup(endpoint: string, model: string, result: 'hit' | 'miss'): void {
    this.cacheLookups.labels(endpoint, model, result).inc();
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private childrenFor(route: string, model: string, provider: string, status: number): RequestChildren {
    const key = `${route}\u0000${model}\u0000${provider}\u0000${status}`;
    let c = this.children.get(key);
    if (!c) {
      c = {
        requests: this.requests.labels(route, model, provider, String(status)),
        duration: this.duration.labels(route, model),
        upstream: this.upstream.labels(model, provider),
        ttft: this.ttft.labels(model, provider),
        overhead: this.overhead.labels(route),
        promptTokens: this.tokens.labels(model, provider, 'prompt'),
        completionTokens: this.tokens.labels(model, provider, 'completion'),
      };
      // Bounded by routes x groups x providers x statuses; the guard only protects against surprises.
      if (this.children.size < 5000) this.children.set(key, c);
    }
    return c;
  }
}

interface RequestChildren {
  requests: ReturnType<Counter['labels']>;
  duration: ReturnType<Histogram['labels']>;
  upstream: ReturnType<Histogram['labels']>;
  ttft: ReturnType<Histogram['labels']>;
  overhead: ReturnType<Histogram['labels']>;
  promptTokens: ReturnType<Counter['labels']>;
  completionTokens: ReturnType<Counter['labels']>;
}
