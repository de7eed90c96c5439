import { Injectable, Logger } from '@nestjs/common';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisService } from '../redis/redis.service.js';

/** A counter's state after a check: enough for x-ratelimit-* headers and Retry-After. */
export interface Window {
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window resets. */
  readonly resetMs: number;
}

export type CheckResult = { readonly ok: true; readonly window: Window } | { readonly ok: false; readonly window: Window };

/** A held parallel-request slot; release() is idempotent. */
export interface Lease {
  release(): void;
}

const MINUTE_S = 60;
/**
 * Parallel slots live in a counter that expires after this long, so slots of a replica that
 * died mid-request come back eventually instead of blocking the key forever.
 */
export const PARALLEL_LEASE_S = 900;

/**
 * Counters for every limit, on rate-limiter-flexible: in memory by default, in Redis when
 * REDIS_URL is set so every replica counts against one limit. A Redis outage degrades to the
 * in-memory limiter (per replica) rather than failing requests.
 *
 * Windows are fixed, starting with the first request (requests per minute = at most `limit`
 * requests in any window that opens with one).
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger('Limits');
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly redis: RedisService) {}

  /** Counts one request; refuses when the window already has `limit`. */
  async hit(scope: string, id: string, limit: number): Promise<CheckResult> {
    const limiter = this.limiter(scope, limit, MINUTE_S);
    try {
      const res = await limiter.consume(id, 1);
      return { ok: true, window: windowOf(res, limit) };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { ok: false, window: windowOf(err, limit) };
      return this.failOpen(scope, err, limit);
    }
  }

  /** Refuses when what was already used this window (tokens) reached `limit`; counts nothing. */
  async peek(scope: string, id: string, limit: number): Promise<CheckResult> {
    const limiter = this.limiter(scope, limit, MINUTE_S);
    try {
      const res = await limiter.get(id);
      if (!res) return { ok: true, window: { limit, remaining: limit, resetMs: MINUTE_S * 1000 } };
      return { ok: res.consumedPoints < limit, window: windowOf(res, limit) };
    } catch (err) {
      return this.failOpen(scope, err, limit);
    }
  }

  /** What the current window has used (0 when nothing or the limiter is unavailable); counts nothing. */
  async used(scope: string, id: string, limit: number): Promise<number> {
    try {
      return (await this.limiter(scope, limit, MINUTE_S).get(id))?.consumedPoints ?? 0;
    } catch (err) {
      this.logger.warn(`${scope}: cannot read usage: ${(err as Error)?.message ?? String(err)}`);
      return 0;
    }
  }

  /** Adds used amounts (tokens) after the fact; never refuses. */
  async add(scope: string, id: string, limit: number, amount: number): Promise<void> {
    if (amount <= 0) return;
    try {
      await this.limiter(scope, limit, MINUTE_S).penalty(id, Math.ceil(amount));
    } catch (err) {
      this.logger.warn(`${scope}: cannot count usage: ${(err as Error).message}`);
    }
  }

  /** Takes a parallel-request slot, or undefined when all `limit` are taken. */
  async acquire(scope: string, id: string, limit: number): Promise<{ lease?: Lease; window: Window }> {
    const limiter = this.limiter(scope, limit, PARALLEL_LEASE_S);
    let res: RateLimiterRes;
    try {
      res = await limiter.consume(id, 1);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) return { lease: { release() {} }, window: (await this.failOpen(scope, err, limit)).window };
      // The refused attempt was counted too: give it back.
      void limiter.reward(id, 1).catch(() => undefined);
      return { window: { limit, remaining: 0, resetMs: 1000 } };
    }
    // After the counter expired, a release would push the fresh counter below zero.
    const validUntil = Date.now() + res.msBeforeNext;
    let released = false;
    const lease: Lease = {
      release: () => {
        if (released) return;
        released = true;
        if (Date.now() < validUntil) void limiter.reward(id, 1).catch((err: Error) => this.logger.warn(`${scope}: release failed: ${err.message}`));
      },
    };
    return { lease, window: { limit, remaining: Math.max(0, limit - res.consumedPoints), resetMs: 0 } };
  }

  private failOpen(scope: string, err: unknown, limit: number): CheckResult {
    this.logger.warn(`${scope}: limiter unavailable, request allowed: ${(err as Error)?.message ?? String(err)}`);
    return { ok: true, window: { limit, remaining: limit, resetMs: MINUTE_S * 1000 } };
  }

  private limiter(scope: string, points: number, duration: number): RateLimiterAbstract {
    const id = `${scope}:${points}:${duration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      // The counter key does not include the limit: changing a key's limit keeps what it used.
      const keyPrefix = `${this.redis.prefix}rl:${scope}`;
      const memory = new RateLimiterMemory({ points, duration, keyPrefix });
      limiter = this.redis.client
        ? new RateLimiterRedis({ storeClient: this.redis.client, points, duration, keyPrefix, insuranceLimiter: memory, rejectIfRedisNotReady: true })
        : memory;
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

function windowOf(res: RateLimiterRes, limit: number): Window {
  return { limit, remaining: Math.max(0, limit - res.consumedPoints), resetMs: Math.max(0, res.msBeforeNext) };
}
