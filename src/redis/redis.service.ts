import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redactUrl } from '../common/url-redaction.js';
import { readEnv } from '../config/env-vars.js';
import { ReadinessService } from '../health/readiness.service.js';

export const DEFAULT_KEY_PREFIX = 'switchboard:';

/**
 * The optional Redis connection (REDIS_URL). Absent, every counter and cache is in-process and
 * `client` is undefined; present, replicas share rate-limit counters and hear each other's admin
 * changes. One command connection plus, for pub/sub, a dedicated subscriber connection (a
 * subscribed ioredis connection cannot run other commands).
 */
@Injectable()
export class RedisService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Redis');
  readonly client?: Redis;
  private subscriber?: Redis;
  /** Every key and channel starts with this, so one Redis can serve several gateways (or test runs). */
  readonly prefix: string;
  /** Identifies this process in pub/sub messages, so it can ignore its own. */
  readonly instanceId = randomUUID();
  readonly url?: string;

  constructor(private readonly readiness: ReadinessService) {
    this.url = readEnv('REDIS_URL');
    this.prefix = readEnv('REDIS_KEY_PREFIX') ?? DEFAULT_KEY_PREFIX;
    if (this.url) this.client = this.connect('commands');
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (!this.client) return;
    this.readiness.register('redis', async () => {
      if ((await this.client!.ping()) !== 'PONG') throw new Error('unexpected PING reply');
    });
    try {
      await this.client.ping();
      this.logger.log(`connected to ${redactUrl(this.url!)} (prefix '${this.prefix}')`);
    } catch (err) {
      // Not fatal: ioredis keeps reconnecting, limiters fall back to memory, readiness reports it.
      this.logger.error(`cannot reach ${redactUrl(this.url!)}: ${(err as Error).message}`);
    }
  }

  /** A second connection in subscriber mode (created on first use). */
  subscriberConnection(): Redis | undefined {
    if (!this.client) return undefined;
    this.subscriber ??= this.connect('subscriber');
    return this.subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.client, this.subscriber].filter((c): c is Redis => !!c).map((c) => c.quit().catch(() => c.disconnect())));
  }

  private connect(role: string): Redis {
    const redis = new Redis(this.url!, {
      // A request must not hang on a dead Redis: fail fast, the limiter's in-memory insurance takes over.
      maxRetriesPerRequest: 1,
      enableOfflineQueue: role === 'subscriber',
      connectTimeout: 2000,
      lazyConnect: false,
    });
    let lastError = '';
    redis.on('error', (err: Error) => {
      if (err.message !== lastError) this.logger.warn(`${role} connection: ${err.message}`);
      lastError = err.message;
    });
    redis.on('ready', () => {
      if (lastError) this.logger.log(`${role} connection restored`);
      lastError = '';
    });
    return redis;
  }
}
