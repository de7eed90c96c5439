import { usageOf } from './request-telemetry.js';
import { RequestTelemetry } from './request-telemetry.js';

describe('usageOf', () => {
  it('reads chat, embeddings and Responses usage', () => {
    expect(usageOf({ usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } })).toEqual({ prompt: 5, completion: 6, total: 11 });
    expect(usageOf({ usage: { prompt_tokens: 3, total_tokens: 3 } })).toEqual({ prompt: 3, completion: 0, total: 3 });
    expect(usageOf({ usage: { input_tokens: 7, output_tokens: 2 } })).toEqual({ prompt: 7, completion: 2, total: 9 });
    expect(usageOf({ usage: null })).toBeUndefined();
    expect(usageOf({})).toBeUndefined();
  });
});

describe('RequestTelemetry streams', () => {
  it('parses usage once, from the last event that carried it (chat chunk or response.completed)', () => {
    const chat = new RequestTelemetry();
    chat.streamEvent({ data: '{"choices":[],"usage":null}' });
    chat.streamEvent({ data: '{"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}' });
    chat.streamEvent({ data: '[DONE]' });
    chat.streamEnded();
    expect(chat.usage).toEqual({ prompt: 4, completion: 1, total: 5 });

    const responses = new RequestTelemetry();
    responses.streamEvent({ event: 'response.completed', data: '{"type":"response.completed","response":{"usage":{"input_tokens":9,"output_tokens":3,"total_tokens":12}}}' });
    responses.streamEnded();
    expect(responses.usage).toEqual({ prompt: 9, completion: 3, total: 12 });
  });

  it('keeps the first error code', () => {
    const t = new RequestTelemetry();
    t.failed('upstream_timeout');
    t.failed('internal_error');
    expect(t.errorCode).toBe('upstream_timeout');
  });
});
