import { mapError } from '../../common/error-mapping.js';
import { GatewayError } from '../../common/gateway-error.js';
import { goldenCases } from '../../../test/helpers/golden-files.js';
import { JSON_TOOL_NAME } from './anthropic-json-output.js';
import { CHAT_PARAMS } from './anthropic-params.js';
import { MessagesRequestOptions, toMessagesCall, toMessagesRequest } from './anthropic-request.translator.js';

interface RequestGolden {
  description: string;
  options: MessagesRequestOptions;
  chat: Record<string, unknown>;
  messages: Record<string, unknown>;
  /** The response_format tool the response translators are told about; absent when there is none. */
  jsonTool?: { name: string; wrapped: boolean };
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
    const call = toMessagesCall(golden.chat, golden.options);
    expect(call.request).toEqual(golden.messages);
    expect(call.jsonTool).toEqual(golden.jsonTool);
  });
});

describe('Chat Completions → Anthropic Messages: what cannot be translated', () => {
  it.each([
    ['seed', 42],
    ['n', 2],
    ['logprobs', true],
    ['presence_penalty', 0.4],
    ['frequency_penalty', 1],
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
    [{ messages: user, response_format: { type: 'grammar', grammar: 'x' } }, 'response_format.type', 'json_schema'],
    [{ messages: user, response_format: { type: 'json_schema' } }, 'response_format.json_schema', 'must be an object'],
    [{ messages: user, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: true } } }, 'response_format.json_schema.schema', 'JSON Schema object'],
    [
      { messages: user, response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: JSON_TOOL_NAME } }] },
      'tools',
      'reserved',
    ],
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

describe('response_format → the gateway tool: tool_choice with client tools and thinking', () => {
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
  const format = { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object', properties: { a: { type: 'string' } } } } };
  const call = (extra: Record<string, unknown>) => toMessagesCall({ model: 'm', messages: user, response_format: format, ...extra }, OPTIONS);
  const names = (extra: Record<string, unknown>) => call(extra).request.tools?.map((t) => t.name);

  it("client tool_choice 'auto' → any over client tools and the gateway tool", () => {
    expect(call({ tools, tool_choice: 'auto' }).request.tool_choice).toEqual({ type: 'any' });
    expect(names({ tools, tool_choice: 'auto' })).toEqual(['f', JSON_TOOL_NAME]);
    expect(call({ tools, parallel_tool_calls: false }).request.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it("client tool_choice 'none' → client tools stay declared, the gateway tool is forced", () => {
    const out = call({ tools, tool_choice: 'none' });
    expect(out.request.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL_NAME });
    expect(out.request.tools?.map((t) => t.name)).toEqual(['f', JSON_TOOL_NAME]);
    expect(out.jsonTool).toEqual({ name: JSON_TOOL_NAME, wrapped: false });
    // Without client tools 'none' and 'auto' change nothing: the gateway tool is forced.
    expect(call({ tool_choice: 'none' }).request.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL_NAME });
    expect(call({ tool_choice: 'auto' }).request.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL_NAME });
  });

  it("'required' and a named client tool keep their meaning, and the gateway tool is not offered on that turn", () => {
    const required = call({ tools, tool_choice: 'required' });
    expect(required.request.tool_choice).toEqual({ type: 'any' });
    expect(required.request.tools?.map((t) => t.name)).toEqual(['f']);
    expect(required.jsonTool).toBeUndefined();
    const named = call({ tools, tool_choice: { type: 'function', function: { name: 'f' } } });
    expect(named.request.tool_choice).toEqual({ type: 'tool', name: 'f' });
    expect(named.request.tools?.map((t) => t.name)).toEqual(['f']);
    expect(named.jsonTool).toBeUndefined();
  });

  it('never forces tool use with extended thinking, which Anthropic rejects', () => {
    const alone = call({ reasoning_effort: 'low' });
    expect(alone.request.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(alone.request.tools?.map((t) => t.name)).toEqual([JSON_TOOL_NAME]);
    expect(alone.request.tool_choice).toBeUndefined();
    expect(alone.jsonTool).toEqual({ name: JSON_TOOL_NAME, wrapped: false });
    expect(call({ tools, thinking: { type: 'enabled', budget_tokens: 2048 } }).request.tool_choice).toEqual({ type: 'auto' });
    // Explicitly disabled thinking forces as usual.
    expect(call({ thinking: { type: 'disabled' } }).request.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL_NAME });
  });

  it('text is no JSON request, and the reserved name is free to clients that do not ask for JSON', () => {
    const text = toMessagesCall({ model: 'm', messages: user, response_format: { type: 'text' } }, OPTIONS);
    expect(text.jsonTool).toBeUndefined();
    expect(text.request.tools).toBeUndefined();
    const own = toMessagesCall({ model: 'm', messages: user, tools: [{ type: 'function', function: { name: JSON_TOOL_NAME } }] }, OPTIONS);
    expect(own.jsonTool).toBeUndefined();
    expect(own.request.tools?.map((t) => t.name)).toEqual([JSON_TOOL_NAME]);
  });

  it('json_schema without a schema is JSON mode: any object', () => {
    const out = toMessagesCall({ model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'free' } } }, OPTIONS);
    expect(out.request.tools?.[0].input_schema).toEqual({ type: 'object', additionalProperties: true });
  });

  it('wraps roots that are not plainly an object: unions, type lists, missing type', () => {
    for (const schema of [{ anyOf: [{ type: 'string' }, { type: 'object' }] }, { type: ['object', 'null'] }, { enum: ['a', 'b'] }]) {
      const out = call({ response_format: { type: 'json_schema', json_schema: { name: 'r', schema } } });
      expect(out.request.tools?.[0].input_schema).toEqual({ type: 'object', properties: { value: schema }, required: ['value'] });
      expect(out.jsonTool?.wrapped).toBe(true);
    }
  });
});
