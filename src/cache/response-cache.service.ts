import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { GatewayResult } from '../common/gateway-result.js';
import { rewriteModel, rewriteStreamModel } from '../common/model-rewrite.js';
import type { RequestContext } from '../common/request-context.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { withRequestedModel } from '../messages/messages-model.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { JsonObject, SseEvent } from '../providers/provider-adapter.js';
import { RedisService } from '../redis/redis.service.js';
import type { Resolution } from '../routing/model-resolution.service.js';
import { CacheControls, parseCacheControls, withoutCacheControls } from './cache-controls.js';
import type { CachedEntry, CachedOrigin, CacheStore } from './cache-entry.js';
import { cacheKey } from './cache-key.js';
import type { CacheEndpoint, CacheSettings } from './cache-settings.js';
import { LocalCacheStore } from './local-cache.store.js';
import { RedisCacheStore } from './redis-cache.store.js';

export const CACHE_HEADER = 'x-switchboard-cache';
/** ChatService's header, spelled out here: importing it would be a cycle (ChatService injects this service). */
const DEPLOYMENT_HEADER = 'x-switchboard-deployment';

type Body = JsonObject & { model: string; stream?: boolean };

/**
 * The response cache (litellm_settings.cache): looked up after the model name is resolved and
 * before the router runs; a successful, complete answer is stored once it has been served.
 * Endpoint services call `applies()` (one property read when caching is off) and hand their
 * normal path to `serve()` as `run`.
 *
 * Concurrent identical JSON misses on one replica are coalesced: the first goes upstream, the
 * others wait for its stored answer (or go upstream themselves if it failed). Streams are not
 * (a waiting stream would lose its time to first token), nor are misses on different replicas.
 */
