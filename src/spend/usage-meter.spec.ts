import type { SseEvent } from '../providers/provider-adapter.js';
import type { SpendRecord } from './spend-writer.service.js';
import { ServedBy, UsageMeter } from './usage-meter.js';

const target = (provider = 'openai', modelInfo: Record<string, unknown> = { input_cost_per_token: 0.01, output_cost_per_token: 0.02 }) =>
  ({ requestedName: 'alias', group: 'group', deploymentId: 'd1', provider, upstreamModel: 'up', settings: { modelInfo } }) as unknown as ServedBy;

function meter(body: unknown = { messages: [{ role: 'user', content: 'x'.repeat(38) }] }) {
  const records: SpendRecord[] = [];
  const tokens: number[] = [];
  const m = new UsageMeter({ record: (r) => records.push(r), tokensUsed: (n) => tokens.push(n) }, 'req-1', 'tok', body);
  return { m, records, tokens };
}

async function* events(...data: string[]): AsyncGenerator<SseEvent> {
  for (const d of data) yield { data: d };
}

async function collect(it: AsyncIterable<SseEvent>, stopAfter = Infinity): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) {
    out.push(e.data);
    if (out.length >= stopAfter) break;
  }
  return out;
}

const usageChunk = JSON.stringify({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 } });
const textChunk = (t: string) => JSON.stringify({ choices: [{ index: 0, delta: { content: t } }] });

describe('UsageMeter', () => {
  it('asks supporting providers for stream usage, keeping other stream_options; leaves others alone', () => {
    const { m } = meter();
    expect(m.chatStreamBody({ model: 'x', stream_options: { foo: 1 } }, target())).toEqual({ model: 'x', stream_options: { foo: 1, include_usage: true } });
    const asked = { model: 'x', stream_options: { include_usage: true } };
    expect(m.chatStreamBody(asked, target())).toBe(asked);
    const plain = { model: 'x' };
    expect(m.chatStreamBody(plain, target('mistral'))).toBe(plain);
  });

  it('charges a JSON answer from its usage, once', () => {
    const { m, records, tokens } = meter();
    const body = { usage: { prompt_tokens: 10, completion_tokens: 20 } };
    expect(m.json('chat', target(), body)).toBe(body);
    m.json('chat', target(), body);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ token: 'tok', model: 'alias', group: 'group', usage: { promptTokens: 10, completionTokens: 20, source: 'upstream' }, stream: false });
    expect(records[0].cost).toBeCloseTo(10 * 0.01 + 20 * 0.02, 12);
    expect(tokens).toEqual([30]);
  });

  it('keeps the usage-only chunk from a chat client that did not ask for it, and charges it', async () => {
    const { m, records } = meter();
    const out = await collect(m.stream('chat', target(), events(textChunk('Hi'), usageChunk, '[DONE]'), { model: 'x' }));
    expect(out).toEqual([textChunk('Hi'), '[DONE]']);
    expect(records[0].usage).toEqual({ promptTokens: 10, completionTokens: 20, source: 'upstream' });
    expect(records[0].stream).toBe(true);
  });

  it('passes the usage chunk to a client that asked for it', async () => {
    const { m } = meter();
    const out = await collect(m.stream('chat', target(), events(textChunk('Hi'), usageChunk), { stream_options: { include_usage: true } }));
    expect(out).toEqual([textChunk('Hi'), usageChunk]);
  });

  it('charges Responses streams from response.completed', async () => {
    const { m, records } = meter();
    const completed = JSON.stringify({ type: 'response.completed', response: { usage: { input_tokens: 7, output_tokens: 3 } } });
    await collect(m.stream('responses', target(), events(JSON.stringify({ type: 'response.output_text.delta', delta: 'Hi' }), completed), {}));
    expect(records[0].usage).toEqual({ promptTokens: 7, completionTokens: 3, source: 'upstream' });
  });

  it('estimates a stream without usage, also when the client stops reading early', async () => {
    const { m, records } = meter();
    await collect(m.stream('chat', target(), events(textChunk('abcd'.repeat(10)), textChunk('more'), textChunk('never read')), {}), 2);
    expect(records).toHaveLength(1);
    // 44 generated characters ≈ 11 tokens; the prompt is counted from the messages JSON.
    expect(records[0].usage).toMatchObject({ completionTokens: 11, source: 'estimated' });
    expect(records[0].usage.promptTokens).toBeGreaterThan(10);
  });

  it('an accounting failure never breaks the response', () => {
    const m = new UsageMeter({ record: () => { throw new Error('boom'); }, tokensUsed: () => undefined }, 'r', undefined, {});
    const body = { usage: { prompt_tokens: 1, completion_tokens: 1 } };
    expect(m.json('chat', target(), body)).toBe(body);
  });
});
