import { mapError } from '../../common/error-mapping.js';
import type { SseEvent } from '../provider-adapter.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { toChatCompletion } from '../anthropic/anthropic-response.translator.js';
import { toChatChunks } from '../anthropic/anthropic-stream.translator.js';
import { bedrockErrorDetails } from './bedrock-errors.js';
import { EXCEPTION_EVENT } from './bedrock-event-stream.js';
import { type ConverseRequestOptions, toConverseCall } from './converse-request.translator.js';
import { converseToMessage } from './converse-response.translator.js';
import { converseEventsAsAnthropic } from './converse-stream.translator.js';

interface RequestGolden {
  description: string;
  options: ConverseRequestOptions;
  chat: Record<string, unknown>;
  converse: Record<string, unknown>;
}

const user = [{ role: 'user', content: 'hi' }];
const options = { upstreamModel: 'anthropic.claude-3-haiku-20240307-v1:0', dropParams: false };

function rejection(body: Record<string, unknown>, dropParams = false): { status: number; message: string; param: string | null } {
  try {
    toConverseCall({ model: 'm', ...body }, { ...options, dropParams });
  } catch (err) {
    const mapped = mapError(err);
    return { status: mapped.status, message: mapped.body.error.message, param: mapped.body.error.param };
  }
  throw new Error('expected the translation to be rejected');
}

async function* sse(events: [string, unknown][]): AsyncGenerator<SseEvent> {
  for (const [event, data] of events) yield { event, data: JSON.stringify(data) };
}

async function collect(events: AsyncIterable<SseEvent>): Promise<any[]> {
  const out: any[] = [];
  for await (const e of events) out.push(e.data === '[DONE]' ? '[DONE]' : JSON.parse(e.data));
  return out;
}

describe('Chat Completions → Bedrock Converse (golden files)', () => {
  it.each(goldenCases<RequestGolden>(new URL('./golden/request/', import.meta.url)))('%s', (_file, golden) => {
    expect(toConverseCall(golden.chat, golden.options).request).toEqual(golden.converse);
  });
});

describe('Chat Completions → Converse: what cannot be sent', () => {
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];

  it("tool_choice 'none' is refused (Converse has no such choice), or dropped with drop_params", () => {
    const r = rejection({ messages: user, tools, tool_choice: 'none' });
    expect(r).toMatchObject({ status: 400, param: 'tool_choice' });
    expect(r.message).toMatch(/not supported by Bedrock Converse/);
    const dropped = toConverseCall({ messages: user, tools, tool_choice: 'none' }, { ...options, dropParams: true }).request;
    expect(dropped.toolConfig).toEqual({ tools: [{ toolSpec: { name: 'f', inputSchema: { json: { type: 'object' } } } }] });
  });

  it('tool_choice required → any, auto → auto', () => {
    expect(toConverseCall({ messages: user, tools, tool_choice: 'required' }, options).request.toolConfig?.toolChoice).toEqual({ any: {} });
    expect(toConverseCall({ messages: user, tools, tool_choice: 'auto' }, options).request.toolConfig?.toolChoice).toEqual({ auto: {} });
  });

  it('an http image URL is refused with a 400 naming the part: the gateway does not download images', () => {
    const r = rejection({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] });
    expect(r.status).toBe(400);
    expect(r.param).toBe('messages[0].content[0]');
    expect(r.message).toMatch(/base64 data URLs/);
  });

  it("the Anthropic translation's refusals name Bedrock, not Anthropic", () => {
    const r = rejection({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/Bedrock models/);
    expect(r.message).not.toMatch(/Anthropic/);
  });
});

