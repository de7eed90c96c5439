import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RedisService } from './redis.service.js';

/** What changed in the store. Receivers reload from the database, which stays the source of truth. */
export type Invalidation =
  | { readonly kind: 'config' }
  /** Keys created, updated, deleted, or whose spend was written. */
  | { readonly kind: 'keys'; readonly tokens: readonly string[] };

type Handler = (message: Invalidation) => Promise<unknown> | unknown;

/**
 * Cross-replica invalidation over Redis pub/sub. A replica that changes the store publishes what
 * changed; the others reload it. Messages carry no data beyond ids — a lost message costs
 * freshness, never correctness of what is stored. Without Redis, publish is a no-op.
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Replication');
  private readonly handlers = new Map<Invalidation['kind'], Handler[]>();
  private readonly reconnectHandlers: (() => Promise<unknown> | unknown)[] = [];
  private subscribedOnce = false;
  private readonly channel: string;

  constructor(private readonly redis: RedisService) {
    this.channel = `${redis.prefix}invalidate`;
  }

  get enabled(): boolean {
    return this.redis.enabled;
  }

  on(kind: Invalidation['kind'], handler: Handler): void {
    this.handlers.set(kind, [...(this.handlers.get(kind) ?? []), handler]);
  }

  /** Messages published while this replica was disconnected are lost: these handlers re-read everything. */
  onReconnect(handler: () => Promise<unknown> | unknown): void {
    this.reconnectHandlers.push(handler);
  }

  async onModuleInit(): Promise<void> {
    const sub = this.redis.subscriberConnection();
    if (!sub) return;
    sub.on('ready', () => {
      if (!this.subscribedOnce) return;
      this.logger.log('subscriber reconnected: re-reading models, aliases and keys');
      for (const handler of this.reconnectHandlers) {
        Promise.resolve()
          .then(handler)
          .catch((err: Error) => this.logger.error(`resync after reconnect failed: ${err.message}`));
      }
    });
    sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) void this.receive(text);
    });
    try {
      await sub.subscribe(this.channel);
      this.subscribedOnce = true;
    } catch (err) {
      this.logger.error(`cannot subscribe to ${this.channel}: ${(err as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.subscriberConnection()?.unsubscribe(this.channel).catch(() => undefined);
  }

  /** Fire and forget: an admin write has already succeeded when this runs. */
  publish(message: Invalidation): void {
    const client = this.redis.client;
    if (!client) return;
    const text = JSON.stringify({ from: this.redis.instanceId, ...message });
    client.publish(this.channel, text).catch((err: Error) => this.logger.warn(`publish ${message.kind} failed: ${err.message}`));
  }

  private async receive(text: string): Promise<void> {
    let message: Invalidation & { from?: string };
    try {
      message = JSON.parse(text) as Invalidation & { from?: string };
    } catch {
      return;
    }
    if (message.from === this.redis.instanceId) return;
    for (const handler of this.handlers.get(message.kind) ?? []) {
      try {
        await handler(message);
      } catch (err) {
        this.logger.error(`applying a '${message.kind}' change from another replica failed: ${(err as Error).message}`);
      }
    }
  }
}
