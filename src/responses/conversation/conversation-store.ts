import type { Caller } from '../../auth/caller.js';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';

/**
 * What a later request needs to continue a bridged response: its input, already expanded
 * (earlier turns and item references resolved), and its output. `instructions` are not part of
 * it: as at OpenAI, the instructions of a previous response do not carry over.
 */
export interface StoredResponse {
  readonly id: string;
  /** Who may continue it (see ownerOf): another caller gets "not found". */
  readonly owner: string;
  readonly input: readonly JsonObject[];
  readonly output: readonly JsonObject[];
}

export interface ConversationLookup {
  /** The previous response, when one was asked for and this owner may see it. */
  readonly previous?: StoredResponse;
  /** The referenced output items found for this owner, by item id. */
  readonly items: ReadonlyMap<string, JsonObject>;
}

/**
 * Where bridged responses are kept between requests: in process, or in Redis so that any replica
 * can continue a conversation started on another. Both treat an entry of another owner exactly
 * like a missing one.
 */
export interface ConversationStore {
  /** Rejects with ResponseStoreUnavailable when the backend cannot answer in time. */
  load(owner: string, previousId: string | undefined, itemIds: readonly string[]): Promise<ConversationLookup>;
  /**
   * Keeps the response and its output items (each findable by item id) for `ttlMs`. Resolves
   * false when the response is too large to keep; rejects with ResponseStoreUnavailable when
   * the backend cannot take it.
   */
  save(response: StoredResponse, ttlMs: number): Promise<boolean>;
}

/** Virtual keys are isolated from each other and from the master key; without auth everybody is one caller. */
export function ownerOf(caller: Caller): string {
  if (caller.kind === 'virtual') return `key:${caller.keyId ?? ''}`;
  return caller.kind;
}

export function storeUnavailable(cause: unknown): GatewayError {
  return new GatewayError(
    ErrorCode.ResponseStoreUnavailable,
    'The store of bridged responses (Redis) is not answering, so previous_response_id and item_reference cannot be resolved ' +
      'right now. Retry shortly, or send the whole conversation as input with store: false.',
    { retryAfterSeconds: 1, cause },
  );
}

/**
 * The output as kept: reasoning items without their text. Nothing reads it back (chat models take
 * no earlier reasoning, so rebuilding a conversation skips them) and it can outweigh the answer
 * many times over in every later turn's stored history; the item itself stays, so that an
 * item_reference to it (the Vercel AI SDK sends one per reasoning part) still resolves.
 */
export function keptOutput(output: readonly JsonObject[]): readonly JsonObject[] {
  if (!output.some((item) => item.type === 'reasoning')) return output;
  // encrypted_content stays: it carries Anthropic's signed thinking blocks, which the next turn needs.
  return output.map((item) =>
    item.type === 'reasoning'
      ? { id: item.id, type: 'reasoning', summary: [], ...(item.encrypted_content !== undefined ? { encrypted_content: item.encrypted_content } : {}) }
      : item,
  );
}

/** Output items worth finding by id later: objects with a string id. */
export function identifiedItems(output: readonly JsonObject[]): JsonObject[] {
  return output.filter((item) => typeof item.id === 'string');
}
