import type { JsonObject, SseEvent } from '../providers/provider-adapter.js';

/** Where the cached answer came from: what a hit's spend row names (at zero cost). */
export interface CachedOrigin {
  readonly group: string;
  readonly deploymentId: string;
  readonly provider: string;
  readonly upstreamModel: string;
}

/** One stored answer, serialised as JSON in either backend. */
export interface CachedEntry {
  readonly v: 1;
  /** Epoch ms when stored, for the request's `s-maxage`. */
  readonly storedAt: number;
  readonly origin: CachedOrigin;
  /** Tokens of the original answer, when known. */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
  /** A JSON answer, or the events of a stream exactly as the client received them. */
  readonly body?: JsonObject;
  readonly events?: readonly SseEvent[];
}

/** A backend. Neither method throws: a backend that fails answers a miss / drops the write. */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSec: number): Promise<void>;
  close(): Promise<void>;
}
