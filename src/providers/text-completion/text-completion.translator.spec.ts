import { mapError } from '../../common/error-mapping.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import type { JsonObject, SseEvent } from '../provider-adapter.js';
import { toCompletionRequest, type CompletionRequestOptions } from './text-completion-request.translator.js';
import { toChatChunks, toChatCompletion } from './text-completion-response.translator.js';

interface RequestGolden {
  description: string;
  options: CompletionRequestOptions;
  chat: JsonObject;
  completion: JsonObject;
}
interface ResponseGolden {
  description: string;
  completion: JsonObject;
  chat: JsonObject;
}
interface StreamGolden {
  description: string;
  completion: string[];
  chat: (JsonObject | string)[];
}

const NOW = () => 1_700_000_000_000;

async function* eventsOf(data: string[]): AsyncGenerator<SseEvent> {
  for (const d of data) yield { data: d };
}

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    return mapError(err).status;
  }
  return 0;
}

describe('text-completion-openai: Chat → Completions request (golden files)', () => {
  it.each(goldenCases<RequestGolden>(new URL('./golden/request/', import.meta.url)))('%s', (_file, golden) => {
    expect(toCompletionRequest(golden.chat, golden.options)).toEqual(golden.completion);
  });

  const options = { upstreamModel: 'gpt-3.5-turbo-instruct', dropParams: false };

  it('refuses chat-only fields with a 400 naming the field, unless drop_params', () => {
    let caught: unknown;
    try {
      toCompletionRequest({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }, options);
    } catch (err) {
      caught = err;
    }
    expect(mapError(caught).status).toBe(400);
    expect((caught as Error).message).toContain("'tools'");
  });

  it('refuses non-text content parts and empty conversations with 400', () => {
    const image = { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }] };
    expect(statusOf(() => toCompletionRequest(image, options))).toBe(400);
    expect(statusOf(() => toCompletionRequest({ messages: [] }, options))).toBe(400);
  });
});

describe('text-completion-openai: Completion → Chat Completion (golden files)', () => {
  it.each(goldenCases<ResponseGolden>(new URL('./golden/response/', import.meta.url)))('%s', (_file, golden) => {
    expect(toChatCompletion(golden.completion, NOW)).toEqual(golden.chat);
  });

  it('a body that is not a completion is an upstream failure (502)', () => {
    expect(statusOf(() => toChatCompletion({ hello: 'world' }, NOW))).toBe(502);
  });
});

describe('text-completion-openai: Completions stream → Chat chunks (golden files)', () => {
  it.each(goldenCases<StreamGolden>(new URL('./golden/stream/', import.meta.url)))('%s', async (_file, golden) => {
    const out: (JsonObject | string)[] = [];
    for await (const e of toChatChunks(eventsOf(golden.completion), NOW)) out.push(e.data === '[DONE]' ? e.data : JSON.parse(e.data));
    expect(out).toEqual(golden.chat);
  });
});
