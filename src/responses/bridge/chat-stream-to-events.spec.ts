import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject, SseEvent } from '../../providers/provider-adapter.js';
import { sequentialIds } from './bridge-ids.js';
import { chatStreamToResponseEvents } from './chat-stream-to-events.js';
import type { BridgeResponseContext } from './chat-to-response.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

function goldenFiles<T>(prefix: string): [string, T][] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as T]);
}

interface StreamGolden {
  description: string;
  request: JsonObject;
  /** The Response envelope every lifecycle event builds on; `{"$envelope": {…}}` in events means envelope + overrides. */
  envelope: JsonObject;
  chunks: (string | JsonObject)[];
  /** The upstream fails with this message after the chunks. */
  failWith?: string;
  /** Expected events in order, without sequence_number (which must count 0, 1, 2, …). */
  events: JsonObject[];
}

const context = (requestedName = 'alias'): BridgeResponseContext => ({ requestedName, ids: sequentialIds(), now: () => 1700000100 });

async function* upstream(chunks: (string | JsonObject)[], failWith?: string): AsyncGenerator<SseEvent> {
  for (const c of chunks) yield { data: typeof c === 'string' ? c : JSON.stringify(c) };
  if (failWith) throw new GatewayError(ErrorCode.UpstreamError, failWith);
}

async function collect(events: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

function expand(value: unknown, envelope: JsonObject): unknown {
  if (Array.isArray(value)) return value.map((v) => expand(v, envelope));
  if (value && typeof value === 'object') {
    const obj = value as JsonObject;
    if ('$envelope' in obj) return { ...envelope, ...(obj.$envelope as JsonObject) };
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, expand(v, envelope)]));
  }
  return value;
}

describe('Chat chunk stream → Responses events (golden files)', () => {
  const files = goldenFiles<StreamGolden>('stream');

  it('has golden files to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s', async (_file, golden) => {
    const events = await collect(chatStreamToResponseEvents(upstream(golden.chunks, golden.failWith), golden.request, context()));
    const parsed = events.map((e) => JSON.parse(e.data) as JsonObject);
    // Each SSE event is named after its type, and numbered 0, 1, 2, … with no gap.
    expect(events.map((e) => e.event)).toEqual(parsed.map((p) => p.type));
    expect(parsed.map((p) => p.sequence_number)).toEqual(parsed.map((_, i) => i));
    const expected = golden.events.map((e, i) => ({ ...(expand(e, golden.envelope) as JsonObject), sequence_number: i }));
    expect(parsed).toEqual(expected);
  });
});

