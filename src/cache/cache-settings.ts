import type { ConfigIssue } from '../config/config-error.js';

/** The endpoints whose answers can be cached; named as the router names them. */
export type CacheEndpoint = 'chat' | 'responses' | 'embeddings' | 'messages';

export interface RedisCacheConnection {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
}

/** litellm_settings.cache + cache_params, normalised. Absent (undefined) when caching is off. */
export interface CacheSettings {
  readonly type: 'local' | 'redis';
  /** Seconds an entry lives unless the request's `cache.ttl` says otherwise. */
  readonly ttlSec: number;
  /** Prefix of every cache key (LiteLLM's `namespace`: keys are `<namespace>:<hash>`). */
  readonly namespace?: string;
  readonly endpoints: ReadonlySet<CacheEndpoint>;
  /** cache_params.shared_across_keys: one entry serves every caller. Off: each virtual key has its own entries. */
  readonly sharedAcrossKeys: boolean;
  /** Own connection for type redis; absent means the gateway's REDIS_URL connection. */
  readonly redis?: RedisCacheConnection;
  /** Local backend bounds: entries, total bytes, and the largest single answer stored (both backends). */
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly maxItemBytes: number;
}

export const DEFAULT_CACHE_TTL_SEC = 600;
export const DEFAULT_MAX_ENTRIES = 1000;
export const DEFAULT_MAX_MEMORY_MB = 64;
/** LiteLLM's max_size_per_item default: 1024 KB. */
export const DEFAULT_MAX_ITEM_KB = 1024;

/**
 * LiteLLM's call-type names (sync and async spellings) → the endpoint they stand for. Call types
 * Switchboard has no endpoint for (text completion, transcription, rerank) are accepted and
 * mean nothing here.
 */
const CALL_TYPES: Record<string, CacheEndpoint | null> = {
  completion: 'chat',
  acompletion: 'chat',
  embedding: 'embeddings',
  aembedding: 'embeddings',
  responses: 'responses',
  aresponses: 'responses',
  anthropic_messages: 'messages',
  text_completion: null,
  atext_completion: null,
  transcription: null,
  atranscription: null,
  rerank: null,
  arerank: null,
};
const ALL_ENDPOINTS: readonly CacheEndpoint[] = ['chat', 'responses', 'embeddings', 'messages'];

const KNOWN_PARAMS = new Set([
  'type', 'ttl', 'namespace', 'supported_call_types', 'shared_across_keys', 'host', 'port', 'password', 'username',
  'url', 'redis_url', 'db', 'max_size_in_memory', 'max_size_per_item', 'max_memory_mb', 'default_in_memory_ttl',
  'default_in_redis_ttl',
]);
/** Cache types LiteLLM has and Switchboard does not: the cache stays off rather than pretend. */
const OTHER_TYPES = new Set(['redis-semantic', 'valkey-semantic', 'qdrant-semantic', 's3', 'gcs', 'disk', 'azure-blob']);

/**
 * Reads `litellm_settings.cache` / `cache_params` (already env-resolved). Wrong value types are
 * issues (start-up stops, naming the path); LiteLLM keys Switchboard does not read and cache
 * types it does not have are warnings, and in the latter case the cache stays off.
 */