@Injectable()
export class ResponseCacheService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ResponseCache');
  private store?: CacheStore;
  private storeSignature?: string;
  private seenSettings?: CacheSettings;
  /** JSON misses on their way upstream, by key: identical requests arriving meanwhile wait for that answer. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: ConfigRegistryService,
    private readonly redis: RedisService,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** False on the hot path when caching is off and the client sent no `cache` controls. */
  applies(body: JsonObject): boolean {
    return this.registry.config.litellm.cache !== undefined || body.cache !== undefined;
  }

  /**
   * Serves `body` from the cache, or through `run` (the endpoint's normal path) and stores the
   * answer. `cache` is never sent upstream, whether or not caching is on. `extra` adds inputs
   * outside the body that change the answer.
   */
  async serve(
    endpoint: CacheEndpoint,
    body: Body,
    resolution: Resolution,
    ctx: RequestContext,
    run: (upstreamBody: Body) => Promise<GatewayResult>,
    extra?: Record<string, unknown>,
  ): Promise<GatewayResult> {
    const upstreamBody = withoutCacheControls(body);
    const settings = this.registry.config.litellm.cache;
    if (!settings || !settings.endpoints.has(endpoint)) return run(upstreamBody);
    const controls = parseCacheControls(body.cache);
    const store = this.storeFor(settings);
    if (!store) return run(upstreamBody);
    const hash = cacheKey({ endpoint, resolution, body: upstreamBody, caller: ctx.caller, sharedAcrossKeys: settings.sharedAcrossKeys, extra });
    const key = `${controls.namespace ?? settings.namespace ?? this.defaultNamespace(settings)}:${hash}`;
    const stream = upstreamBody.stream === true;

    let looked = false;
    if (!controls.noCache) {
      looked = true;
      let entry = await this.lookup(store, key, controls);
      const leader = entry || stream ? undefined : this.inFlight.get(key);
      if (leader) {
        // The same JSON request is already on its way upstream here: its answer, once stored, serves this one.
        await leader;
        entry = await this.lookup(store, key, controls);
      }
      this.metrics?.cacheLookup(endpoint, resolution.group, entry ? 'hit' : 'miss');
      if (entry && (stream ? entry.events !== undefined : entry.body !== undefined)) {
        return this.replay(endpoint, entry, resolution.requestedName, ctx);
      }
    }
    const ttlSec = controls.ttlSec ?? settings.ttlSec;
    const storing = !controls.noStore && ttlSec > 0;
    const release = storing && !stream && looked ? this.lead(key) : undefined;
    let result: GatewayResult;
    try {
      result = await run(upstreamBody);
    } catch (err) {
      release?.();
      throw err;
    }
    const headers = looked ? { ...result.headers, [CACHE_HEADER]: 'miss' } : result.headers;
    if (!storing) return { ...result, headers };
    const write = (entry: CachedEntry) => this.write(store, key, entry, ttlSec, settings.maxItemBytes);
    if (result.kind === 'json') {
      if (isComplete(endpoint, result.body)) void write(this.entryOf(result, ctx, { body: result.body })).finally(release);
      else release?.();
      return { ...result, headers };
    }
    release?.();
    return { ...result, headers, events: this.recording(endpoint, result, ctx, settings.maxItemBytes, write) };
  }

  /**
   * Marks `key` as being fetched by this request (unless another already is); the returned
   * function ends that, once the answer is stored or the request failed.
   */
  private lead(key: string): (() => void) | undefined {
    if (this.inFlight.has(key)) return undefined;
    let done!: () => void;
    this.inFlight.set(key, new Promise<void>((resolve) => (done = resolve)));
    return () => {
      this.inFlight.delete(key);
      done();
    };
  }

  /** A Redis backend connects at start-up, so the first request does not find it still connecting (a miss). */
  onModuleInit(): void {
    const settings = this.registry.config.litellm.cache;
    if (settings) this.storeFor(settings);
  }

  async onModuleDestroy(): Promise<void> {
    await this.store?.close();
  }

  /** Backends are rebuilt only when the cache settings change (a config reload), not on every new routing table. */
  private storeFor(settings: CacheSettings): CacheStore | undefined {
    if (settings === this.seenSettings) return this.store;
    this.seenSettings = settings;
    const signature = JSON.stringify({ ...settings, endpoints: [...settings.endpoints] });
    if (signature === this.storeSignature) return this.store;
    void this.store?.close();
    this.storeSignature = signature;
    this.store = this.createStore(settings);
    return this.store;
  }

  private createStore(settings: CacheSettings): CacheStore | undefined {
    if (settings.type === 'local') return new LocalCacheStore(settings.maxEntries, settings.maxBytes);
    if (settings.redis) return RedisCacheStore.connect(settings.redis);
    if (this.redis.client) return RedisCacheStore.shared(this.redis.client);
    this.logger.error('cache_params.type is redis but REDIS_URL is not set on this replica; caching is off');
    return undefined;
  }

  private defaultNamespace(settings: CacheSettings): string {
    return settings.type === 'redis' ? `${this.redis.prefix}cache` : 'cache';
  }

  private async lookup(store: CacheStore, key: string, controls: CacheControls): Promise<CachedEntry | undefined> {
    const text = await store.get(key);
    if (text === undefined) return undefined;
    let entry: CachedEntry;
    try {
      entry = JSON.parse(text) as CachedEntry;
    } catch {
      return undefined;
    }
    if (entry?.v !== 1) return undefined;
    if (controls.maxAgeSec !== undefined && Date.now() - entry.storedAt > controls.maxAgeSec * 1000) return undefined;
    return entry;
  }

  private async write(store: CacheStore, key: string, entry: CachedEntry, ttlSec: number, maxItemBytes: number): Promise<void> {
    let text: string;
    try {
      text = JSON.stringify(entry);
    } catch {
      return;
    }
    if (Buffer.byteLength(text) > maxItemBytes) return;
    await store.set(key, text, ttlSec);
  }

  private entryOf(result: GatewayResult, ctx: RequestContext, answer: { body?: JsonObject; events?: SseEvent[] }): CachedEntry {
    const charge = ctx.meter?.lastCharge;
    const t = charge?.target;
    const origin: CachedOrigin = t
      ? { group: t.group, deploymentId: t.deploymentId, provider: t.provider, upstreamModel: t.upstreamModel }
      : { group: '', deploymentId: result.headers[DEPLOYMENT_HEADER] ?? '', provider: '', upstreamModel: '' };
    const usage = charge ? { promptTokens: charge.usage.promptTokens, completionTokens: charge.usage.completionTokens } : undefined;
    return { v: 1, storedAt: Date.now(), origin, usage, ...answer };
  }

  /**
   * Passes the stream through untouched and keeps a copy of its events; the copy is stored only
   * when the stream ended normally and complete (not on an error, not when the client left,
   * not when it outgrew max_size_per_item).
   */
  private recording(
    endpoint: CacheEndpoint,
    result: Extract<GatewayResult, { kind: 'sse' }>,
    ctx: RequestContext,
    maxItemBytes: number,
    write: (entry: CachedEntry) => Promise<void>,
  ): AsyncIterable<SseEvent> {
    const service = this;
    return (async function* recorded(): AsyncGenerator<SseEvent> {
      let kept: SseEvent[] | undefined = [];
      let bytes = 0;
      let complete = false;
      for await (const e of result.events) {
        if (kept) {
          bytes += e.data.length + (e.event?.length ?? 0);
          if (bytes > maxItemBytes) kept = undefined;
          else kept.push(e.event ? { event: e.event, data: e.data } : { data: e.data });
        }
        if (!complete) complete = endsStream(endpoint, e);
        yield e;
      }
      // Reached only when the stream ended by itself: an error or a client gone skips this.
      if (kept && complete) void write(service.entryOf(result, ctx, { events: kept }));
    })();
  }

  private replay(endpoint: CacheEndpoint, entry: CachedEntry, requestedName: string, ctx: RequestContext): GatewayResult {
    const origin = { ...entry.origin, model: requestedName };
    const headers = { [CACHE_HEADER]: 'hit' };
    if (entry.events) {
      ctx.meter?.cacheHit(endpoint, origin, entry.usage, true);
      return { kind: 'sse', flavour: endpoint === 'embeddings' ? 'chat' : endpoint, events: replayEvents(endpoint, entry.events, requestedName), headers };
    }
    ctx.meter?.cacheHit(endpoint, origin, entry.usage, false);
    // Parsed from the stored text for this request alone: free to modify.
    const body = rewriteModel(entry.body!, requestedName);
    if (endpoint === 'chat') Object.assign(body, freshChatIdentity());
    return { kind: 'json', body, headers };
  }
}

