import { MAX_CONTENT_CHARS, StreamFacts } from './stream-facts.js';

const ev = (o: unknown) => JSON.stringify(o);

describe('StreamFacts', () => {
  it('reads Chat Completions chunks: model, id, finish reason, usage, text', () => {
    const f = new StreamFacts(true);
    f.observeEvent(ev({ id: 'c1', model: 'gpt-x', choices: [{ delta: { content: 'Hel' } }] }));
    f.observeEvent(ev({ id: 'c1', model: 'gpt-x', choices: [{ delta: { content: 'lo' }, finish_reason: 'stop' }] }));
    f.observeEvent(ev({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } }));
    f.observeEvent('[DONE]');
    expect(f).toMatchObject({ model: 'gpt-x', id: 'c1', finishReason: 'stop', inputTokens: 4, outputTokens: 2 });
    expect(f.text).toBe('Hello');
  });

  it('reads Anthropic Messages events, input at the start and output at the end', () => {
    const f = new StreamFacts(true);
    f.observeEvent(ev({ type: 'message_start', message: { id: 'msg_1', model: 'claude-x', usage: { input_tokens: 9, output_tokens: 1 } } }));
    f.observeEvent(ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }));
    f.observeEvent(ev({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }));
    expect(f).toMatchObject({ model: 'claude-x', id: 'msg_1', finishReason: 'end_turn', inputTokens: 9, outputTokens: 3 });
    expect(f.text).toBe('Hi');
  });

  it('reads Responses events', () => {
    const f = new StreamFacts(true);
    f.observeEvent(ev({ type: 'response.created', response: { id: 'resp_1', model: 'm', status: 'in_progress' } }));
    f.observeEvent(ev({ type: 'response.output_text.delta', delta: 'ok' }));
    f.observeEvent(ev({ type: 'response.completed', response: { id: 'resp_1', model: 'm', status: 'completed', usage: { input_tokens: 2, output_tokens: 1 } } }));
    expect(f).toMatchObject({ model: 'm', id: 'resp_1', finishReason: 'completed', inputTokens: 2, outputTokens: 1 });
    expect(f.text).toBe('ok');
  });

  it('reads JSON answers of every shape, and collects no text unless asked', () => {
    const chat = new StreamFacts(false);
    chat.observeJson({ id: 'x', model: 'gpt', choices: [{ message: { content: 'secret' }, finish_reason: 'length' }], usage: { prompt_tokens: 1, completion_tokens: 2 } });
    expect(chat).toMatchObject({ model: 'gpt', finishReason: 'length', inputTokens: 1, outputTokens: 2 });
    expect(chat.text).toBeUndefined();
    const messages = new StreamFacts(true);
    messages.observeJson({ id: 'm', model: 'c', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 4 } });
    expect(messages.text).toBe('ab');
    const responses = new StreamFacts(true);
    responses.observeJson({ object: 'response', status: 'completed', output: [{ type: 'message', content: [{ type: 'output_text', text: 'r' }] }] });
    expect(responses).toMatchObject({ finishReason: 'completed', text: 'r' });
  });

  it('stops collecting text past the span event limit and ignores malformed events', () => {
    const f = new StreamFacts(true);
    for (let i = 0; i < 100; i++) f.observeEvent(ev({ choices: [{ delta: { content: 'x'.repeat(1000) } }] }));
    f.observeEvent('{not json');
    expect(f.text!.length).toBeLessThanOrEqual(MAX_CONTENT_CHARS + 1000);
  });
});
