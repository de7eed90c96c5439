import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import type { RouterSettings } from '../config/config.types.js';
import type { SseEvent, UpstreamCallContext, UpstreamStream } from '../providers/provider-adapter.js';
import { backoffDelayMs, sleep } from './backoff.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CooldownTracker } from './cooldown-tracker.js';
import { DeploymentStats } from './deployment-stats.js';
import { planFallbacks } from './fallback-planner.js';
import {
  classifyFailure,
  countsAgainstDeployment,
  FailureClass,
  isRetryableClass,
  retryPolicyKey,
} from './failure-classifier.js';
import { ModelResolutionService } from './model-resolution.service.js';
import type { Endpoint, Resolution } from './model-resolution.service.js';
import { defaultRng } from './random.js';
import type { Rng } from './random.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import type { DeploymentTarget } from './routing-table.js';
import { chooseDeployment, deploymentKey, needsUsage } from './routing-strategy.js';
import type { UsageSnapshot } from './routing-strategy.js';

/** A deployment chosen for one attempt, carrying the name the client sent. */
export interface ResolvedTarget extends DeploymentTarget {
  readonly requestedName: string;
}

export interface ExecuteOptions {
  readonly requestId: string;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  /** The attempt returns an UpstreamStream; it is only accepted once its first event arrived. */
  readonly stream: boolean;
  /** Fallback names are resolved for the same endpoint (and caller) as the original name. */
  readonly endpoint: Endpoint;
  readonly caller?: Caller;
  /** The request's span: each attempt gets a child span (only when tracing is on). */
  readonly trace?: RequestTrace;
}

export interface Executed<T> {
  readonly result: T;
  /** The deployment that served the request (of a fallback group, when one was used). */
  readonly target: ResolvedTarget;
  /** Upstream calls made, over all groups tried. */
  readonly attempts: number;
  /** The fallback name that served the request, when the primary group failed. */
  readonly fallback?: string;
}

export type Attempt<T> = (target: ResolvedTarget, ctx: UpstreamCallContext) => Promise<T>;

/** Why a deployment at its rpm/tpm limit cannot take the request now. */
export interface DeploymentRefusal {
  /** Milliseconds until the deployment takes requests again. */
  readonly retryAfterMs: number;
  /** The x-ratelimit-* headers of the limit that refused, sent when every deployment refuses. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Per-deployment rpm/tpm limits (set by the limits module): resolves to undefined when the
 * deployment may take this request (and counts it), else to why it may not.
 */
export type DeploymentAdmission = (
  target: DeploymentTarget,
  countUsage?: boolean,
) => Promise<DeploymentRefusal | undefined> | DeploymentRefusal | undefined;

/** This minute's use of each deployment, from the limit counters (set by the limits module). */
export type DeploymentUsageReader = (targets: readonly DeploymentTarget[]) => Promise<UsageSnapshot>;

/** Optional injection token for the router's randomness (tests replay decisions with a seed). */
export const ROUTER_RNG = Symbol('ROUTER_RNG');

/** The longest upstream Retry-After the router waits out itself; a longer one is passed to the client. */
export const MAX_HONOURED_RETRY_AFTER_MS = 10_000;
const BACKOFF_CAP_MS = 8_000;

interface RequestState {
  attempts: number;
}

/**
 * Runs one upstream call for a resolved model: picks a deployment of the group by the
 * configured strategy, retries retryable failures (preferring a deployment not yet tried),
 * keeps failing deployments out for a while, and finally walks the configured fallbacks —
 * each resolved by ModelResolutionService, exactly as if the client had sent that name.
 *
 * For streams, an attempt only counts as successful once the upstream produced its first
 * event: until then nothing has been sent to the client, so a failure can still be retried.
 */
@Injectable()
export class RouterService {
  private readonly logger = new Logger('Router');
  readonly cooldowns = new CooldownTracker();
  readonly stats = new DeploymentStats();
  private readonly rng: Rng;
  private admission?: DeploymentAdmission;
  private usageReader?: DeploymentUsageReader;

  constructor(
    private readonly resolver: ModelResolutionService,
    @Optional() @Inject(ROUTER_RNG) rng?: Rng,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.rng = rng ?? defaultRng;
  }

