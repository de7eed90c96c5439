import { BridgeItemStore } from './bridge-item-store.js';

describe('BridgeItemStore', () => {
  const item = (id: string, text = 'x') => ({ id, type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });

  it('returns remembered items by id and ignores items without an id', () => {
    const store = new BridgeItemStore();
    store.remember([item('msg_1'), { type: 'function_call' }, null]);
    expect(store.lookup('msg_1')).toEqual(item('msg_1'));
    expect(store.lookup('msg_2')).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('forgets items after their time to live', () => {
    let now = 1_000;
    const store = new BridgeItemStore(1_000_000, 500, () => now);
    store.remember([item('msg_1')]);
    now = 1_499;
    expect(store.lookup('msg_1')).toBeDefined();
    now = 1_500;
    expect(store.lookup('msg_1')).toBeUndefined();
  });

  it('evicts the oldest items when over its size budget', () => {
    const size = JSON.stringify(item('msg_0', 'a'.repeat(100))).length;
    const store = new BridgeItemStore(size * 3);
    for (let i = 0; i < 5; i++) store.remember([item(`msg_${i}`, 'a'.repeat(100))]);
    expect(store.size).toBe(3);
    expect(store.lookup('msg_0')).toBeUndefined();
    expect(store.lookup('msg_1')).toBeUndefined();
    expect(store.lookup('msg_4')).toBeDefined();
  });
});
