import type { JsonObject } from '../../providers/provider-adapter.js';

const DEFAULT_MAX_CHARS = 32 * 1024 * 1024;
const DEFAULT_TTL_MS = 60 * 60 * 1000;

/**
 * Recently produced output items of bridged responses, by item id.
 *
 * Clients that assume the Responses API stores everything (the Vercel AI SDK does, by default)
 * send earlier assistant messages back as `{type: 'item_reference', id}` instead of the text.
 * A chat provider never saw those ids, so the bridge resolves them here. Bounded by total size
 * and age, and per process: with several replicas a reference can miss, and then the request
 * fails with a message saying how to avoid references (store: false).
 */
export class BridgeItemStore {
  private readonly items = new Map<string, { item: JsonObject; size: number; expires: number }>();
  private chars = 0;

  constructor(
    private readonly maxChars = DEFAULT_MAX_CHARS,
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  remember(output: unknown): void {
    if (!Array.isArray(output)) return;
    const now = this.clock();
    for (const item of output) {
      if (typeof item !== 'object' || item === null || typeof (item as JsonObject).id !== 'string') continue;
      const id = (item as JsonObject).id as string;
      const size = JSON.stringify(item).length;
      if (size > this.maxChars) continue;
      this.forget(id);
      this.items.set(id, { item: item as JsonObject, size, expires: now + this.ttlMs });
      this.chars += size;
    }
    // Map iteration is insertion order, so the first entries are the oldest.
    for (const [id, entry] of this.items) {
      if (this.chars <= this.maxChars && entry.expires > now) break;
      this.forget(id);
    }
  }

  lookup(id: string): JsonObject | undefined {
    const entry = this.items.get(id);
    if (!entry) return undefined;
    if (entry.expires <= this.clock()) {
      this.forget(id);
      return undefined;
    }
    return entry.item;
  }

  get size(): number {
    return this.items.size;
  }

  private forget(id: string): void {
    const entry = this.items.get(id);
    if (!entry) return;
    this.chars -= entry.size;
    this.items.delete(id);
  }
}
