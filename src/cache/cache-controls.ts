import { GatewayError } from '../common/gateway-error.js';

/**
 * The per-request `cache` object LiteLLM accepts in the body (its DynamicCacheControl):
 * `no-cache` skips the lookup (the fresh answer is still stored), `no-store` keeps the answer
 * out of the cache, `ttl` is how long this answer is kept, `s-maxage` (or `s-max-age`) the oldest
 * cached answer this request accepts, `namespace` a key prefix of the caller's choosing.
 */
export interface CacheControls {
  readonly noCache: boolean;
  readonly noStore: boolean;
  readonly ttlSec?: number;
  readonly maxAgeSec?: number;
  readonly namespace?: string;
}

export const NO_CONTROLS: CacheControls = { noCache: false, noStore: false };

/** Reads `body.cache`; a malformed value is a 400 naming the field, not silently ignored. */
export function parseCacheControls(raw: unknown): CacheControls {
  if (raw === undefined || raw === null) return NO_CONTROLS;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw GatewayError.invalid('`cache` must be an object such as {"no-cache": true} or {"ttl": 60}.', 'cache');
  }
  const c = raw as Record<string, unknown>;
  const flag = (name: string): boolean => {
    const v = c[name];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw GatewayError.invalid(`\`cache.${name}\` must be true or false.`, `cache.${name}`);
    return v;
  };
  const seconds = (name: string): number | undefined => {
    const v = c[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw GatewayError.invalid(`\`cache.${name}\` must be a number of seconds >= 0.`, `cache.${name}`);
    return v;
  };
  const namespace = c.namespace;
  if (namespace !== undefined && namespace !== null && (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > 256)) {
    throw GatewayError.invalid('`cache.namespace` must be a non-empty string.', 'cache.namespace');
  }
  return {
    noCache: flag('no-cache'),
    noStore: flag('no-store'),
    ttlSec: seconds('ttl'),
    maxAgeSec: seconds('s-maxage') ?? seconds('s-max-age'),
    namespace: typeof namespace === 'string' ? namespace : undefined,
  };
}

/** The body without `cache`: it is a gateway control, never sent upstream. */
export function withoutCacheControls<B extends Record<string, unknown>>(body: B): B {
  if (!('cache' in body)) return body;
  const { cache: _cache, ...rest } = body;
  return rest as B;
}
