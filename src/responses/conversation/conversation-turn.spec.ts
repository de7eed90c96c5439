import { storedResponse } from '../../../test/helpers/conversation-store-contract.js';
import { ANONYMOUS, Caller, MASTER } from '../../auth/caller.js';
import { mapError } from '../../common/error-mapping.js';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import type { ConversationLookup, ConversationStore, StoredResponse } from './conversation-store.js';
import { ownerOf } from './conversation-store.js';
import { ConversationTurn, inputItems } from './conversation-turn.js';
import { MemoryConversationStore } from './memory-conversation-store.js';

/** A memory store that counts how often it is asked. */
class CountingStore implements ConversationStore {
  loads = 0;
  saves = 0;
  private readonly inner = new MemoryConversationStore();

  load(owner: string, previousId: string | undefined, itemIds: readonly string[]): Promise<ConversationLookup> {
    this.loads++;
    return this.inner.load(owner, previousId, itemIds);
  }

  save(response: StoredResponse, ttlMs: number): Promise<boolean> {
    this.saves++;
    return this.inner.save(response, ttlMs);
  }
}

const K1: Caller = { kind: 'virtual', keyId: 'k1' };
const K2: Caller = { kind: 'virtual', keyId: 'k2' };

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: GatewayError) => err,
  );
}

describe('ConversationTurn', () => {
  let store: CountingStore;
  let earlier: StoredResponse;

  beforeEach(async () => {
    store = new CountingStore();
    earlier = storedResponse(ownerOf(K1));
    await store.save(earlier, 60_000);
    store.saves = 0;
  });

  it('without previous_response_id or references the store is not asked', async () => {
    const turn = new ConversationTurn({ model: 'm', input: 'hi', store: false }, K1, store);
    const expanded = await turn.expand();
    expect(expanded.history).toEqual([]);
    expect(turn.storedInput(expanded)).toEqual([{ role: 'user', content: 'hi' }]);
    expect(turn.keep).toBe(false);
    expect(store.loads).toBe(0);
  });

  it('keeps the response unless store is false, as OpenAI does', () => {
    expect(new ConversationTurn({ model: 'm', input: 'hi' }, K1, store).keep).toBe(true);
    expect(new ConversationTurn({ model: 'm', input: 'hi', store: true }, K1, store).keep).toBe(true);
    expect(new ConversationTurn({ model: 'm', input: 'hi', store: null }, K1, store).keep).toBe(true);
    expect(new ConversationTurn({ model: 'm', input: 'hi', store: false }, K1, store).keep).toBe(false);
  });

  it('previous_response_id: the history is the previous input then its output; stored input adds this input', async () => {
    const input = [{ role: 'user', content: 'And Spain?' }];
    const turn = new ConversationTurn({ model: 'm', previous_response_id: earlier.id, instructions: 'Be brief.', input }, K1, store);
    const expanded = await turn.expand();
    expect(expanded.history).toEqual([...earlier.input, ...earlier.output]);
    expect(turn.storedInput(expanded)).toEqual([...earlier.input, ...earlier.output, ...input]);
    // Instructions are the request's own business: they are not part of what is kept.
    expect(JSON.stringify(turn.storedInput(expanded))).not.toContain('Be brief.');
  });

  it('reads the store once however many attempts expand the turn', async () => {
    const turn = new ConversationTurn({ model: 'm', previous_response_id: earlier.id, input: 'x' }, K1, store);
    await Promise.all([turn.expand(), turn.expand()]);
    await turn.expand();
    expect(store.loads).toBe(1);
  });

  it.each([
    ['an unknown id', 'resp_unknown', K1],
    ['a response of another key', undefined, K2],
    ['a response of a virtual key, asked with the master key', undefined, MASTER],
    ['a response of a virtual key, asked without a key', undefined, ANONYMOUS],
  ])('%s → 400 previous_response_not_found naming previous_response_id', async (_what, id, caller) => {
    const turn = new ConversationTurn({ model: 'm', previous_response_id: id ?? earlier.id, input: 'x' }, caller as Caller, store);
    const err = await rejection(turn.expand());
    expect(err.code).toBe(ErrorCode.PreviousResponseNotFound);
    const mapped = mapError(err);
    expect(mapped.status).toBe(400);
    expect(mapped.body.error).toMatchObject({ type: 'invalid_request_error', code: 'previous_response_not_found', param: 'previous_response_id' });
    expect(mapped.body.error.message).toContain('native Responses API');
  });

  it('a previous_response_id that is not a string → 400 naming it', () => {
    expect(() => new ConversationTurn({ model: 'm', previous_response_id: 42, input: 'x' }, K1, store)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidRequest, param: 'previous_response_id' }),
    );
  });

  it('item_reference: found items replace the references in the stored input, missing ones are left out', async () => {
    const [message, call] = earlier.output;
    const input: JsonObject[] = [
      { role: 'user', content: 'Capital of France?' },
      { type: 'item_reference', id: message.id },
      { type: 'item_reference', id: 'msg_gone' },
      { type: 'item_reference', id: call.id },
      { type: 'function_call_output', call_id: call.call_id, output: 'ok' },
    ];
    const turn = new ConversationTurn({ model: 'm', input }, K1, store);
    const expanded = await turn.expand();
    expect([...expanded.items.keys()]).toEqual([message.id, call.id]);
    expect(turn.storedInput(expanded)).toEqual([input[0], message, call, input[4]]);
    expect(store.loads).toBe(1);
  });

  it("another key's items are not found", async () => {
    const turn = new ConversationTurn({ model: 'm', input: [{ type: 'item_reference', id: earlier.output[0].id }] }, K2, store);
    expect((await turn.expand()).items.size).toBe(0);
  });

  it('inputItems: a string is one user message; non-objects are not items', () => {
    expect(inputItems('hi')).toEqual([{ role: 'user', content: 'hi' }]);
    expect(inputItems(undefined)).toEqual([]);
    expect(inputItems([{ role: 'user', content: 'a' }, 'junk', null])).toEqual([{ role: 'user', content: 'a' }]);
  });
});