describe('Converse answer → Chat Completion', () => {
  it('text, tool calls, reasoning and usage (cache reads counted in the prompt)', () => {
    const msg = converseToMessage(
      {
        output: {
          message: {
            role: 'assistant',
            content: [
              { reasoningContent: { reasoningText: { text: 'think', signature: 's1' } } },
              { text: 'Checking.' },
              { toolUse: { toolUseId: 'tu1', name: 'get_weather', input: { city: 'Oslo' } } },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 12, outputTokens: 7, totalTokens: 19, cacheReadInputTokens: 3 },
      },
      'anthropic.claude',
      'chatcmpl-1',
    );
    const chat = toChatCompletion(msg as any, () => 1_700_000_000_000) as any;
    expect(chat).toMatchObject({ id: 'chatcmpl-1', model: 'anthropic.claude', created: 1_700_000_000 });
    expect(chat.choices[0].finish_reason).toBe('tool_calls');
    expect(chat.choices[0].message).toMatchObject({
      content: 'Checking.',
      reasoning_content: 'think',
      thinking_blocks: [{ type: 'thinking', thinking: 'think', signature: 's1' }],
      tool_calls: [{ id: 'tu1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
    });
    expect(chat.usage).toMatchObject({ prompt_tokens: 15, completion_tokens: 7, total_tokens: 22, prompt_tokens_details: { cached_tokens: 3 } });
  });

  it.each([
    ['max_tokens', 'length'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['stop_sequence', 'stop'],
  ])('stopReason %s → finish_reason %s', (stopReason, finish) => {
    const msg = converseToMessage({ output: { message: { content: [{ text: 'x' }] } }, stopReason }, 'm', 'id');
    expect((toChatCompletion(msg as any) as any).choices[0].finish_reason).toBe(finish);
  });

  it('a body that is not a Converse answer is a 502, not an empty completion', () => {
    expect(() => converseToMessage({ hello: 1 }, 'm', 'id')).toThrow(/not a Converse answer/);
    expect(mapError(capture(() => converseToMessage({}, 'm', 'id'))).status).toBe(502);
  });
});

describe('ConverseStream events → Chat chunks', () => {
  it('text deltas, a tool call with streamed input, the stop reason and usage from metadata', async () => {
    const events = converseEventsAsAnthropic(
      sse([
        ['messageStart', { role: 'assistant' }],
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }],
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lo' } }],
        ['contentBlockStop', { contentBlockIndex: 0 }],
        ['contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu9', name: 'f' } } }],
        ['contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } }],
        ['contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } }],
        ['contentBlockStop', { contentBlockIndex: 1 }],
        ['messageStop', { stopReason: 'tool_use' }],
        ['metadata', { usage: { inputTokens: 5, outputTokens: 9, totalTokens: 14 }, metrics: { latencyMs: 3 } }],
      ]),
      { model: 'meta.llama3', id: 'chatcmpl-s' },
    );
    const chunks = await collect(toChatChunks(events, { includeUsage: true }));
    expect(chunks[chunks.length - 1]).toBe('[DONE]');
    const deltas = chunks.filter((c) => c !== '[DONE]' && c.choices.length).map((c) => c.choices[0].delta);
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('Hello');
    expect(deltas.filter((d) => d.tool_calls).map((d) => d.tool_calls[0])).toEqual([
      { index: 0, id: 'tu9', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 0, function: { arguments: '{"a":' } },
      { index: 0, function: { arguments: '1}' } },
    ]);
    const finishes = chunks.filter((c) => c !== '[DONE]' && c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason);
    expect(finishes).toEqual(['tool_calls']);
    const usage = chunks.find((c) => c !== '[DONE]' && c.usage && !c.choices.length)?.usage;
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 });
    expect(chunks[0]).toMatchObject({ id: 'chatcmpl-s', model: 'meta.llama3' });
  });

  it('reasoning deltas stream as reasoning_content, with the signature kept for the next turn', async () => {
    const events = converseEventsAsAnthropic(
      sse([
        ['messageStart', { role: 'assistant' }],
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'hmm' } } }],
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'sig' } } }],
        ['contentBlockStop', { contentBlockIndex: 0 }],
        ['contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'ok' } }],
        ['contentBlockStop', { contentBlockIndex: 1 }],
        ['messageStop', { stopReason: 'end_turn' }],
      ]),
      { model: 'm', id: 'i' },
    );
    const deltas = (await collect(toChatChunks(events, { includeUsage: false }))).filter((c) => c !== '[DONE]').map((c) => c.choices[0].delta);
    expect(deltas.some((d) => d.reasoning_content === 'hmm')).toBe(true);
    expect(deltas.some((d) => JSON.stringify(d.thinking_blocks) === JSON.stringify([{ type: 'thinking', thinking: 'hmm', signature: 'sig' }]))).toBe(true);
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('ok');
  });

  it('an exception event is thrown as the error it names (throttling → 429)', async () => {
    const events = converseEventsAsAnthropic(
      sse([
        ['messageStart', { role: 'assistant' }],
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'a' } }],
        [EXCEPTION_EVENT, { type: 'throttlingException', message: 'Too many tokens, please wait' }],
      ]),
      { model: 'm', id: 'i' },
    );
    const err = await collect(toChatChunks(events, { includeUsage: false })).catch((e: unknown) => e);
    const mapped = mapError(err);
    expect(mapped.status).toBe(429);
    expect(mapped.body.error.message).toMatch(/Too many tokens/);
  });

  it('a stream that ends without messageStop is a failure, not a short answer', async () => {
    const events = converseEventsAsAnthropic(sse([['messageStart', { role: 'assistant' }], ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'a' } }]]), { model: 'm', id: 'i' });
    await expect(collect(toChatChunks(events, { includeUsage: false }))).rejects.toThrow(/message_stop/);
  });
});

describe('Bedrock errors', () => {
  it.each([
    ['ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/', 429, 429],
    ['ModelNotReadyException', 429, 429],
    ['ServiceQuotaExceededException', 400, 429],
    ['AccessDeniedException', 403, 403],
    ['ResourceNotFoundException', 404, 404],
    ['ModelTimeoutException', 408, 408],
    ['ModelErrorException', 424, 424],
    ['ServiceUnavailableException', 503, 503],
  ])('%s (HTTP %d) → upstream status %d', (header, http, status) => {
    expect(bedrockErrorDetails(http, '{"message":"m"}', { 'x-amzn-errortype': header })).toMatchObject({ status, message: 'm' });
  });

  it('reads the type from the body when the header is missing, and tells a context-window overflow', () => {
    const d = bedrockErrorDetails(400, JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', Message: 'Input is too long for requested model.' }), {});
    expect(d).toMatchObject({ status: 400, type: 'ValidationException', code: 'context_length_exceeded' });
  });
});

function capture(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
