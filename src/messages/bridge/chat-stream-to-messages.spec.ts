import { Stream } from '@anthropic-ai/sdk/core/streaming';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { mapError } from '../../common/error-mapping.js';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject, SseEvent } from '../../providers/provider-adapter.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { chatStreamToMessagesEvents } from './chat-stream-to-messages.js';

interface StreamGolden {
  description: string;
  requestedModel: string;
  chunks: (string | JsonObject)[];
  failWith?: string;
  events: { event: string; data: JsonObject }[];
  error?: { status: number; messageContains: string };
}

async function* upstream(chunks: (string | JsonObject)[], failWith?: string): AsyncGenerator<SseEvent> {
  for (const c of chunks) yield { data: typeof c === 'string' ? c : JSON.stringify(c) };
  if (failWith) throw new GatewayError(ErrorCode.UpstreamError, failWith);
}

async function run(golden: StreamGolden): Promise<{ events: SseEvent[]; error?: unknown }> {
  const events: SseEvent[] = [];
  try {
    for await (const e of chatStreamToMessagesEvents(upstream(golden.chunks, golden.failWith), golden.requestedModel)) events.push(e);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

const files = goldenCases<StreamGolden>(new URL('./golden/stream/', import.meta.url));

describe('Chat chunk stream → Anthropic events (golden files)', () => {
  it('has golden files to check', () => expect(files.length).toBeGreaterThanOrEqual(4));

  it.each(files)('%s', async (_file, golden) => {
    const { events, error } = await run(golden);
    const parsed = events.map((e) => ({ event: e.event, data: JSON.parse(e.data) as JsonObject }));
    // Each SSE event is named after the type its data carries, as Anthropic sends them.
    for (const e of parsed) expect(e.event).toBe(e.data.type);
    expect(parsed).toEqual(golden.events);
    if (golden.error) {
      expect(mapError(error).status).toBe(golden.error.status);
      expect(String((error as Error).message)).toContain(golden.error.messageContains);
    } else {
      expect(error).toBeUndefined();
    }
  });
});

describe('chatStreamToMessagesEvents', () => {
  it('throws before emitting anything when the upstream fails on its first event, so the router can retry', async () => {
    const events = chatStreamToMessagesEvents(upstream([], 'connection reset'), 'm')[Symbol.asyncIterator]();
    await expect(events.next()).rejects.toThrow('connection reset');
  });

  it('releases the upstream when the consumer stops early (client gone)', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<SseEvent> {
      try {
        for (let i = 0; ; i++) yield { data: JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: `p${i}` }, finish_reason: null }] }) };
      } finally {
        closed = true;
      }
    }
    for await (const e of chatStreamToMessagesEvents(source(), 'm')) if (e.event === 'content_block_delta') break;
    expect(closed).toBe(true);
  });

  it.each(files.filter(([, g]) => !g.error))("is accepted by the official SDK's MessageStream: %s", async (_file, golden) => {
    const { events } = await run(golden);
    const text = events.map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join('');
    const response = new Response(text, { headers: { 'content-type': 'text/event-stream' } });
    // The SDK's own SSE decoding, then its accumulator: what messages.stream() does over HTTP.
    const stream = MessageStream.fromReadableStream(Stream.fromSSEResponse(response, new AbortController()).toReadableStream());
    const final = await stream.finalMessage();
    const expected = golden.events.filter((e) => e.event === 'content_block_start').map((e) => (e.data.content_block as JsonObject).type);
    expect(final.content.map((b) => b.type)).toEqual(expected);
    expect(final.model).toBe(golden.requestedModel);
    const delta = golden.events.find((e) => e.event === 'message_delta')!.data;
    expect(final.stop_reason).toBe((delta.delta as JsonObject).stop_reason);
    expect(final.usage.output_tokens).toBe((delta.usage as JsonObject).output_tokens);
    expect(final.usage.input_tokens).toBe((delta.usage as JsonObject).input_tokens);
    for (const block of final.content) if (block.type === 'tool_use') expect(typeof block.input).toBe('object');
  });
});