  setAdmission(admission: DeploymentAdmission): void {
    this.admission = admission;
  }

  setUsageReader(reader: DeploymentUsageReader): void {
    this.usageReader = reader;
  }

  async execute<T>(resolution: Resolution, attempt: Attempt<T>, options: ExecuteOptions): Promise<Executed<T>> {
    // Settings and fallbacks come from the table the primary was resolved on, not the live one.
    const settings = resolution.table.config.router;
    const state: RequestState = { attempts: 0 };
    let primaryError: unknown;
    try {
      return await this.runGroup(resolution, attempt, options, settings, state);
    } catch (err) {
      primaryError = err;
    }
    if (options.signal.aborted) throw primaryError;

    const names = planFallbacks(settings, resolution, classifyFailure(primaryError));
    options.trace?.fallingBack();
    const triedGroups = new Set([groupKey(resolution)]);
    for (const name of names) {
      let fallback: Resolution;
      try {
        fallback = this.resolver.resolve(name, options.endpoint, options.caller, resolution.table);
      } catch (err) {
        // e.g. the caller's key may not use this model, or it cannot serve this endpoint.
        this.logger.warn(`request ${options.requestId}: fallback '${name}' skipped: ${(err as Error).message}`);
        continue;
      }
      if (triedGroups.has(groupKey(fallback))) continue;
      triedGroups.add(groupKey(fallback));
      try {
        const done = await this.runGroup({ ...fallback, requestedName: resolution.requestedName }, attempt, options, settings, state);
        this.logger.log(`request ${options.requestId}: '${resolution.requestedName}' served by fallback '${name}'`);
        return { ...done, fallback: name };
      } catch (err) {
        if (options.signal.aborted) throw err;
        this.logger.warn(`request ${options.requestId}: fallback '${name}' failed: ${(err as Error).message}`);
      }
    }
    // The client asked for the primary model: its failure is the one worth reporting.
    throw primaryError;
  }

  private async runGroup<T>(
    resolution: Resolution,
    attempt: Attempt<T>,
    options: ExecuteOptions,
    settings: RouterSettings,
    state: RequestState,
  ): Promise<Executed<T>> {
    const policy: CooldownPolicy = {
      allowedFails: settings.allowedFails,
      cooldownMs: settings.cooldownTimeSec * 1000,
      canCoolDown: resolution.candidates.length > 1,
    };
    /** Deployments tried in this request → the wait the upstream asked for (Retry-After), in ms. */
    const tried = new Map<string, number>();
    let retries = 0;
    let lastError: unknown;
    /** Deployments at their rpm/tpm limit → why: skipped for this request. */
    const saturated = new Map<string, DeploymentRefusal>();
    for (;;) {
      const now = Date.now();
      const pool = resolution.candidates.filter((t) => !this.cooldowns.isCoolingDown(deploymentKey(t), now) && !saturated.has(deploymentKey(t)));
      if (pool.length === 0) {
        if (lastError !== undefined) throw lastError;
        if (saturated.size > 0) throw this.allSaturated(resolution, saturated);
        throw this.noHealthyDeployment(resolution, now);
      }
      const fresh = pool.filter((t) => !tried.has(deploymentKey(t)));
      const choices = fresh.length ? fresh : pool;
      const byUsage = needsUsage(settings.routingStrategy);
      const usage = byUsage && choices.length > 1 && this.usageReader ? await this.usageReader(choices) : undefined;
      const target = chooseDeployment(choices, settings.routingStrategy, this.stats, this.rng, usage);
      const key = deploymentKey(target);
      if (this.admission) {
        const refusal = await this.admission(target, byUsage);
        if (refusal !== undefined) {
          saturated.set(key, refusal);
          continue;
        }
      }
      if (tried.has(key)) {
        // Back to a deployment that already failed this request: give it time first.
        const askedMs = tried.get(key)!;
        if (askedMs > MAX_HONOURED_RETRY_AFTER_MS) throw lastError;
        const backoff = backoffDelayMs(retries - 1, { baseMs: settings.retryAfterMs, capMs: BACKOFF_CAP_MS }, this.rng);
        try {
          await sleep(Math.max(backoff, askedMs), options.signal);
        } catch {
          throw lastError;
        }
      }

      state.attempts++;
      const resolved: ResolvedTarget = { ...target, requestedName: resolution.requestedName };
      try {
        const result = await this.attemptOn(resolved, attempt, options, settings, policy);
        return { result, target: resolved, attempts: state.attempts };
      } catch (err) {
        lastError = err;
        if (options.signal.aborted) throw err;
        const failure = classifyFailure(err);
        // A lone deployment never cools down (as in LiteLLM): its real error (401, 502, ...) says
        // more than a 503, and it is retried as soon as the upstream recovers. With alternatives,
        // cooling it down routes around it.
        if (policy.canCoolDown) this.noteFailure(key, target, failure, policy);
        tried.set(key, retryAfterMs(err));
        if (!isRetryableClass(failure)) throw err;
        const allowed = this.retriesAllowed(target, failure, settings);
        if (retries >= allowed) throw err;
        retries++;
        this.logger.warn(
          `request ${options.requestId}: deployment ${target.deploymentId} of '${target.group}' failed (${(err as Error).message}); retry ${retries}/${allowed}`,
        );
      }
    }
  }

