import { mapError } from '../../common/error-mapping.js';
import { GatewayError } from '../../common/gateway-error.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { CHAT_PARAMS } from './anthropic-params.js';
import { MessagesRequestOptions, toMessagesRequest } from './anthropic-request.translator.js';

interface RequestGolden {
  description: string;
  options: MessagesRequestOptions;
  chat: Record<string, unknown>;
  messages: Record<string, unknown>;
}

const OPTIONS: MessagesRequestOptions = { upstreamModel: 'claude-x', dropParams: false, defaultMaxTokens: 4096, stream: false };
const user = [{ role: 'user', content: 'hi' }];

function rejection(body: Record<string, unknown>, options: Partial<MessagesRequestOptions> = {}): { status: number; message: string; param: string | null } {
  try {
    toMessagesRequest({ model: 'm', ...body }, { ...OPTIONS, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const mapped = mapError(err);
    return { status: mapped.status, message: mapped.body.error.message, param: mapped.body.error.param };
  }
  throw new Error('expected the translation to be rejected');
}

describe('Chat Completions → Anthropic Messages (golden files)', () => {
  it.each(goldenCases<RequestGolden>(new URL('./golden/request/', import.meta.url)))('%s', (_file, golden) => {
    expect(toMessagesRequest(golden.chat, golden.options)).toEqual(golden.messages);
  });
});

describe('Chat Completions → Anthropic Messages: what cannot be translated', () => {
  it.each([
    ['seed', 42],
    ['n', 2],
    ['logprobs', true],
    ['presence_penalty', 0.4],
    ['frequency_penalty', 1],
    ['response_format', { type: 'json_object' }],
    ['audio', { voice: 'alloy', format: 'mp3' }],
    ['a_param_nobody_knows', 1],
  ])('rejects %s with a 400 naming the parameter and the way out', (name, value) => {
    const r = rejection({ messages: user, [name]: value });
    expect(r.status).toBe(400);
    expect(r.param).toBe(name);
    expect(r.message).toContain(`'${name}'`);
    expect(r.message).toContain('drop_params');
  });

  it('drops the same parameters silently when drop_params is in effect', () => {
    const out = toMessagesRequest({ model: 'm', messages: user, seed: 42, n: 3, a_param_nobody_knows: 1 }, { ...OPTIONS, dropParams: true });
    expect(out).toEqual({ model: 'claude-x', max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('accepts OpenAI defaults of unsupported parameters without drop_params', () => {
    const out = toMessagesRequest(
      { model: 'm', messages: user, n: 1, logprobs: false, presence_penalty: 0, frequency_penalty: 0, response_format: { type: 'text' }, store: false },
      OPTIONS,
    );
    expect(Object.keys(out).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('gives every unsupported table entry a reason', () => {
    for (const [name, rule] of Object.entries(CHAT_PARAMS)) {
      const handled = rule.structural || rule.apply || rule.noEffect || rule.unsupported;
      expect([name, Boolean(handled)]).toEqual([name, true]);
    }
  });

  it.each([
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }] }] }, 'messages[0].content[0].image_url.url', 'image/bmp'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] }, 'messages[0].content[0].image_url.url', 'http(s)'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type', 'input_audio'],
    [
      { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] },
      'messages[0].tool_calls[0].function.arguments',
      'not valid JSON',
    ],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', 'tool_call_id'],
    [{ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role', "'function' role"],
    [{ messages: [{ role: 'system', content: 'only a system prompt' }] }, 'messages', 'at least one user or assistant'],
    [{ messages: user, tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type', "only 'function' tools"],
    [{ messages: user, tool_choice: 'required' }, 'tool_choice', "requires 'tools'"],
    [{ messages: user, reasoning_effort: 'high', max_tokens: 1000 }, 'max_tokens', 'thinking budget of 16384'],
    [{ messages: user, reasoning_effort: 'extreme' }, 'reasoning_effort', 'must be one of'],
    [{ messages: user, stop: [1, 2] }, 'stop', 'array of strings'],
  ])('rejects malformed or untranslatable input %#', (body, param, text) => {
    const r = rejection(body as Record<string, unknown>);
    expect(r.status).toBe(400);
    expect(r.param).toBe(param);
    expect(r.message).toContain(text);
  });

  it('keeps untranslatable values a 400 even with drop_params: only whole parameters are dropped', () => {
    const r = rejection({ messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] }, { dropParams: true });
    expect(r.status).toBe(400);
  });

  it('maps the remaining tool_choice forms', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    const choice = (tool_choice: unknown, extra: Record<string, unknown> = {}) =>
      toMessagesRequest({ model: 'm', messages: user, tools, tool_choice, ...extra }, OPTIONS).tool_choice;
    expect(choice('auto')).toEqual({ type: 'auto' });
    expect(choice(undefined, { parallel_tool_calls: false })).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(choice('none', { parallel_tool_calls: false })).toEqual({ type: 'none' });
    expect(choice(undefined)).toBeUndefined();
    // Without tools there is nothing to choose from; 'auto' and 'none' need no counterpart.
    expect(toMessagesRequest({ model: 'm', messages: user, tool_choice: 'none' }, OPTIONS).tool_choice).toBeUndefined();
  });

  it('passes thinking through as written and skips it for reasoning_effort minimal', () => {
    const thinking = { type: 'enabled', budget_tokens: 2000 };
    expect(toMessagesRequest({ model: 'm', messages: user, thinking }, OPTIONS).thinking).toEqual(thinking);
    const minimal = toMessagesRequest({ model: 'm', messages: user, reasoning_effort: 'minimal' }, OPTIONS);
    expect(minimal.thinking).toBeUndefined();
    expect(minimal.max_tokens).toBe(4096);
  });
});
