import { createHash } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import type { Resolution } from '../routing/model-resolution.service.js';
import type { CacheEndpoint } from './cache-settings.js';

/** Bumped whenever what is hashed, or what an entry holds, changes: old entries then simply miss. */
const KEY_VERSION = 1;

export interface CacheKeyInput {
  readonly endpoint: CacheEndpoint;
  readonly resolution: Pick<Resolution, 'group' | 'captures'>;
  /** The request body as sent upstream (without `cache`); `model` is replaced by the group. */
  readonly body: Record<string, unknown>;
  readonly caller: Caller;
  readonly sharedAcrossKeys: boolean;
  /** Inputs outside the body that change the answer, e.g. the anthropic-beta header on /v1/messages. */
  readonly extra?: Record<string, unknown>;
}

/**
 * The exact-match key of a request: a SHA-256 over a canonical JSON (object keys sorted at
 * every depth) of the endpoint, the model group the name resolved to (so an alias and its
 * target share entries; a wildcard adds what its `*` captured), every other body field, and the
 * caller's scope — its virtual key, unless entries are shared across keys.
 */
export function cacheKey(input: CacheKeyInput): string {
  const { model: _model, cache: _cache, ...params } = input.body;
  const material = {
    v: KEY_VERSION,
    endpoint: input.endpoint,
    group: input.resolution.group,
    captures: input.resolution.captures,
    scope: input.sharedAcrossKeys ? '*' : callerScope(input.caller),
    params,
    extra: input.extra ?? null,
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/** The master key and an open gateway each have a scope of their own, apart from every virtual key. */
export function callerScope(caller: Caller): string {
  if (caller.kind === 'virtual') return `key:${caller.keyId ?? ''}`;
  return caller.kind;
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` hash alike; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // undefined members are dropped, as JSON.stringify drops them.
    return value === undefined ? 'null' : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
