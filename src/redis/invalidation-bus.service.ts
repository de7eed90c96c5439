import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { StoreService } from '../store/store.service.js';
import { RedisService } from './redis.service.js';

export const DEFAULT_RESYNC_INTERVAL_SECONDS = 30;

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
 *
 * Pub/sub is at-most-once: a message published while the subscriber is connected can still be
 * lost (Redis restarting between publish and delivery, a blip too short to trigger a reconnect).
 * So whenever other replicas can exist (a PostgreSQL store, or Redis configured) the resync
 * handlers also run every `general_settings.store_resync_interval_seconds`, which bounds how long
 * a lost message (or a replica running without Redis) can serve a deleted key or a stale model.
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Replication');
  private readonly handlers = new Map<Invalidation['kind'], Handler[]>();
  private readonly reconnectHandlers: (() => Promise<unknown> | unknown)[] = [];
  private subscribedOnce = false;
  private readonly channel: string;
  private resyncTimer?: NodeJS.Timeout;
  /** The resync in progress, so ticks never overlap and shutdown can wait for it. */
  private resyncing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly redis: RedisService,
    private readonly registry: ConfigRegistryService,
    private readonly store: StoreService,
  ) {
    this.channel = `${redis.prefix}invalidate`;
  }

  get enabled(): boolean {
    return this.redis.enabled;
  }

  on(kind: Invalidation['kind'], handler: Handler): void {
    this.handlers.set(kind, [...(this.handlers.get(kind) ?? []), handler]);
  }

  /**
   * Messages published while this replica was disconnected are lost: these handlers re-read
   * everything, after a reconnect and on the periodic resync. They must apply only what differs
   * from memory — most runs find nothing changed.
   */
  onReconnect(handler: () => Promise<unknown> | unknown): void {
    this.reconnectHandlers.push(handler);
  }

  async onModuleInit(): Promise<void> {
    this.startPeriodicResync();
    const sub = this.redis.subscriberConnection();
    if (!sub) return;
    sub.on('ready', () => {
      if (!this.subscribedOnce) return;
      this.logger.log('subscriber reconnected: re-reading models, aliases and keys');
      void this.resync('after reconnect');
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
    this.stopped = true;
    clearInterval(this.resyncTimer);
    await this.redis.subscriberConnection()?.unsubscribe(this.channel).catch(() => undefined);
    await this.resyncing;
  }

  /**
   * Runs every resync handler once, one after the other. A run asked for while one is in progress
   * waits for it and then runs again: the earlier one may have read the database before the
   * change that prompted this one.
   */
  resync(reason: string): Promise<void> {
    const run = async (): Promise<void> => {
      for (const handler of this.reconnectHandlers) {
        if (this.stopped) return;
        try {
          await handler();
        } catch (err) {
          if (!this.stopped) this.logger.error(`resync ${reason} failed: ${(err as Error).message}`);
        }
      }
    };
    const next: Promise<void> = (this.resyncing ?? Promise.resolve()).then(run).finally(() => {
      if (this.resyncing === next) this.resyncing = undefined;
    });
    this.resyncing = next;
    return next;
  }

  private sharedDatabase(): boolean {
    try {
      return this.store.dialect === 'postgres';
    } catch {
      return false; // a bad store location: start-up fails on it elsewhere, with the reason
    }
  }

  private startPeriodicResync(): void {
    const seconds = this.registry.config.general.storeResyncIntervalSeconds ?? DEFAULT_RESYNC_INTERVAL_SECONDS;
    // A single process on its own SQLite file has nobody to fall out of sync with.
    const replicasPossible = this.redis.enabled || this.sharedDatabase();
    if (seconds <= 0 || !replicasPossible) return;
    this.resyncTimer = setInterval(() => {
      // A slow database must not pile up runs: skip the tick while the previous one is going.
      if (!this.resyncing) void this.resync('(periodic)');
    }, seconds * 1000);
    this.resyncTimer.unref();
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
