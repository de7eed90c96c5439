import { isDeepStrictEqual } from 'node:util';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ApiKeyService } from '../auth/api-key.service.js';
import type { Caller } from '../auth/caller.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { InvalidationBus } from '../redis/invalidation-bus.service.js';
import { ALL_MODELS, VirtualKey } from './virtual-key.js';
import { VirtualKeysRepository } from './virtual-keys.repository.js';

const UNKNOWN_TTL_MS = 60_000;
const UNKNOWN_MAX = 10_000;

/** One key in memory, with what the hot path needs precomputed. */
export interface CachedKey {
  readonly key: VirtualKey;
  readonly caller: Caller;
  readonly expiresMs?: number;
  readonly resetMs?: number;
  /** Spend recorded here and not yet part of `key.spend` (pending or being written). */
  unflushed: number;
}

/**
 * Every virtual key, in memory: authentication is a hash lookup in a Map, with no database round
 * trip per request. The database stays the source of truth — local admin writes update this
 * cache directly, other replicas' writes arrive as invalidations (Redis pub/sub) and are reloaded.
 * A key this replica has not heard of yet (created elsewhere a moment ago) is looked up once.
 */
@Injectable()
export class KeyCacheService implements OnModuleInit {
  private readonly logger = new Logger('Keys');
  private readonly keys = new Map<string, CachedKey>();
  /** Bumped by every load, so a slow read never overwrites a newer one. */
  private readonly loadSeq = new Map<string, number>();
  private seq = 0;
  private readonly misses = new Map<string, Promise<CachedKey | undefined>>();
  /**
   * Hashes recently looked up and not found. Clients of an open gateway often send a dummy key
   * on every request; without this, each would cost a database query. A key created later is
   * announced (pub/sub or the local write), which clears its entry.
   */
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly repo: VirtualKeysRepository,
    private readonly apiKeys: ApiKeyService,
    private readonly bus: InvalidationBus,
  ) {}

  async onModuleInit(): Promise<void> {
    const all = await this.repo.list();
    for (const key of all) this.keys.set(key.token, this.cached(key, 0));
    if (all.length) this.logger.log(`loaded ${all.length} virtual key(s)`);
    this.apiKeys.setVirtualKeyLookup((token) => this.authenticate(token));
    this.bus.on('keys', (m) => (m.kind === 'keys' ? this.reload(m.tokens) : undefined));
    // Keys changed or deleted while an invalidation was lost (Redis out of reach, or a message
    // dropped): after a reconnect and periodically.
    this.bus.onReconnect(() => this.resync());
  }

  /** The caller for a key hash; undefined when unknown; throws 401 for an expired key. */
  async authenticate(token: string): Promise<Caller | undefined> {
    const entry = this.keys.get(token) ?? (this.knownUnknown(token) ? undefined : await this.miss(token));
    if (!entry) return undefined;
    if (entry.expiresMs !== undefined && Date.now() >= entry.expiresMs) {
      throw new GatewayError(ErrorCode.Unauthorized, 'This API key has expired.');
    }
    return entry.caller;
  }

  get(token: string): CachedKey | undefined {
    return this.keys.get(token);
  }

  all(): CachedKey[] {
    return [...this.keys.values()];
  }

  /** After a local write: the row as just stored. */
  put(key: VirtualKey): CachedKey {
    this.unknown.delete(key.token);
    const entry = this.cached(key, this.keys.get(key.token)?.unflushed ?? 0);
    this.seq++;
    this.loadSeq.set(key.token, this.seq);
    this.keys.set(key.token, entry);
    return entry;
  }

  remove(tokens: readonly string[]): void {
    for (const t of tokens) {
      this.keys.delete(t);
      this.loadSeq.set(t, ++this.seq);
    }
  }

  /** Spend for budget checks: stored spend of the current period plus what this replica has not written yet. */
  periodSpend(entry: CachedKey, now = Date.now()): number {
    if (entry.resetMs !== undefined && now >= entry.resetMs) return 0; // the period ended; the reset is on its way
    return entry.key.spend + entry.unflushed;
  }

  addUnflushed(token: string, cost: number): void {
    const entry = this.keys.get(token);
    if (entry) entry.unflushed += cost;
  }

  /**
   * Re-reads keys from the database. `flushed` is spend this replica has just written for those
   * keys: it moves from `unflushed` into the stored value in the same step, so it is never
   * counted twice or not at all.
   */
  async reload(tokens: readonly string[], flushed?: ReadonlyMap<string, number>): Promise<void> {
    if (tokens.length === 0) return;
    for (const t of tokens) this.unknown.delete(t);
    const started = new Map(tokens.map((t) => [t, ++this.seq]));
    const rows = new Map((await this.repo.getMany(tokens)).map((k) => [k.token, k]));
    for (const token of tokens) {
      const prior = this.keys.get(token);
      const flushedHere = flushed?.get(token) ?? 0;
      const unflushed = Math.max(0, (prior?.unflushed ?? 0) - flushedHere);
      if ((this.loadSeq.get(token) ?? 0) > started.get(token)!) {
        // A newer load already applied; only the spend bookkeeping still has to move.
        if (prior) prior.unflushed = unflushed;
        continue;
      }
      this.loadSeq.set(token, started.get(token)!);
      const row = rows.get(token);
      if (row) this.keys.set(token, this.cached(row, unflushed));
      else this.keys.delete(token);
    }
  }

  /**
   * Brings the whole cache in line with the database in one query: rows that differ replace their
   * entry, keys gone from the table are dropped, keys created elsewhere are added. Entries written
   * or loaded after the query started are left alone (they are at least as new). Returns how many
   * entries changed.
   */
  async resync(): Promise<number> {
    const started = ++this.seq;
    const rows = await this.repo.list();
    const newer = (token: string) => (this.loadSeq.get(token) ?? 0) > started;
    let changed = 0;
    const present = new Set<string>();
    for (const row of rows) {
      present.add(row.token);
      this.unknown.delete(row.token);
      const prior = this.keys.get(row.token);
      if (newer(row.token) || (prior && sameKey(prior.key, row))) continue;
      this.loadSeq.set(row.token, started);
      this.keys.set(row.token, this.cached(row, prior?.unflushed ?? 0));
      changed++;
    }
    for (const token of [...this.keys.keys()]) {
      if (present.has(token) || newer(token)) continue;
      this.loadSeq.set(token, started);
      this.keys.delete(token);
      changed++;
    }
    if (changed) this.logger.log(`resync: ${changed} virtual key(s) differed from the store and were updated`);
    return changed;
  }

  private miss(token: string): Promise<CachedKey | undefined> {
    let pending = this.misses.get(token);
    if (!pending) {
      const seq = ++this.seq;
      pending = this.repo
        .get(token)
        .then((key) => {
          if (!key) {
            if (this.unknown.size >= UNKNOWN_MAX) this.unknown.clear();
            this.unknown.set(token, Date.now() + UNKNOWN_TTL_MS);
            return undefined;
          }
          if ((this.loadSeq.get(token) ?? 0) > seq) return this.keys.get(token);
          this.loadSeq.set(token, seq);
          const entry = this.cached(key, 0);
          this.keys.set(token, entry);
          return entry;
        })
        .finally(() => this.misses.delete(token));
      this.misses.set(token, pending);
    }
    return pending;
  }

  private knownUnknown(token: string): boolean {
    const until = this.unknown.get(token);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.unknown.delete(token);
    return false;
  }

  private cached(key: VirtualKey, unflushed: number): CachedKey {
    const models = key.models.includes(ALL_MODELS) ? [] : key.models;
    return {
      key,
      caller: { kind: 'virtual', keyId: key.token, keyAlias: key.keyAlias, allowedModels: models },
      expiresMs: key.expires ? Date.parse(key.expires) : undefined,
      resetMs: key.budgetResetAt ? Date.parse(key.budgetResetAt) : undefined,
      unflushed,
    };
  }
}

/**
 * Field by field, so an absent field and one set to undefined compare equal; values by content
 * (isDeepStrictEqual ignores property order, e.g. in metadata, where JSON text would not).
 */
function sameKey(a: VirtualKey, b: VirtualKey): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof VirtualKey)[]);
  for (const f of fields) if (!isDeepStrictEqual(a[f], b[f])) return false;
  return true;
}