  /** One upstream call with its own abort controller, timeouts and load bookkeeping. */
  private async attemptOn<T>(
    target: ResolvedTarget,
    attempt: Attempt<T>,
    options: ExecuteOptions,
    settings: RouterSettings,
    policy: CooldownPolicy,
  ): Promise<T> {
    const key = deploymentKey(target);
    // The attempt's signal follows the client's through a listener held only while the attempt
    // (or its stream) runs. Not AbortSignal.any: its WeakRef bookkeeping kept every request's
    // signal graph alive through young-generation GCs (promoted ~25 KB per request in the bench,
    // and a 2 ms scavenge every ~80 requests), and it cost ~2% CPU.
    const controller = new AbortController();
    const followClient = () => controller.abort(options.signal.reason);
    if (options.signal.aborted) followClient();
    else options.signal.addEventListener('abort', followClient, { once: true });
    const unfollow = () => options.signal.removeEventListener('abort', followClient);
    const timeoutMs = target.settings.timeoutMs ?? settings.timeoutMs;
    const streamTimeoutMs = target.settings.streamTimeoutMs ?? settings.streamTimeoutMs;
    const span = options.trace?.attempt(target, options.stream);
    const ctx: UpstreamCallContext = {
      signal: controller.signal,
      requestId: options.requestId,
      timeoutMs: options.stream ? (streamTimeoutMs ?? timeoutMs) : timeoutMs,
      streamIdleTimeoutMs: streamTimeoutMs ?? timeoutMs,
      traceHeaders: span?.headers,
    };
    const end = this.stats.start(key);
    const started = Date.now();
    try {
      const result = await attempt(target, ctx);
      if (options.stream && isUpstreamStream(result)) {
        const primed = await primeStream(result, target, {
          signal: options.signal,
          onEnd: (err) => {
            unfollow();
            end();
            span?.end(err, options.signal.aborted);
            if (err !== undefined && !options.signal.aborted && policy.canCoolDown) this.noteFailure(key, target, classifyFailure(err), policy);
          },
          abort: () => controller.abort(),
        });
        this.stats.recordLatency(key, Date.now() - started);
        return (span ? span.observe(primed) : primed) as unknown as T;
      }
      this.stats.recordLatency(key, Date.now() - started);
      unfollow();
      end();
      span?.succeeded(result);
      return result;
    } catch (err) {
      // Whatever the attempt left open upstream is closed now, not when the GC gets to it.
      controller.abort();
      unfollow();
      end();
      if (classifyFailure(err) === 'timeout') this.stats.recordLatency(key, Date.now() - started);
      span?.end(err, options.signal.aborted);
      throw err;
    }
  }

  private noteFailure(key: string, target: DeploymentTarget, failure: FailureClass, policy: CooldownPolicy): void {
    if (!countsAgainstDeployment(failure)) return;
    if (this.cooldowns.recordFailure(key, Date.now(), policy)) {
      this.logger.warn(`deployment ${target.deploymentId} of '${target.group}' cooling down for ${policy.cooldownMs / 1000}s after repeated failures`);
      this.metrics?.deploymentCooldown(target.deploymentId, target.group, policy.cooldownMs);
    }
  }

