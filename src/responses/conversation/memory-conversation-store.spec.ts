import { conversationStoreContract, storedResponse } from '../../../test/helpers/conversation-store-contract.js';
import { MemoryConversationStore } from './memory-conversation-store.js';

describe('MemoryConversationStore', () => {
  describe('the ConversationStore contract', () => {
    conversationStoreContract(() => new MemoryConversationStore());
  });

  it('forgets a response and its items once the TTL has passed', async () => {
    let now = 1_000;
    const store = new MemoryConversationStore(1024 * 1024, () => now);
    const saved = storedResponse('anonymous');
    await store.save(saved, 60_000);
    now += 59_999;
    expect((await store.load('anonymous', saved.id, [])).previous).toEqual(saved);
    now += 1;
    const gone = await store.load('anonymous', saved.id, [saved.output[0].id as string]);
    expect(gone.previous).toBeUndefined();
    expect(gone.items.size).toBe(0);
  });

  it('drops the oldest responses first when over the size bound', async () => {
    const one = storedResponse('anonymous');
    const size = JSON.stringify(one.input).length + one.output.reduce((sum, o) => sum + JSON.stringify(o).length * 2, 0);
    const store = new MemoryConversationStore(size * 2.5);
    const saved = [one, storedResponse('anonymous'), storedResponse('anonymous'), storedResponse('anonymous')];
    for (const s of saved) await store.save(s, 60_000);
    const kept = await Promise.all(saved.map(async (s) => (await store.load('anonymous', s.id, [])).previous !== undefined));
    expect(kept).toEqual([false, false, true, true]);
    expect((await store.load('anonymous', undefined, saved[0].output.map((o) => o.id as string))).items.size).toBe(0);
    expect((await store.load('anonymous', undefined, saved[3].output.map((o) => o.id as string))).items.size).toBe(2);
  });

  it('refuses a response larger than the whole bound, and keeps what it had', async () => {
    const store = new MemoryConversationStore(2_000);
    const small = storedResponse('anonymous');
    await store.save(small, 60_000);
    const huge = { ...storedResponse('anonymous'), input: [{ role: 'user', content: 'x'.repeat(5_000) }] };
    expect(await store.save(huge, 60_000)).toBe(false);
    expect((await store.load('anonymous', huge.id, [])).previous).toBeUndefined();
    expect((await store.load('anonymous', small.id, [])).previous).toEqual(small);
  });
});
