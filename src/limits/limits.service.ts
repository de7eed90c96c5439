import { Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { KeyCacheService } from '../keys/key-cache.service.js';
import { SpendWriterService } from '../spend/spend-writer.service.js';
import type { DeploymentRefusal } from '../routing/router.service.js';
import type { DeploymentTarget } from '../routing/routing-table.js';
import { deploymentKey } from '../routing/routing-strategy.js';
import type { DeploymentUsage } from '../routing/routing-strategy.js';
import { Lease, RateLimitService, Window } from './rate-limit.service.js';

export interface KeyAdmission {
  readonly lease?: Lease;
  /** x-ratelimit-* headers for the response. */
  readonly headers: Record<string, string>;
}

/**
 * The limits of a virtual key (budget, rpm, tpm, parallel requests) and of a deployment
 * (litellm_params rpm / tpm). Checks run before any upstream call; token counts are added when
 * the usage is known.
 */
@Injectable()
export class LimitsService {
  constructor(
    private readonly counters: RateLimitService,
    private readonly cache: KeyCacheService,
    private readonly spend: SpendWriterService,
  ) {}

  /** Throws 429 (rate_limit_exceeded or budget_exceeded) when the key may not make this request now. */
  async admitKey(token: string): Promise<KeyAdmission> {
    const headers: Record<string, string> = {};
    await this.spend.ensureCurrentPeriod(token);
    const entry = this.cache.get(token);
    if (!entry) return { headers };
    const key = entry.key;
    if (key.maxBudget !== undefined) {
      const spend = this.cache.periodSpend(entry);
      if (spend >= key.maxBudget) {
        // Retry-After only when the budget resets: without budget_duration no wait helps. Either
        // way SDKs must not retry on their own (the openai SDK retries every 429 unless told not
        // to, and sleeps whatever Retry-After says — hours, for a daily budget); x-should-retry
        // is the header it honours.
        const resetS = entry.resetMs !== undefined ? Math.max(1, Math.ceil((entry.resetMs - Date.now()) / 1000)) : undefined;
        throw new GatewayError(
          ErrorCode.BudgetExceeded,
          `Budget exceeded for this API key: spend $${spend.toFixed(6)} of max_budget $${key.maxBudget}` +
            (key.budgetResetAt ? `; the budget resets at ${key.budgetResetAt}.` : '.'),
          { retryAfterSeconds: resetS, headers: { 'x-should-retry': 'false' } },
        );
      }
    }
    if (key.tpmLimit !== undefined) {
      const r = await this.counters.peek('key-tpm', token, key.tpmLimit);
      setHeaders(headers, 'tokens', r.window);
      if (!r.ok) throw limited(`This API key reached its limit of ${key.tpmLimit} tokens per minute.`, r.window, headers);
    }
    if (key.rpmLimit !== undefined) {
      const r = await this.counters.hit('key-rpm', token, key.rpmLimit);
      setHeaders(headers, 'requests', r.window);
      if (!r.ok) throw limited(`This API key reached its limit of ${key.rpmLimit} requests per minute.`, r.window, headers);
    }
    if (key.maxParallelRequests !== undefined) {
      const { lease, window } = await this.counters.acquire('key-parallel', token, key.maxParallelRequests);
      headers['x-ratelimit-limit-parallel-requests'] = String(window.limit);
      if (!lease) throw limited(`This API key already has ${key.maxParallelRequests} request(s) in flight.`, window, headers);
      return { lease, headers };
    }
    return { headers };
  }

  /**
   * Router admission for one deployment: undefined when it may take the request (and it is
   * counted), else when it may and which limit refused — the router then tries another deployment.
   * `countUsage` (usage-based routing) counts requests and tokens of a deployment without limits
   * too, in the same counters, so the strategy can compare every deployment of the group.
   */
  async admitDeployment(target: DeploymentTarget, countUsage = false): Promise<DeploymentRefusal | undefined> {
    const { rpm, tpm } = target.settings;
    if (rpm === undefined && tpm === undefined && !countUsage) return undefined;
    const id = deploymentCounterId(target);
    if (countUsage) this.noteTracked(id);
    if (tpm !== undefined) {
      const r = await this.counters.peek('deployment-tpm', id, tpm);
      if (!r.ok) return deploymentRefusal('tokens', r.window);
    }
    if (rpm !== undefined || countUsage) {
      const r = await this.counters.hit('deployment-rpm', id, rpm ?? UNCAPPED);
      if (!r.ok) return deploymentRefusal('requests', r.window);
    }
    return undefined;
  }

  /** This minute's tokens and requests per deployment (keyed by deploymentKey), for usage-based routing. */
  async deploymentUsage(targets: readonly DeploymentTarget[]): Promise<Map<string, DeploymentUsage>> {
    const entries = await Promise.all(
      targets.map(async (t) => {
        const id = deploymentCounterId(t);
        const [tpm, rpm] = await Promise.all([
          this.counters.used('deployment-tpm', id, t.settings.tpm ?? UNCAPPED),
          this.counters.used('deployment-rpm', id, t.settings.rpm ?? UNCAPPED),
        ]);
        return [deploymentKey(t), { tpm, rpm }] as const;
      }),
    );
    return new Map(entries);
  }

  tokensUsed(token: string | undefined, target: DeploymentTarget, tokens: number): void {
    if (tokens <= 0) return;
    const tpm = token ? this.cache.get(token)?.key.tpmLimit : undefined;
    if (token && tpm !== undefined) void this.counters.add('key-tpm', token, tpm, tokens);
    const id = deploymentCounterId(target);
    if (target.settings.tpm !== undefined || this.tracked.has(id)) {
      void this.counters.add('deployment-tpm', id, target.settings.tpm ?? UNCAPPED, tokens);
    }
  }

  /** Deployments routed by usage on this replica: their tokens are counted even without a tpm limit. */
  private readonly tracked = new Set<string>();

  private noteTracked(id: string): void {
    if (this.tracked.has(id)) return;
    // Wildcard deployments add one id per upstream model: bounded, oldest forgotten first.
    if (this.tracked.size >= MAX_TRACKED) this.tracked.delete(this.tracked.values().next().value!);
    this.tracked.add(id);
  }
}

/** The limit of a counter kept only for usage-based routing: it never refuses. */
const UNCAPPED = 1e12;
const MAX_TRACKED = 10_000;

/** A wildcard deployment serves many upstream models: each has its own counter. */
function deploymentCounterId(t: DeploymentTarget): string {
  return `${t.deploymentId}|${t.upstreamModel}`;
}

function setHeaders(headers: Record<string, string>, what: 'requests' | 'tokens', w: Window): void {
  headers[`x-ratelimit-limit-${what}`] = String(w.limit);
  headers[`x-ratelimit-remaining-${what}`] = String(w.remaining);
  headers[`x-ratelimit-reset-${what}`] = `${Math.ceil(w.resetMs / 1000)}s`;
}

/** The same headers and Retry-After rounding as a key's own limit, so clients need one code path. */
function deploymentRefusal(what: 'requests' | 'tokens', w: Window): DeploymentRefusal {
  const headers: Record<string, string> = {};
  setHeaders(headers, what, w);
  return { retryAfterMs: Math.max(1000, w.resetMs), headers };
}

function limited(message: string, w: Window, headers: Record<string, string>): GatewayError {
  return new GatewayError(ErrorCode.RateLimited, message, { retryAfterSeconds: Math.max(1, Math.ceil(w.resetMs / 1000)), headers: { ...headers } });
}
