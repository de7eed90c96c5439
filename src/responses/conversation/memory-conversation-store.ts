import type { JsonObject } from '../../providers/provider-adapter.js';
import { ConversationLookup, ConversationStore, identifiedItems, StoredResponse } from './conversation-store.js';

export const DEFAULT_MAX_CHARS = 32 * 1024 * 1024;

interface Entry {
  readonly owner: string;
  /** Kept as JSON text: one string per entry costs the GC nothing to trace, and no caller can mutate it. */
  readonly json: string;
  readonly expires: number;
}

/**
 * Bridged responses in this process, bounded by total size (JSON characters) and age: the oldest
 * entries go first. Without Redis every replica has its own, so a conversation continues only
 * on the replica that started it.
 */
export class MemoryConversationStore implements ConversationStore {
  /** `r:<response id>` and `i:<item id>`; Map iteration is insertion order, so the first entries are the oldest. */
  private readonly entries = new Map<string, Entry>();
  private chars = 0;

  constructor(
    private readonly maxChars = DEFAULT_MAX_CHARS,
    private readonly clock: () => number = Date.now,
  ) {}

  async load(owner: string, previousId: string | undefined, itemIds: readonly string[]): Promise<ConversationLookup> {
    let previous: StoredResponse | undefined;
    const stored = previousId === undefined ? undefined : this.get(`r:${previousId}`, owner);
    if (stored !== undefined) {
      const { input, output } = JSON.parse(stored) as { input: JsonObject[]; output: JsonObject[] };
      previous = { id: previousId!, owner, input, output };
    }
    const items = new Map<string, JsonObject>();
    for (const id of itemIds) {
      const item = this.get(`i:${id}`, owner);
      if (item !== undefined) items.set(id, JSON.parse(item) as JsonObject);
    }
    return { previous, items };
  }

  async save(response: StoredResponse, ttlMs: number): Promise<boolean> {
    const json = JSON.stringify({ input: response.input, output: response.output });
    const items = identifiedItems(response.output).map((item) => ({ id: item.id as string, json: JSON.stringify(item) }));
    if (json.length + items.reduce((sum, i) => sum + i.json.length, 0) > this.maxChars) return false;
    const expires = this.clock() + ttlMs;
    this.set(`r:${response.id}`, { owner: response.owner, json, expires });
    for (const item of items) this.set(`i:${item.id}`, { owner: response.owner, json: item.json, expires });
    this.evict();
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  private get(key: string, owner: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock()) {
      this.forget(key);
      return undefined;
    }
    return entry.owner === owner ? entry.json : undefined;
  }

  private set(key: string, entry: Entry): void {
    this.forget(key);
    this.entries.set(key, entry);
    this.chars += entry.json.length;
  }

  /**
   * Oldest first, until under the size bound and past the expired ones. TTLs can differ between
   * entries (the setting is reloadable), so an unexpired old entry stops the sweep early; it is
   * only a bound, and expired entries are also dropped when read.
   */
  private evict(): void {
    const now = this.clock();
    for (const [key, entry] of this.entries) {
      if (this.chars <= this.maxChars && entry.expires > now) break;
      this.forget(key);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.chars -= entry.json.length;
    this.entries.delete(key);
  }
}