/**
 * A cached chat answer gets a new id and `created`, as a new completion would. Responses keep
 * theirs: a response id is what `previous_response_id` continues from, and the stored
 * conversation knows only the original one.
 */
function freshChatIdentity(): { id: string; created: number } {
  return { id: `chatcmpl-${randomBytes(12).toString('base64url')}`, created: Math.floor(Date.now() / 1000) };
}

async function* replayEvents(endpoint: CacheEndpoint, events: readonly SseEvent[], requestedName: string): AsyncGenerator<SseEvent> {
  const source = (async function* () {
    yield* events;
  })();
  if (endpoint === 'responses') return yield* rewriteStreamModel(source, requestedName);
  if (endpoint === 'messages') return yield* withRequestedModel(source, requestedName);
  const identity = freshChatIdentity();
  for await (const e of source) {
    if (e.data === '[DONE]') {
      yield e;
      continue;
    }
    try {
      const chunk = JSON.parse(e.data) as JsonObject;
      Object.assign(chunk, identity, { model: requestedName });
      yield e.event ? { event: e.event, data: JSON.stringify(chunk) } : { data: JSON.stringify(chunk) };
    } catch {
      yield e;
    }
  }
}

/** The event that says a stream is whole: chat's [DONE], Responses' response.completed, Messages' message_stop. */
function endsStream(endpoint: CacheEndpoint, e: SseEvent): boolean {
  if (endpoint === 'chat') return e.data === '[DONE]';
  if (endpoint === 'responses') return e.event === 'response.completed' || (e.event === undefined && e.data.includes('"type":"response.completed"'));
  if (endpoint === 'messages') return e.event === 'message_stop' || (e.event === undefined && e.data.includes('"type":"message_stop"'));
  return false;
}

/** Only finished answers are stored: a Responses object that is incomplete, failed or still running is not. */
function isComplete(endpoint: CacheEndpoint, body: JsonObject): boolean {
  if (endpoint === 'responses') return body.status === undefined || body.status === 'completed';
  return true;
}
