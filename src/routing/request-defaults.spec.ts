import type { JsonObject, ProviderAdapter } from '../providers/provider-adapter.js';
import {
  pickRequestDefaults,
  withChatDefaults,
  withEmbeddingDefaults,
  withMessagesDefaults,
  withRequestDefaults,
  withResponsesDefaults,
} from './request-defaults.js';
import type { DeploymentTarget } from './routing-table.js';

async function* noEvents(): AsyncGenerator<never> {}

describe('pickRequestDefaults', () => {
  it('keeps only request parameters, and nothing when there are none', () => {
    expect(pickRequestDefaults({ model: 'openai/x', api_key: 'sk', temperature: 0.2, max_tokens: 9, rpm: 5, dimensions: 64 })).toEqual({
      temperature: 0.2,
      max_tokens: 9,
      dimensions: 64,
    });
    expect(pickRequestDefaults({ model: 'openai/x', temperature: null })).toBeUndefined();
  });
});

describe('chat defaults', () => {
  const defaults = { temperature: 0.1, max_tokens: 20, stop: ['END'], seed: 3, dimensions: 8 };

  it("fill what the client left out; the client's own value wins (as in LiteLLM)", () => {
    const body = { model: 'm', messages: [], temperature: 0.9 };
    expect(withChatDefaults(body, defaults)).toEqual({ model: 'm', messages: [], temperature: 0.9, max_tokens: 20, stop: ['END'], seed: 3 });
    expect(body).toEqual({ model: 'm', messages: [], temperature: 0.9 }); // not mutated
  });

  it('a client null is "not sent" and gets the default', () => {
    expect(withChatDefaults({ temperature: null }, { temperature: 0.4 })).toEqual({ temperature: 0.4 });
  });

  it('max_tokens and max_completion_tokens are one limit: a client that sent either gets neither default', () => {
    expect(withChatDefaults({ max_completion_tokens: 5 }, { max_tokens: 20 })).toEqual({ max_completion_tokens: 5 });
    expect(withChatDefaults({ max_tokens: 5 }, { max_completion_tokens: 20 })).toEqual({ max_tokens: 5 });
    expect(withChatDefaults({}, { max_tokens: 20, max_completion_tokens: 30 })).toEqual({ max_tokens: 20 });
  });

  it('returns the same body when nothing applies', () => {
    const body = { temperature: 1 };
    expect(withChatDefaults(body, undefined)).toBe(body);
    expect(withChatDefaults(body, { temperature: 0 })).toBe(body);
  });
});

describe('native Responses defaults', () => {
  it('map chat names onto the Responses API and leave out what it does not have', () => {
    expect(
      withResponsesDefaults(
        { model: 'm', input: 'hi' },
        { max_tokens: 50, temperature: 0.2, stop: ['x'], seed: 1, reasoning_effort: 'low', response_format: { type: 'json_schema', json_schema: { name: 'n', schema: {} } } },
      ),
    ).toEqual({
      model: 'm',
      input: 'hi',
      max_output_tokens: 50,
      temperature: 0.2,
      reasoning: { effort: 'low' },
      text: { format: { type: 'json_schema', name: 'n', schema: {} } },
    });
  });

  it("keep the client's values, merging into its reasoning and text objects", () => {
    expect(
      withResponsesDefaults(
        { max_output_tokens: 5, reasoning: { summary: 'auto' }, text: { format: { type: 'text' } } },
        { max_completion_tokens: 50, reasoning_effort: 'high', response_format: { type: 'json_object' }, verbosity: 'low' },
      ),
    ).toEqual({ max_output_tokens: 5, reasoning: { summary: 'auto', effort: 'high' }, text: { format: { type: 'text' }, verbosity: 'low' } });
  });
});

describe('native Messages defaults', () => {
  it('map max_tokens, sampling and stop (as stop_sequences); the rest is chat-only', () => {
    expect(withMessagesDefaults({ max_tokens: 100, messages: [] }, { max_tokens: 20, temperature: 0.3, top_k: 5, stop: 'END', seed: 1 })).toEqual({
      max_tokens: 100,
      messages: [],
      temperature: 0.3,
      top_k: 5,
      stop_sequences: ['END'],
    });
  });
});

describe('embedding defaults', () => {
  it('fill dimensions and encoding_format, never chat parameters', () => {
    expect(withEmbeddingDefaults({ input: 'x' }, { dimensions: 256, temperature: 1, encoding_format: 'float' })).toEqual({
      input: 'x',
      dimensions: 256,
      encoding_format: 'float',
    });
    expect(withEmbeddingDefaults({ input: 'x', dimensions: 3 }, { dimensions: 256 })).toEqual({ input: 'x', dimensions: 3 });
  });
});

describe('withRequestDefaults', () => {
  const seen: JsonObject[] = [];
  const inner: ProviderAdapter = {
    name: 'fake',
    supports: (op) => op !== 'messages',
    chat: async (_t, body) => (seen.push(body), {}),
    chatStream: async (_t, body) => (seen.push(body), { headers: {}, events: noEvents() }),
    responses: async (_t, body) => (seen.push(body), {}),
    responsesStream: async (_t, body) => (seen.push(body), { headers: {}, events: noEvents() }),
    embeddings: async (_t, body) => (seen.push(body), {}),
  };
  const target = (requestDefaults?: Record<string, unknown>) => ({ deployment: { requestDefaults } }) as unknown as DeploymentTarget;
  const ctx = { signal: new AbortController().signal, requestId: 'r', timeoutMs: 1, streamIdleTimeoutMs: 1 };

  beforeEach(() => (seen.length = 0));

  it("applies each call's own target's defaults on every operation", async () => {
    const adapter = withRequestDefaults(inner);
    await adapter.chat(target({ temperature: 0.1 }), { messages: [] }, ctx);
    await adapter.chatStream(target({ temperature: 0.7 }), { messages: [] }, ctx);
    await adapter.responses(target({ max_tokens: 9 }), { input: 'x' }, ctx);
    await adapter.embeddings(target({ dimensions: 4 }), { input: 'x' }, ctx);
    await adapter.chat(target(), { messages: [] }, ctx);
    expect(seen).toEqual([
      { messages: [], temperature: 0.1 },
      { messages: [], temperature: 0.7 },
      { input: 'x', max_output_tokens: 9 },
      { input: 'x', dimensions: 4 },
      { messages: [] },
    ]);
  });

  it('keeps optional methods absent when the adapter has none, and present when it does', async () => {
    expect(withRequestDefaults(inner).messages).toBeUndefined();
    const withMessages = withRequestDefaults({ ...inner, messages: async (_t, body) => (seen.push(body), {}), messagesStream: async () => ({ headers: {}, events: noEvents() }) });
    await withMessages.messages!(target({ stop: ['x'] }), { max_tokens: 5 }, {}, ctx);
    expect(seen).toEqual([{ max_tokens: 5, stop_sequences: ['x'] }]);
    expect(withMessages.supports('chat')).toBe(true);
    expect(withMessages.name).toBe('fake');
  });
});
