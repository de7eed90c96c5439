import { ANONYMOUS, MASTER } from '../auth/caller.js';
import type { Caller } from '../auth/caller.js';
import { cacheKey, canonicalJson } from './cache-key.js';
import type { CacheKeyInput } from './cache-key.js';

const keyA: Caller = { kind: 'virtual', keyId: 'a'.repeat(64) };
const keyB: Caller = { kind: 'virtual', keyId: 'b'.repeat(64) };
const messages = [{ role: 'user', content: 'hi' }];

function key(overrides: Partial<CacheKeyInput> = {}): string {
  return cacheKey({
    endpoint: 'chat',
    resolution: { group: 'gpt-4o', captures: [] },
    body: { model: 'gpt-4o', messages, temperature: 0 },
    caller: keyA,
    sharedAcrossKeys: false,
    ...overrides,
  });
}

describe('cache key', () => {
  it('is stable under object key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(key({ body: { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o' } })).toBe(key());
  });

  it('uses the resolved group, not the name sent: an alias and its target share', () => {
    expect(key({ body: { model: 'my-alias', messages, temperature: 0 } })).toBe(key());
    expect(key({ resolution: { group: 'other-group', captures: [] } })).not.toBe(key());
  });

  it('keeps wildcard captures apart', () => {
    const a = key({ resolution: { group: 'openrouter/*', captures: ['openai/gpt-4o'] } });
    const b = key({ resolution: { group: 'openrouter/*', captures: ['anthropic/claude'] } });
    expect(a).not.toBe(b);
  });

  it('changes with any parameter, the endpoint and streaming', () => {
    expect(key({ body: { model: 'gpt-4o', messages, temperature: 1 } })).not.toBe(key());
    expect(key({ body: { model: 'gpt-4o', messages, temperature: 0, max_tokens: 5 } })).not.toBe(key());
    expect(key({ body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi!' }], temperature: 0 } })).not.toBe(key());
    expect(key({ body: { model: 'gpt-4o', messages, temperature: 0, stream: true } })).not.toBe(key());
    expect(key({ endpoint: 'responses' })).not.toBe(key());
  });

  it('ignores the cache controls and undefined members', () => {
    expect(key({ body: { model: 'gpt-4o', messages, temperature: 0, cache: { ttl: 5 } } })).toBe(key());
    expect(key({ body: { model: 'gpt-4o', messages, temperature: 0, top_p: undefined } })).toBe(key());
  });

  it('never crosses virtual keys (nor master / open callers) unless shared', () => {
    expect(key({ caller: keyB })).not.toBe(key());
    expect(key({ caller: MASTER })).not.toBe(key());
    expect(key({ caller: ANONYMOUS })).not.toBe(key({ caller: MASTER }));
    expect(key({ caller: keyB, sharedAcrossKeys: true })).toBe(key({ sharedAcrossKeys: true }));
  });

  it('includes inputs outside the body when given', () => {
    expect(key({ extra: { headers: { 'anthropic-beta': 'x' } } })).not.toBe(key({ extra: { headers: {} } }));
  });
});
