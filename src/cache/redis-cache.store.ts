import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { CacheStore } from './cache-entry.js';
import type { RedisCacheConnection } from './cache-settings.js';

/** A cache read slower than this is a miss: the upstream call is the fallback, not a wait on Redis. */
const COMMAND_TIMEOUT_MS = 1000;
/** Redis trouble is logged at most this often (with the count of failures in between). */
const LOG_INTERVAL_MS = 60_000;

/**
 * Entries in Redis, shared by every replica: `SET key value EX ttl`, `GET key`. Any failure
 * (Redis down, slow, refusing) is a miss or a dropped write, never an error for the client, and
 * is logged at most once a minute.
 */
export class RedisCacheStore implements CacheStore {
  private readonly logger = new Logger('ResponseCache');
  private lastLogAt = 0;
  private suppressed = 0;

  private constructor(
    private readonly client: Redis,
    /** True when the cache opened this connection (and so closes it). */
    private readonly owned: boolean,
  ) {}

  /** Uses the gateway's REDIS_URL connection, which RedisService owns. */
  static shared(client: Redis): RedisCacheStore {
    return new RedisCacheStore(client, false);
  }

  /**
   * A connection of the cache's own (cache_params host/port or url), with the same fail-fast
   * options as the gateway's: no offline queue, one retry, so a dead Redis answers at once.
   */
  static connect(c: RedisCacheConnection): RedisCacheStore {
    const options = {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      commandTimeout: COMMAND_TIMEOUT_MS,
      username: c.username,
      password: c.password,
      db: c.db,
    };
    const client = c.url ? new Redis(c.url, options) : new Redis({ ...options, host: c.host, port: c.port ?? 6379 });
    const store = new RedisCacheStore(client, true);
    client.on('error', (err: Error) => store.trouble('connection', err));
    return store;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const value = await withTimeout(this.client.get(key));
      return value ?? undefined;
    } catch (err) {
      this.trouble('read', err as Error);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSec: number): Promise<void> {
    try {
      await withTimeout(this.client.set(key, value, 'EX', Math.max(1, Math.round(ttlSec))));
    } catch (err) {
      this.trouble('write', err as Error);
    }
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    // quit() waits for a connection that may never come (Redis down): only a ready one is asked.
    if (this.client.status !== 'ready') return this.client.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private trouble(what: string, err: Error): void {
    const now = Date.now();
    if (now - this.lastLogAt < LOG_INTERVAL_MS) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (${this.suppressed} more Redis failure(s) since the last message)` : '';
    this.logger.warn(`Redis ${what} failed, answering as a cache miss: ${err.message}${more}`);
    this.lastLogAt = now;
    this.suppressed = 0;
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
