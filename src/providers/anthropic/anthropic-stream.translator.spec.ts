import { createParser } from 'eventsource-parser';
import { mapError } from '../../common/error-mapping.js';
import type { SseEvent } from '../provider-adapter.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { toChatChunks } from './anthropic-stream.translator.js';

interface StreamGolden {
  description: string;
  includeUsage: boolean;
  /** The raw event stream, one line per entry, as Anthropic sends it. */
  sse: string[];
  /** Expected chunk payloads in order; '[DONE]' literally. */
  chunks: (Record<string, unknown> | '[DONE]')[];
  error?: { status: number; type: string; code?: string; messageContains: string };
  /** The response_format tool the request carried, if any. */
  jsonTool?: { name: string; wrapped: boolean };
}

/** Parses the raw text with the same SSE parser the upstream client uses, fed in small pieces. */
async function* upstreamEvents(text: string): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e.event ? { event: e.event, data: e.data } : { data: e.data }) });
  for (let i = 0; i < text.length; i += 37) {
    parser.feed(text.slice(i, i + 37));
    while (queue.length) yield queue.shift()!;
  }
}

describe('Anthropic stream events → chat.completion.chunk (golden files)', () => {
  it.each(goldenCases<StreamGolden>(new URL('./golden/stream/', import.meta.url)))('%s', async (_file, golden) => {
    const out: unknown[] = [];
    let error: unknown;
    try {
      const text = golden.sse.join('\n') + '\n';
      for await (const e of toChatChunks(upstreamEvents(text), {
        includeUsage: golden.includeUsage,
        now: () => 1_700_000_000_000,
        jsonTool: golden.jsonTool,
      })) {
        expect(e.event).toBeUndefined();
        out.push(e.data === '[DONE]' ? e.data : JSON.parse(e.data));
      }
    } catch (err) {
      error = err;
    }
    expect(out).toEqual(golden.chunks);
    if (golden.error) {
      expect(error).toBeDefined();
      const mapped = mapError(error);
      expect(mapped.status).toBe(golden.error.status);
      expect(mapped.body.error.type).toBe(golden.error.type);
      if (golden.error.code) expect(mapped.body.error.code).toBe(golden.error.code);
      expect(mapped.body.error.message).toContain(golden.error.messageContains);
    } else {
      expect(error).toBeUndefined();
    }
  });
});

describe('Anthropic stream error events', () => {
  const key = 'sk-ant-api03-abcdefghijklmnop';
  const basicToken = Buffer.from(`user:pa55word-secret`).toString('base64');

  async function failure(error: Record<string, unknown>, secrets?: string[]): Promise<unknown> {
    const text = `event: error\ndata: ${JSON.stringify({ type: 'error', error })}\n\n`;
    try {
      for await (const _ of toChatChunks(upstreamEvents(text), { includeUsage: false, secrets })) {
        /* nothing is expected before the error */
      }
    } catch (err) {
      return err;
    }
    throw new Error('expected the stream to fail');
  }

  it('cuts the deployment credentials (key, masked echo, api_base password, Basic token) out of the message', async () => {
    const err = await failure(
      {
        type: 'authentication_error',
        message: `invalid x-api-key ${key}; also tried sk-ant-api03-abcd****mnop with pa55word-secret (Basic ${basicToken})`,
      },
      [key, 'pa55word-secret', basicToken],
    );
    const mapped = mapError(err);
    expect(mapped.status).toBe(401);
    expect(mapped.body.error.message).toContain('invalid x-api-key [redacted]');
    for (const secret of [key, 'sk-ant-api03-abcd', 'pa55word-secret', basicToken]) expect(mapped.body.error.message).not.toContain(secret);
  });

  it('without secrets, the message is kept as sent', async () => {
    const mapped = mapError(await failure({ type: 'overloaded_error', message: `Overloaded ${key}` }));
    expect(mapped.body.error.message).toContain(key);
  });
});