describe('chatStreamToResponseEvents', () => {
  const request = { model: 'alias', input: 'hi', stream: true };
  const chunk = (delta: JsonObject, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] });

  it('throws before emitting anything when the upstream fails on its first event, so the router can retry', async () => {
    const events = chatStreamToResponseEvents(upstream([], 'connection reset'), request, context());
    await expect(events.next()).rejects.toThrow('connection reset');
  });

  it('throws before emitting anything when the upstream stream is empty', async () => {
    const events = chatStreamToResponseEvents(upstream([]), request, context());
    await expect(events.next()).rejects.toThrow(/without sending any event/);
  });

  it('reports a stream cut off without finish_reason or [DONE] as response.failed', async () => {
    const events = await collect(chatStreamToResponseEvents(upstream([chunk({ content: 'Hel' })]), request, context()));
    const last = JSON.parse(events[events.length - 2].data);
    expect(last.type).toBe('response.failed');
    expect(last.response.error.message).toMatch(/before it finished/);
    // The error event follows response.failed, as on a native stream, so SDKs raise.
    expect(JSON.parse(events[events.length - 1].data)).toMatchObject({ type: 'error', code: 'upstream_error' });
    expect(events.some((e) => e.event === 'response.completed')).toBe(false);
  });

  it('turns an in-band error object into response.failed with the upstream message', async () => {
    const events = await collect(
      chatStreamToResponseEvents(upstream([chunk({ content: 'a' }), { error: { message: 'overloaded', type: 'server_error' } }]), request, context()),
    );
    const last = JSON.parse(events[events.length - 2].data);
    expect(last.type).toBe('response.failed');
    expect(last.response.error).toEqual({ code: 'server_error', message: 'The upstream reported an error mid-stream: overloaded' });
  });

  it('maps an upstream rate limit mid-stream to the rate_limit_exceeded error code', async () => {
    async function* limited(): AsyncGenerator<SseEvent> {
      yield { data: JSON.stringify(chunk({ content: 'a' })) };
      throw new GatewayError(ErrorCode.UpstreamRejected, 'slow down', { upstreamStatus: 429 });
    }
    const events = await collect(chatStreamToResponseEvents(limited(), request, context()));
    expect(JSON.parse(events[events.length - 2].data).response.error.code).toBe('rate_limit_exceeded');
  });

  it('fails rather than corrupt arguments when a closed tool call receives more arguments', async () => {
    const chunks = [
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'b', arguments: '{' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] }),
    ];
    const events = await collect(chatStreamToResponseEvents(upstream(chunks), request, context()));
    const last = JSON.parse(events[events.length - 2].data);
    expect(last.type).toBe('response.failed');
    expect(last.response.error.message).toMatch(/interleaved/);
  });

  it('streams reasoning sent as `reasoning` deltas (Groq, OpenRouter, newer vLLM) like reasoning_content', async () => {
    const chunks = [chunk({ reasoning: 'Step ' }), chunk({ reasoning: 'one.' }), chunk({ content: 'Done.' }, 'stop')];
    const events = (await collect(chatStreamToResponseEvents(upstream(chunks), request, context()))).map((e) => JSON.parse(e.data));
    expect(events.filter((e) => e.type === 'response.reasoning_summary_text.delta').map((e) => e.delta)).toEqual(['Step ', 'one.']);
    const final = events[events.length - 1];
    expect(final.response.output.map((item: JsonObject) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.response.output[0].summary).toEqual([{ type: 'summary_text', text: 'Step one.' }]);
  });

  it('opens a new reasoning item for reasoning that follows a tool call (interleaved thinking)', async () => {
    const chunks = [
      chunk({ reasoning_content: 'Need the weather.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'get_weather', arguments: '{}' } }] }),
      chunk({ reasoning_content: 'Now answer.' }),
      chunk({ content: 'Sunny.' }, 'stop'),
    ];
    const events = (await collect(chatStreamToResponseEvents(upstream(chunks), request, context()))).map((e) => JSON.parse(e.data));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const final = events[events.length - 1];
    expect(final.response.output.map((item: JsonObject) => item.type)).toEqual(['reasoning', 'function_call', 'reasoning', 'message']);
    expect(final.response.output[2]).toEqual({ id: 'rs_4', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Now answer.' }] });
    // Every item opened was closed, each once, in output order.
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.output_index);
    expect(done).toEqual([0, 1, 2, 3]);
  });

  it('keeps the reasoning received so far in response.failed when the upstream breaks off mid-reasoning', async () => {
    const events = await collect(chatStreamToResponseEvents(upstream([chunk({ reasoning_content: 'Hmm' })], 'reset'), request, context()));
    const failed = JSON.parse(events[events.length - 2].data);
    expect(failed.type).toBe('response.failed');
    expect(failed.response.output).toEqual([{ id: 'rs_2', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hmm' }] }]);
  });

  it('hands the final response to onComplete exactly when the stream completes', async () => {
    const completed: JsonObject[] = [];
    await collect(
      chatStreamToResponseEvents(upstream([chunk({ content: 'ok' }, 'stop')]), request, context(), async (r) => {
        completed.push(r);
        return r;
      }),
    );
    expect(completed).toHaveLength(1);
    expect(completed[0].status).toBe('completed');
    const failed: JsonObject[] = [];
    await collect(
      chatStreamToResponseEvents(upstream([chunk({ content: 'x' })], 'boom'), request, context(), async (r) => {
        failed.push(r);
        return r;
      }),
    );
    expect(failed).toHaveLength(0);
  });

  it('sends the final event only after onComplete has finished, with the response it returned', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const events = chatStreamToResponseEvents(upstream([chunk({ content: 'ok' }, 'stop')]), request, context(), async (r) => {
      await gate;
      return { ...r, store: false, marker: 'from onComplete' };
    });
    const seen: string[] = [];
    let next = await events.next();
    while (!next.done && next.value.event !== 'response.output_item.done') {
      seen.push(next.value.event!);
      next = await events.next();
    }
    let finalEvent: SseEvent | undefined;
    const pending = events.next().then((r) => (finalEvent = r.done ? undefined : r.value));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(finalEvent).toBeUndefined();
    release();
    await pending;
    const final = JSON.parse(finalEvent!.data);
    expect(final.type).toBe('response.completed');
    expect(final.response).toMatchObject({ status: 'completed', store: false, marker: 'from onComplete' });
    expect((await events.next()).done).toBe(true);
  });

  it('releases the upstream when the client stops reading', async () => {
    let released = false;
    async function* endless(): AsyncGenerator<SseEvent> {
      try {
        for (;;) yield { data: JSON.stringify(chunk({ content: 'x' })) };
      } finally {
        released = true;
      }
    }
    const events = chatStreamToResponseEvents(endless(), request, context());
    for (let i = 0; i < 6; i++) await events.next();
    await events.return(undefined);
    expect(released).toBe(true);
  });
});