export function normalizeCacheSettings(
  section: Record<string, unknown>,
  issues: ConfigIssue[],
  warnings: string[],
  env: NodeJS.ProcessEnv,
): CacheSettings | undefined {
  const base = 'litellm_settings.cache_params';
  const raw = section.cache_params;
  if (section.cache !== true) {
    if (section.cache === undefined && isMapping(raw)) warnings.push(`${base}: set but litellm_settings.cache is not true; caching is off`);
    return undefined;
  }
  const params: Record<string, unknown> = isMapping(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isMapping(raw)) {
    issues.push({ path: base, message: 'must be a mapping' });
    return undefined;
  }
  for (const key of Object.keys(params)) {
    if (!KNOWN_PARAMS.has(key)) warnings.push(`${base}.${key}: unknown key, ignored`);
  }
  const before = issues.length;
  const type = params.type ?? 'local';
  if (typeof type !== 'string') {
    issues.push({ path: `${base}.type`, message: "must be 'local' or 'redis'" });
    return undefined;
  }
  if (type !== 'local' && type !== 'redis') {
    if (OTHER_TYPES.has(type)) {
      warnings.push(`${base}.type: '${type}' is not supported by Switchboard (local, redis); caching is off`);
      return undefined;
    }
    issues.push({ path: `${base}.type`, message: `'${type}' is not a cache type (local, redis)` });
    return undefined;
  }
  const num = (key: string, min: number, integer = false): number | undefined => {
    const v = params[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      issues.push({ path: `${base}.${key}`, message: `must be ${integer ? 'an integer' : 'a number'} >= ${min}` });
      return undefined;
    }
    return n;
  };
  const str = (key: string): string | undefined => {
    const v = params[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') {
      issues.push({ path: `${base}.${key}`, message: 'must be a non-empty string' });
      return undefined;
    }
    return v;
  };
  const ttl = num('ttl', 1) ?? num(type === 'redis' ? 'default_in_redis_ttl' : 'default_in_memory_ttl', 1) ?? DEFAULT_CACHE_TTL_SEC;
  const namespace = str('namespace');
  const shared = params.shared_across_keys;
  if (shared !== undefined && typeof shared !== 'boolean') issues.push({ path: `${base}.shared_across_keys`, message: 'must be true or false' });
  const endpoints = callTypes(params.supported_call_types, `${base}.supported_call_types`, issues);
  const maxEntries = num('max_size_in_memory', 1, true) ?? DEFAULT_MAX_ENTRIES;
  const maxItemKb = num('max_size_per_item', 1) ?? DEFAULT_MAX_ITEM_KB;
  const maxMemoryMb = num('max_memory_mb', 1) ?? DEFAULT_MAX_MEMORY_MB;
  let redis: RedisCacheConnection | undefined;
  if (type === 'redis') {
    const url = str('url') ?? str('redis_url');
    const host = str('host');
    const port = num('port', 1, true);
    const db = num('db', 0, true);
    const username = str('username');
    const password = params.password === undefined || params.password === null ? undefined : String(params.password);
    if (url || host) redis = { url, host, port, db, username, password };
    else if (!env.REDIS_URL) {
      warnings.push(`${base}: type redis needs cache_params.host (or url) or REDIS_URL; neither is set, so caching is off`);
      return undefined;
    }
  } else {
    for (const key of ['host', 'port', 'url', 'redis_url', 'password']) {
      if (params[key] !== undefined) warnings.push(`${base}.${key}: only read for type redis, ignored`);
    }
  }
  if (issues.length > before) return undefined;
  return {
    type,
    ttlSec: ttl,
    namespace,
    endpoints,
    sharedAcrossKeys: shared === true,
    redis,
    maxEntries,
    maxBytes: Math.round(maxMemoryMb * 1024 * 1024),
    maxItemBytes: Math.round(maxItemKb * 1024),
  };
}

function callTypes(raw: unknown, path: string, issues: ConfigIssue[]): ReadonlySet<CacheEndpoint> {
  if (raw === undefined || raw === null) return new Set(ALL_ENDPOINTS);
  if (!Array.isArray(raw)) {
    issues.push({ path, message: 'must be a list of call types, e.g. [acompletion, aembedding, aresponses]' });
    return new Set();
  }
  const out = new Set<CacheEndpoint>();
  raw.forEach((v, i) => {
    if (typeof v !== 'string' || !(v in CALL_TYPES)) {
      issues.push({ path: `${path}[${i}]`, message: `unknown call type (known: ${Object.keys(CALL_TYPES).join(', ')})` });
      return;
    }
    const endpoint = CALL_TYPES[v];
    if (endpoint) out.add(endpoint);
  });
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
