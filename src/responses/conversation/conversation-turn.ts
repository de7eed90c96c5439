import type { Caller } from '../../auth/caller.js';
import { ErrorCode, GatewayError, truncate } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { ConversationStore, ownerOf } from './conversation-store.js';

/** What the translator needs beyond the request itself. */
export interface ExpandedTurn {
  /** The previous response's input and output, in order: the conversation this request continues. */
  readonly history: readonly JsonObject[];
  /** Output items this request references with item_reference, by id (missing ones are absent). */
  readonly items: ReadonlyMap<string, JsonObject>;
}

const NOTHING_EARLIER: ExpandedTurn = { history: [], items: new Map() };

/**
 * One bridged /v1/responses request and the stored conversation around it: what it continues
 * (previous_response_id), what it references (item_reference), and whether its result is kept
 * (store, true unless false, as at OpenAI). The store is read at most once per request, however
 * many deployments are tried, and not at all when there is nothing to look up.
 */
export class ConversationTurn {
  readonly previousId: string | undefined;
  readonly itemIds: readonly string[];
  readonly owner: string;
  readonly keep: boolean;
  private loaded?: Promise<ExpandedTurn>;

  constructor(
    readonly request: JsonObject,
    caller: Caller,
    private readonly store: ConversationStore,
  ) {
    this.previousId = previousResponseId(request);
    this.itemIds = referencedItemIds(request.input);
    this.owner = ownerOf(caller);
    this.keep = request.store !== false;
  }

  /** Rejects with PreviousResponseNotFound, or ResponseStoreUnavailable when the store does not answer. */
  expand(): Promise<ExpandedTurn> {
    if (this.previousId === undefined && this.itemIds.length === 0) return Promise.resolve(NOTHING_EARLIER);
    this.loaded ??= this.store.load(this.owner, this.previousId, this.itemIds).then(({ previous, items }) => {
      if (this.previousId === undefined) return { history: [], items };
      if (!previous) throw previousNotFound(this.previousId);
      return { history: [...previous.input, ...previous.output], items };
    });
    return this.loaded;
  }

  /**
   * The input to keep for this turn: the history, then this request's input with its references
   * replaced by the items. A reference still missing here was dropped under drop_params (without
   * it translation would have failed), so it is left out.
   */
  storedInput(expanded: ExpandedTurn): JsonObject[] {
    const own = inputItems(this.request.input).flatMap((item) => {
      if (item.type !== 'item_reference') return [item];
      const found = typeof item.id === 'string' ? expanded.items.get(item.id) : undefined;
      return found ? [found] : [];
    });
    return [...expanded.history, ...own];
  }
}

/** `input` as a list of items; a plain string is one user message, as OpenAI stores it. */
export function inputItems(input: unknown): JsonObject[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (Array.isArray(input)) return input.filter((item): item is JsonObject => typeof item === 'object' && item !== null && !Array.isArray(item));
  return [];
}

function previousResponseId(request: JsonObject): string | undefined {
  const id = request.previous_response_id;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string') throw GatewayError.invalid(`Invalid 'previous_response_id': must be a string.`, 'previous_response_id');
  return id;
}

function referencedItemIds(input: unknown): string[] {
  if (!Array.isArray(input)) return [];
  const ids = new Set<string>();
  for (const item of input) {
    if (typeof item === 'object' && item !== null && (item as JsonObject).type === 'item_reference' && typeof (item as JsonObject).id === 'string') {
      ids.add((item as JsonObject).id as string);
    }
  }
  return [...ids];
}

function previousNotFound(id: string): GatewayError {
  return new GatewayError(
    ErrorCode.PreviousResponseNotFound,
    `No previous response '${truncate(id, 200)}' to continue. This gateway keeps responses of models without a native Responses API ` +
      `for a limited time (general_settings.responses_store_ttl) and only for the key that created them; ` +
      `responses created with store: false, or by a deployment with a native Responses API (openai, azure, openrouter), are not among them. ` +
      `Send the whole conversation as input instead.`,
    { param: 'previous_response_id' },
  );
}
