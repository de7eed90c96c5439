import { mapError } from '../../common/error-mapping.js';
import { GatewayError } from '../../common/gateway-error.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import type { SseEvent } from '../provider-adapter.js';
import { toChatChunks } from './gemini-stream.translator.js';

interface StreamGolden {
  description: string;
  options: { includeUsage: boolean; model: string };
  events: unknown[];
  chunks?: unknown[];
  chunksBeforeError?: number;
  error?: { status: number; messageContains: string; retryAfterSeconds?: number };
}

async function* sse(events: unknown[]): AsyncGenerator<SseEvent> {
  for (const e of events) yield { data: JSON.stringify(e) };
}

describe('Gemini streamGenerateContent → Chat Completions chunks (golden files)', () => {
  it.each(goldenCases<StreamGolden>(new URL('./golden/stream/', import.meta.url)))('%s', async (_file, golden) => {
    let n = 0;
    const out: unknown[] = [];
    let failure: unknown;
    try {
      for await (const e of toChatChunks(sse(golden.events), { ...golden.options, provider: 'gemini', now: () => 1_700_000_000_000, newId: () => `id${++n}` })) {
        out.push(e.data === '[DONE]' ? e.data : JSON.parse(e.data));
      }
    } catch (err) {
      failure = err;
    }
    if (golden.error) {
      expect(failure).toBeInstanceOf(GatewayError);
      expect(out).toHaveLength(golden.chunksBeforeError!);
      const mapped = mapError(failure);
      expect(mapped.status).toBe(golden.error.status);
      expect(mapped.body.error.message).toContain(golden.error.messageContains);
      if (golden.error.retryAfterSeconds !== undefined) expect((failure as GatewayError).retryAfterSeconds).toBe(golden.error.retryAfterSeconds);
    } else {
      expect(failure).toBeUndefined();
      expect(out).toEqual(golden.chunks);
    }
  });
});