  /** Per deployment `max_retries`, else `retry_policy` for the error class, else `num_retries`. */
  private retriesAllowed(target: DeploymentTarget, failure: FailureClass, settings: RouterSettings): number {
    if (target.settings.maxRetries !== undefined) return target.settings.maxRetries;
    const policyKey = retryPolicyKey(failure);
    const fromPolicy = policyKey ? settings.retryPolicy[policyKey] : undefined;
    return fromPolicy ?? settings.numRetries;
  }

  /** The 429 names the limit that frees up first: the one its Retry-After points to. */
  private allSaturated(resolution: Resolution, saturated: ReadonlyMap<string, DeploymentRefusal>): GatewayError {
    let first: DeploymentRefusal | undefined;
    for (const r of saturated.values()) if (!first || r.retryAfterMs < first.retryAfterMs) first = r;
    const seconds = Math.max(1, Math.ceil(first!.retryAfterMs / 1000));
    return new GatewayError(
      ErrorCode.RateLimited,
      `Every deployment of model '${resolution.requestedName}' is at its rpm/tpm limit; retry in ${seconds}s.`,
      { retryAfterSeconds: seconds, headers: { ...first!.headers } },
    );
  }

  private noHealthyDeployment(resolution: Resolution, now: number): GatewayError {
    const waitMs = Math.min(...resolution.candidates.map((t) => this.cooldowns.remainingMs(deploymentKey(t), now)));
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const group = resolution.group === resolution.requestedName ? '' : ` (group '${resolution.group}')`;
    return new GatewayError(
      ErrorCode.NoHealthyDeployment,
      `Every deployment of model '${resolution.requestedName}'${group} is cooling down after repeated upstream failures; retry in ${seconds}s.`,
      { retryAfterSeconds: seconds },
    );
  }
}

interface CooldownPolicy {
  readonly allowedFails: number;
  readonly cooldownMs: number;
  /** False for a group with a single deployment. */
  readonly canCoolDown: boolean;
}

function groupKey(r: Resolution): string {
  return [r.group, ...r.captures].join('\u0000');
}

function retryAfterMs(err: unknown): number {
  const s = err instanceof GatewayError ? err.retryAfterSeconds : undefined;
  return s === undefined ? 0 : s * 1000;
}

function isUpstreamStream(value: unknown): value is UpstreamStream {
  const events = (value as UpstreamStream | null)?.events;
  return !!events && typeof (events as AsyncIterable<SseEvent>)[Symbol.asyncIterator] === 'function';
}

/**
 * Waits for the first upstream event inside the attempt, so an upstream that fails or stalls
 * before sending anything is retried like any other failure. That includes a 200 whose first
 * event is an in-band error: the upstream client (and the Anthropic translator, for its `error`
 * event) throw it from the first next(), so it lands here as a failed attempt. Returns the same
 * stream with that event replayed; `onEnd` runs exactly once, when the stream finishes, fails
 * or is abandoned.
 */
async function primeStream(
  stream: UpstreamStream,
  target: DeploymentTarget,
  hooks: { signal: AbortSignal; onEnd: (err?: unknown) => void; abort: () => void },
): Promise<UpstreamStream> {
  const iterator = stream.events[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    throw new GatewayError(ErrorCode.UpstreamError, `Upstream provider ${target.provider} ended the stream without sending any event.`);
  }
  let ended = false;
  const finish = (err?: unknown) => {
    if (ended) return;
    ended = true;
    hooks.signal.removeEventListener('abort', onClientGone);
    hooks.onEnd(err);
  };
  // A consumer that never starts iterating would never reach the generator's finally block.
  const onClientGone = () => {
    hooks.abort();
    finish();
  };
  hooks.signal.addEventListener('abort', onClientGone, { once: true });
  async function* replay(): AsyncGenerator<SseEvent> {
    let failure: unknown;
    try {
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      if (failure === undefined) await iterator.return?.(undefined);
      finish(failure);
    }
  }
  return { headers: stream.headers, events: replay() };
}
