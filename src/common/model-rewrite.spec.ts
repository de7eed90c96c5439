import type { SseEvent } from '../providers/provider-adapter.js';
import { replaceTopLevelModel, rewriteModel, rewriteStreamModel } from './model-rewrite.js';

const ALIAS = 'my-alias';
const REPLACEMENT = `"model":${JSON.stringify(ALIAS)}`;

async function collect(events: SseEvent[], name = ALIAS): Promise<SseEvent[]> {
  async function* source() {
    yield* events;
  }
  const out: SseEvent[] = [];
  for await (const e of rewriteStreamModel(source(), name)) out.push(e);
  return out;
}

/** What the parse-and-reserialise path would produce: the reference the fast path must match. */
function reference(data: string, name = ALIAS): unknown {
  return rewriteModel(JSON.parse(data), name);
}

describe('replaceTopLevelModel', () => {
  const rewritten = [
    '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"hi"}}]}',
    '{"model":"openai/gpt-4o","choices":[]}',
    '{"id":"x","choices":[{"delta":{"content":"a } ] { [ \\" \\\\"}}],"model":"m"}',
    '{"id":"esc\\\\","model":"we\\"ird\\\\"}',
    '{"model":"m","usage":{"prompt_tokens":1}}',
  ];
  it.each(rewritten)('rewrites the top-level model exactly like parsing would: %s', (data) => {
    const fast = replaceTopLevelModel(data, REPLACEMENT);
    expect(fast).toBeDefined();
    expect(JSON.parse(fast!)).toEqual(reference(data));
  });

  const declined = [
    // nested only: Responses events carry it in `response`; the parse path handles that
    '{"type":"response.created","response":{"id":"r","model":"m"}}',
    // two occurrences
    '{"model":"a","x":{"model":"b"}}',
    // spacing the fast path does not assume
    '{"id":"x", "model" : "m"}',
    // not a string value
    '{"model":null}',
    // unterminated
    '{"model":"abc',
    // not an object
    '["model":"x"]',
  ];
  it.each(declined)('declines (returns undefined) when unsure: %s', (data) => {
    expect(replaceTopLevelModel(data, REPLACEMENT)).toBeUndefined();
  });

  it('never touches "model" text inside a string value', () => {
    const data = JSON.stringify({ id: 'c', choices: [{ delta: { content: '{"model":"leak"}' } }], model: 'up' });
    const fast = replaceTopLevelModel(data, REPLACEMENT)!;
    expect(JSON.parse(fast)).toEqual({ id: 'c', choices: [{ delta: { content: '{"model":"leak"}' } }], model: ALIAS });
  });

  it('a delta whose text mentions "model" inside an escaped string is left alone', () => {
    const data = JSON.stringify({ id: 'c', choices: [{ delta: { content: 'the "model":"x" field' } }] });
    // the only unescaped-looking occurrence is inside a string, so nothing is rewritten
    expect(replaceTopLevelModel(data, REPLACEMENT)).toBeUndefined();
  });
});

describe('rewriteStreamModel', () => {
  it('gives the same events as parsing every chunk, fast path or not', async () => {
    const payloads = [
      JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up-1', choices: [{ index: 0, delta: { content: 'x' } }] }),
      JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'r', model: 'up-1', output: [] } }),
      JSON.stringify({ type: 'response.output_text.delta', delta: 'no model here' }),
      '{"id":"c", "model" : "spaced"}',
      'not json "model"',
    ];
    const events: SseEvent[] = [...payloads.map((data, i) => (i === 1 ? { event: 'response.created', data } : { data })), { data: '[DONE]' }];
    const out = await collect(events);
    expect(out).toHaveLength(events.length);
    expect(JSON.parse(out[0].data)).toEqual(reference(payloads[0]));
    expect(out[1]).toEqual({ event: 'response.created', data: expect.any(String) });
    expect(JSON.parse(out[1].data).response.model).toBe(ALIAS);
    expect(out[2]).toEqual(events[2]);
    expect(JSON.parse(out[3].data)).toEqual({ id: 'c', model: ALIAS });
    expect(out[4]).toEqual(events[4]);
    expect(out[5]).toEqual({ data: '[DONE]' });
    expect(out[0]).not.toHaveProperty('event');
  });

  it('JSON-escapes an alias that needs it', async () => {
    const [e] = await collect([{ data: '{"model":"up","choices":[]}' }], 'we"ird\\alias');
    expect(JSON.parse(e.data).model).toBe('we"ird\\alias');
  });
});
