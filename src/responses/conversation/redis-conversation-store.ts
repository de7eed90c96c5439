import type { Redis } from 'ioredis';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { ConversationLookup, ConversationStore, identifiedItems, StoredResponse, storeUnavailable } from './conversation-store.js';
import { DEFAULT_MAX_CHARS } from './memory-conversation-store.js';

/** A request waits at most this long for Redis before it is answered 503. */
export const DEFAULT_REDIS_TIMEOUT_MS = 2000;

interface RedisEntry {
  readonly owner: string;
  readonly value: JsonObject;
}

/**
 * Bridged responses in Redis, shared by every replica: `<prefix>responses:r:<response id>` holds
 * the expanded input and the output, `<prefix>responses:i:<item id>` each output item (for
 * item_reference). Both expire with the response. A lookup is one MGET, a save one MULTI.
 */
export class RedisConversationStore implements ConversationStore {
  private readonly keyPrefix: string;

  constructor(
    private readonly client: Redis,
    prefix: string,
    private readonly timeoutMs = DEFAULT_REDIS_TIMEOUT_MS,
    private readonly maxChars = DEFAULT_MAX_CHARS,
  ) {
    this.keyPrefix = `${prefix}responses:`;
  }

  async load(owner: string, previousId: string | undefined, itemIds: readonly string[]): Promise<ConversationLookup> {
    const keys = itemIds.map((id) => `${this.keyPrefix}i:${id}`);
    if (previousId !== undefined) keys.unshift(`${this.keyPrefix}r:${previousId}`);
    const values = keys.length === 0 ? [] : await this.bounded(this.client.mget(keys));
    const found = values.map((text) => parseEntry(text, owner));
    const previousEntry = previousId === undefined ? undefined : found.shift();
    const items = new Map<string, JsonObject>();
    itemIds.forEach((id, i) => {
      if (found[i]) items.set(id, found[i]);
    });
    const previous =
      previousEntry && Array.isArray(previousEntry.input) && Array.isArray(previousEntry.output)
        ? { id: previousId!, owner, input: previousEntry.input as JsonObject[], output: previousEntry.output as JsonObject[] }
        : undefined;
    return { previous, items };
  }

  async save(response: StoredResponse, ttlMs: number): Promise<boolean> {
    const record = JSON.stringify({ owner: response.owner, value: { input: response.input, output: response.output } });
    if (record.length > this.maxChars) return false;
    const ttl = Math.max(1, Math.round(ttlMs));
    const multi = this.client.multi().set(`${this.keyPrefix}r:${response.id}`, record, 'PX', ttl);
    for (const item of identifiedItems(response.output)) {
      multi.set(`${this.keyPrefix}i:${item.id as string}`, JSON.stringify({ owner: response.owner, value: item }), 'PX', ttl);
    }
    const results = await this.bounded(multi.exec());
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw storeUnavailable(failed?.[0] ?? new Error('MULTI was discarded'));
    return true;
  }

  /**
   * The connection fails fast when it is down (no offline queue), but a Redis that accepts and
   * never answers would hold the request forever: the wait is capped here.
   */
  private bounded<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([command, timeout])
      .catch((err: unknown) => {
        throw storeUnavailable(err);
      })
      .finally(() => clearTimeout(timer));
  }
}

/** Another owner's entry, an expired one and a damaged one all read as absent. */
function parseEntry(text: string | null, owner: string): JsonObject | undefined {
  if (text === null) return undefined;
  try {
    const entry = JSON.parse(text) as RedisEntry;
    return entry.owner === owner && typeof entry.value === 'object' && entry.value !== null ? entry.value : undefined;
  } catch {
    return undefined;
  }
}
