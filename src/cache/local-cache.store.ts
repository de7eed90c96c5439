import { LRUCache } from 'lru-cache';
import type { CacheStore } from './cache-entry.js';

/**
 * In-process entries, bounded by count and by bytes (the serialised length of each entry, at
 * two bytes per UTF-16 code unit — what the string costs in V8); least recently used go first.
 */
export class LocalCacheStore implements CacheStore {
  private readonly lru: LRUCache<string, string>;

  constructor(maxEntries: number, maxBytes: number) {
    this.lru = new LRUCache<string, string>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (value, key) => (value.length + key.length) * 2,
      // Expired entries are dropped when read or evicted, not by a timer per entry.
      ttlAutopurge: false,
    });
  }

  async get(key: string): Promise<string | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, value: string, ttlSec: number): Promise<void> {
    if ((value.length + key.length) * 2 > this.lru.maxSize) return;
    this.lru.set(key, value, { ttl: Math.max(1, Math.round(ttlSec * 1000)) });
  }

  get size(): number {
    return this.lru.size;
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}
