import { mapError } from '../../common/error-mapping.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import type { SseEvent } from '../provider-adapter.js';
import { CohereChunkOptions, toChatChunks } from './cohere-stream.translator.js';

interface StreamGolden {
  description: string;
  options: Omit<CohereChunkOptions, 'now'>;
  events: { event?: string; data: unknown }[];
  chunks: unknown[];
}

const NOW = () => 1_700_000_000_000;

async function* sse(events: { event?: string; data: unknown }[]): AsyncGenerator<SseEvent> {
  for (const e of events) yield { event: e.event, data: typeof e.data === 'string' ? e.data : JSON.stringify(e.data) };
}

async function collect(events: { event?: string; data: unknown }[], options: Omit<CohereChunkOptions, 'now'>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of toChatChunks(sse(events), { ...options, now: NOW })) out.push(e.data === '[DONE]' ? e.data : JSON.parse(e.data));
  return out;
}

async function failure(events: { event?: string; data: unknown }[]): Promise<{ status: number; message: string }> {
  try {
    await collect(events, { includeUsage: false, upstreamModel: 'm', secrets: ['co-secret'] });
  } catch (err) {
    const mapped = mapError(err);
    return { status: mapped.status, message: mapped.body.error.message };
  }
  throw new Error('expected the stream to fail');
}

const start = { data: { id: 's', type: 'message-start', delta: { message: { role: 'assistant' } } } };
const text = { data: { type: 'content-delta', index: 0, delta: { message: { content: { text: 'Hi' } } } } };

describe('Cohere v2 chat stream → Chat Completions chunks (golden files)', () => {
  it.each(goldenCases<StreamGolden>(new URL('./golden/stream/', import.meta.url)))('%s', async (_file, golden) => {
    expect(await collect(golden.events, golden.options)).toEqual(golden.chunks);
  });
});

describe('Cohere v2 chat stream failures', () => {
  it('message-end with ERROR is a 502 carrying Cohere\'s error text, with the key cut out', async () => {
    const end = { data: { type: 'message-end', delta: { finish_reason: 'ERROR', error: 'backend failed for key co-secret' } } };
    const r = await failure([start, text, end]);
    expect(r.status).toBe(502);
    expect(r.message).toContain('backend failed');
    expect(r.message).not.toContain('co-secret');
  });

  it('a stream that ends without message-end is a 502, not a truncated answer', async () => {
    expect((await failure([start, text])).status).toBe(502);
  });

  it('an event that is not JSON is a 502', async () => {
    expect((await failure([start, { data: 'not json' }])).status).toBe(502);
  });
});
