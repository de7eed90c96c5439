import { ErrorCode, GatewayError } from '../../src/common/gateway-error.js';
import type { JsonObject } from '../../src/providers/provider-adapter.js';
import type { ConversationStore, StoredResponse } from '../../src/responses/conversation/conversation-store.js';

const HOUR_MS = 60 * 60 * 1000;
let n = 0;

/** A stored response with unique ids, so that backends shared between runs never collide. */
export function storedResponse(owner: string, text = 'Paris.'): StoredResponse {
  const tag = `${process.pid}_${Date.now()}_${++n}`;
  const message: JsonObject = { id: `msg_${tag}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
  const call: JsonObject = { id: `fc_${tag}`, type: 'function_call', status: 'completed', call_id: `call_${tag}`, name: 'f', arguments: '{}' };
  return { id: `resp_${tag}`, owner, input: [{ role: 'user', content: 'Capital of France?' }], output: [message, call] };
}

/** What every ConversationStore backend must do, whatever keeps the data. */
export function conversationStoreContract(makeStore: () => ConversationStore): void {
  let store: ConversationStore;
  beforeEach(() => {
    store = makeStore();
  });

  it('finds a saved response and its output items for the same owner', async () => {
    const saved = storedResponse('key:a');
    expect(await store.save(saved, HOUR_MS)).toBe(true);
    const ids = saved.output.map((o) => o.id as string);
    const found = await store.load('key:a', saved.id, ids);
    expect(found.previous).toEqual(saved);
    expect([...found.items.keys()]).toEqual(ids);
    expect(found.items.get(ids[0])).toEqual(saved.output[0]);
  });

  it('treats another owner’s response and items exactly like missing ones', async () => {
    const saved = storedResponse('key:a');
    await store.save(saved, HOUR_MS);
    const ids = saved.output.map((o) => o.id as string);
    for (const other of ['key:b', 'master', 'anonymous']) {
      const found = await store.load(other, saved.id, ids);
      expect(found.previous).toBeUndefined();
      expect(found.items.size).toBe(0);
    }
  });

  it('answers unknown ids with nothing, and items alone without a previous response', async () => {
    const saved = storedResponse('anonymous');
    await store.save(saved, HOUR_MS);
    const unknown = await store.load('anonymous', 'resp_never_made', ['msg_never_made']);
    expect(unknown.previous).toBeUndefined();
    expect(unknown.items.size).toBe(0);
    const itemsOnly = await store.load('anonymous', undefined, [saved.output[0].id as string, 'msg_never_made']);
    expect(itemsOnly.previous).toBeUndefined();
    expect([...itemsOnly.items.keys()]).toEqual([saved.output[0].id]);
  });

  it('keeps only the latest save of the same response id', async () => {
    const first = storedResponse('anonymous', 'first');
    await store.save(first, HOUR_MS);
    const second = { ...first, output: [{ ...first.output[0], content: [{ type: 'output_text', text: 'second', annotations: [] }] }] };
    await store.save(second, HOUR_MS);
    expect((await store.load('anonymous', first.id, [])).previous).toEqual(second);
  });
}

export function expectStoreUnavailable(err: unknown): void {
  expect(err).toBeInstanceOf(GatewayError);
  expect((err as GatewayError).code).toBe(ErrorCode.ResponseStoreUnavailable);
}
