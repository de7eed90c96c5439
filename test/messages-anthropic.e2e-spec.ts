import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { FakeAnthropic } from './helpers/fake-anthropic.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { rawPost } from './helpers/gateway.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';
import { admin, AdminGateway, BACKENDS, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * /v1/messages on Anthropic deployments, end to end: the official @anthropic-ai/sdk talks to the
 * gateway, which passes the body natively to a fake Anthropic server that checks requests like
 * the real one. Resolution, keys, limits, budgets and errors are the gateway's, in Anthropic shape.
 */
describe('/v1/messages native (e2e, @anthropic-ai/sdk → gateway → fake Anthropic)', () => {
  let fake: FakeAnthropic;
  let store: TestStore;
  let gw: AdminGateway;
  let client: Anthropic;

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    store = await BACKENDS[0].create();
    gw = await startAdminGateway(
      `
model_list:
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: ${fake.url}
      api_key: sk-ant-test
      extra_headers: { anthropic-beta: operator-beta-1 }
    model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.001 }
  - model_name: claude-slow
    litellm_params: { model: anthropic/claude-haiku-4-5, api_base: ${fake.url}, api_key: sk-ant-test, timeout: 0.5 }
  - model_name: anthropic/*
    litellm_params: { model: anthropic/*, api_base: ${fake.url}/v1, api_key: sk-ant-test }
router_settings:
  num_retries: 0
  allowed_fails: 1000
  model_group_alias:
    sonnet: claude
general_settings:
  master_key: ${MASTER_KEY}
`,
      store.location,
    );
    client = new Anthropic({ baseURL: gw.url, apiKey: MASTER_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
    await store?.dispose();
  });

  beforeEach(() => fake.reset());

  const expectApiError = async (call: Promise<unknown>, status: number, type: string): Promise<APIError> => {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(APIError);
    const e = err as APIError;
    expect(e.status).toBe(status);
    expect(e.error).toMatchObject({ type: 'error', error: { type } });
    return e;
  };

  it('create: the body reaches Anthropic untouched except model; the reply comes back with the alias', async () => {
    // Sampling fields this SDK version no longer types still reach the upstream.
    const params = {
      model: 'sonnet',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hello there' }],
      temperature: 0.2,
      top_k: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
    };
    const message = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.model).toBe('sonnet');
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: Hello there' }]);
    expect(message.usage.input_tokens).toBe(21);
    const sent = fake.last();
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-test');
    // The SDK's own version header is forwarded (the body is written for it).
    expect(sent.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent.headers['anthropic-beta']).toBe('operator-beta-1');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hello there' }],
      temperature: 0.2,
      top_k: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
    });
  });

  it.each(['sonnet', 'claude'])('%s sends the same upstream id on /chat/completions, /v1/responses and /v1/messages', async (name) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` };
    const chat = await rawPost(`${gw.url}/v1/chat/completions`, { model: name, messages: [{ role: 'user', content: 'hi' }] }, headers);
    const responses = await rawPost(`${gw.url}/v1/responses`, { model: name, input: 'hi' }, headers);
    const messages = await client.messages.create({ model: name, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    expect([chat.status, responses.status]).toEqual([200, 200]);
    expect([chat.body.model, responses.body.model, messages.model]).toEqual([name, name, name]);
    expect(fake.requests.map((r) => r.body.model)).toEqual(['claude-sonnet-4-5', 'claude-sonnet-4-5', 'claude-sonnet-4-5']);
    const dry = await admin(gw, 'GET', `/model/resolve?model=${name}&endpoint=messages`);
    expect(dry.status).toBe(200);
    expect(JSON.stringify(dry.body)).toContain('claude-sonnet-4-5');
  });

  it('stream: messages.stream() and finalMessage() over the events Anthropic sent, model renamed', async () => {
    const stream = client.messages.stream({ model: 'sonnet', max_tokens: 50, messages: [{ role: 'user', content: 'stream me' }] });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text).toBe('Echo: stream me');
    expect(final.model).toBe('sonnet');
    expect(final.stop_reason).toBe('end_turn');
    expect(fake.last().body.stream).toBe(true);
    expect(fake.last().body.model).toBe('claude-sonnet-4-5');
  });

  it('wildcard: anthropic/<id> sends <id> upstream and echoes the name sent', async () => {
    const message = await client.messages.create({ model: 'anthropic/claude-opus-4-1', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(fake.last().body.model).toBe('claude-opus-4-1');
    expect(message.model).toBe('anthropic/claude-opus-4-1');
  });

  it('tools over two turns, with a server tool passed through', async () => {
    const tools: Anthropic.Messages.ToolUnion[] = [
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 2 },
    ];
    const first = await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [{ role: 'user', content: 'Paris' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b): b is Anthropic.Messages.ToolUseBlock => b.type === 'tool_use')!;
    expect(use.name).toBe('get_weather');
    expect(fake.last().body.tools).toEqual(tools);
    const second = await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'Paris' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 21C' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'The tools said: sunny, 21C' }]);
  });

  it('thinking + tools over two turns: the signature reaches Anthropic unchanged', async () => {
    const signature = 'EqQBCkYIBxgCKkBsig+/=' + 'x'.repeat(200);
    fake.enqueue({
      message: {
        content: [
          { type: 'thinking', thinking: 'I should call the tool.', signature },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
    });
    const tools: Anthropic.Messages.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const stream = client.messages.stream(
      { model: 'claude', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, tools, messages: [{ role: 'user', content: 'Oslo?' }] },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    const first = await stream.finalMessage();
    expect(fake.last().headers['anthropic-beta']).toBe('operator-beta-1,interleaved-thinking-2025-05-14');
    const thinking = first.content[0] as Anthropic.Messages.ThinkingBlock;
    expect(thinking).toEqual({ type: 'thinking', thinking: 'I should call the tool.', signature });
    await client.messages.create({
      model: 'claude',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools,
      messages: [
        { role: 'user', content: 'Oslo?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'cold' }] },
      ],
    });
    const assistant = fake.last().body.messages[1];
    expect(assistant.content[0]).toEqual({ type: 'thinking', thinking: 'I should call the tool.', signature });
    expect(fake.last().raw).toContain(JSON.stringify(signature));
  });

  it('count_tokens: Anthropic\'s own count, never a completion', async () => {
    const count = await client.messages.countTokens({ model: 'sonnet', messages: [{ role: 'user', content: 'count me' }], system: 'sys' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.last().path).toBe('/v1/messages/count_tokens');
    expect(fake.last().body).toEqual({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'count me' }], system: 'sys' });
    expect(count.input_tokens).toBe(1000 + fake.last().raw.length);
    const raw = await rawPost(`${gw.url}/v1/messages/count_tokens`, { model: 'claude', messages: [{ role: 'user', content: 'x' }] }, { 'content-type': 'application/json', 'x-api-key': MASTER_KEY });
    expect(raw.headers.get('x-switchboard-token-count')).toBe('exact');
  });

  it('auth: x-api-key and Authorization: Bearer both work; a wrong key is a 401 in Anthropic shape', async () => {
    const bearer = new Anthropic({ baseURL: gw.url, authToken: MASTER_KEY, apiKey: null, maxRetries: 0 });
    expect((await bearer.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })).model).toBe('claude');
    const wrong = new Anthropic({ baseURL: gw.url, apiKey: 'sk-wrong', maxRetries: 0 });
    await expectApiError(wrong.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 401, 'authentication_error');
    expect(fake.requests).toHaveLength(1);
  });

  it('unknown model: 404 not_found_error, streamed and not, nothing sent upstream', async () => {
    const e = await expectApiError(client.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 404, 'not_found_error');
    expect(e.message).toContain("'nope'");
    await expectApiError(client.messages.stream({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).finalMessage(), 404, 'not_found_error');
    expect(fake.requests).toHaveLength(0);
  });

  it('bad input and body-parser failures are Anthropic-shaped 4xx (also under /messages)', async () => {
    await expectApiError(client.messages.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] } as never), 400, 'invalid_request_error');
    const notJson = await rawPost(`${gw.url}/messages`, '{oops', { 'content-type': 'application/json', 'x-api-key': MASTER_KEY });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const noKey = await rawPost(`${gw.url}/v1/messages`, { model: 'claude' });
    expect(noKey.status).toBe(401);
    expect(noKey.body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    // The OpenAI routes keep the OpenAI shape.
    const chat = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'claude' });
    expect(chat.body.error.type).toBe('authentication_error');
    expect(chat.body.type).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  it('a virtual key limited to other models gets 403 permission_error', async () => {
    const key = (await admin(gw, 'POST', '/key/generate', { models: ['claude-slow'] })).body.key;
    const limited = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
    await expectApiError(limited.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 403, 'permission_error');
    expect(fake.requests).toHaveLength(0);
  });

  it('rpm and budget refusals are 429 rate_limit_error with retry-after where known', async () => {
    const rpmKey = (await admin(gw, 'POST', '/key/generate', { rpm_limit: 1 })).body.key;
    const rpm = new Anthropic({ baseURL: gw.url, apiKey: rpmKey, maxRetries: 0 });
    await rpm.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const e = await expectApiError(rpm.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 429, 'rate_limit_error');
    expect(e.headers?.get('retry-after')).toMatch(/^\d+$/);

    const budgetKey = (await admin(gw, 'POST', '/key/generate', { max_budget: 0.01 })).body.key;
    const budget = new Anthropic({ baseURL: gw.url, apiKey: budgetKey, maxRetries: 0 });
    // 21 input + 9 output tokens at 0.001 each: the first call crosses the budget, the next is refused.
    await budget.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const calls = fake.requests.length;
    await expectApiError(budget.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 429, 'rate_limit_error');
    expect(fake.requests).toHaveLength(calls);
  });

  it('upstream 429 and 500 keep their meaning; a timeout is 504 timeout_error', async () => {
    fake.enqueue({ status: 429, error: { type: 'rate_limit_error', message: 'slow down' }, headers: { 'retry-after': '30' } });
    const limited = await expectApiError(client.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 429, 'rate_limit_error');
    expect(limited.headers?.get('retry-after')).toBe('30');
    fake.enqueue({ status: 500, error: { type: 'api_error', message: 'boom' } });
    await expectApiError(client.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 502, 'api_error');
    fake.enqueue({ hang: true });
    await expectApiError(client.messages.create({ model: 'claude-slow', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 504, 'timeout_error');
  });

  it('a stream that breaks mid-way ends with an Anthropic error event, never silently', async () => {
    fake.enqueue({
      reset: true,
      events: [
        ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } }],
        ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }],
      ],
    });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': MASTER_KEY },
      body: JSON.stringify({ model: 'claude', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"model":"claude"');
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]+"\}\}\n\n$/);
    // And the SDK raises on it.
    fake.enqueue({ events: [['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } }], ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]] });
    await expect(client.messages.stream({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()).rejects.toThrow();
  });

  it('a client that aborts mid-stream closes the upstream connection', async () => {
    fake.enqueue({
      stall: true,
      events: [['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } }]],
    });
    const abortsBefore = fake.clientAborts;
    const controller = new AbortController();
    const stream = client.messages.stream({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal });
    await new Promise<void>((resolve) => stream.on('streamEvent', () => resolve()));
    controller.abort();
    await stream.finalMessage().catch(() => undefined);
    for (let i = 0; i < 100 && fake.clientAborts === abortsBefore; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fake.clientAborts).toBe(abortsBefore + 1);
  });

  it('replays a Claude Code request: beta header forwarded, body bytes unchanged but model', async () => {
    const tools = Array.from({ length: 20 }, (_, i) => ({
      name: `Tool${i}`,
      description: `Tool number ${i} — does ünïcode things`,
      input_schema: { type: 'object', properties: { path: { type: 'string', description: 'a path' } }, required: ['path'], additionalProperties: false, $schema: 'http://json-schema.org/draft-07/schema#' },
    }));
    const body = {
      model: 'sonnet',
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<system-reminder>ctx</system-reminder>' }, { type: 'text', text: 'fix the bug', cache_control: { type: 'ephemeral' } }] },
      ],
      temperature: 1,
      system: [
        { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Long instructions…', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
      tools,
      metadata: { user_id: 'user_abc_account_123_session_456' },
      max_tokens: 32000,
      stream: true,
    };
    const text = JSON.stringify(body);
    const res = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${MASTER_KEY}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
        'x-app': 'cli',
        'user-agent': 'claude-cli/2.0.0 (external, cli)',
        'x-stainless-lang': 'js',
      },
      body: text,
    });
    expect(res.status).toBe(200);
    const events = await res.text();
    expect(events).toContain('event: message_stop');
    const sent = fake.last();
    expect(sent.raw).toBe(text.replace('"model":"sonnet"', '"model":"claude-sonnet-4-5"'));
    expect(sent.headers['anthropic-beta']).toBe('operator-beta-1,claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['x-app']).toBeUndefined();
    expect(sent.headers['x-stainless-lang']).toBeUndefined();
    expect(sent.headers.authorization).toBeUndefined();
    expect(JSON.stringify(sent.headers)).not.toContain(MASTER_KEY);
  });
});

describe('/v1/messages under --base-path, and bridged to an OpenAI-shaped deployment', () => {
  let fake: FakeAnthropic;
  let upstream: FakeUpstream;
  let gw: OpsGateway;
  let client: Anthropic;

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    upstream = await FakeUpstream.start();
    gw = await startOpsGateway(
      `
model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: ${fake.url}, api_key: sk-ant-test }
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-up-test }
`,
      { basePath: '/gw' },
    );
    client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
    await upstream?.close();
  });

  it('serves /gw/v1/messages and answers Anthropic-shaped errors there', async () => {
    const message = await client.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.model).toBe('claude');
    const err = await client.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('bridged create: translated to chat and back, model echoed, prefix removed upstream', async () => {
    upstream.reset();
    const message = await client.messages.create({ model: 'gpt', max_tokens: 50, system: 'terse', messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream.last().path).toBe('/v1/chat/completions');
    expect(upstream.last().body.model).toBe('gpt-4o');
    expect(upstream.last().body.messages[0]).toMatchObject({ role: 'system' });
    expect(message.model).toBe('gpt');
    expect(message.type).toBe('message');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake upstream' }]);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('bridged stream: messages.stream() and finalMessage() accept the translated events', async () => {
    upstream.reset();
    const stream = client.messages.stream({ model: 'gpt', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(upstream.last().body.stream).toBe(true);
    expect(text).toBe('Hello!');
    expect(final.model).toBe('gpt');
    expect(final.content).toEqual([{ type: 'text', text: 'Hello!' }]);
  });

  it('bridged tools over two turns: tool_use <-> tool_calls, tool_result -> tool message', async () => {
    upstream.reset();
    upstream.enqueue({
      body: {
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] } }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      },
    });
    const tools: Anthropic.Messages.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const first = await client.messages.create({ model: 'gpt', max_tokens: 50, tools, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'Rome?' }] });
    expect(upstream.last().body.tool_choice).toBe('required');
    expect(upstream.last().body.tools[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b): b is Anthropic.Messages.ToolUseBlock => b.type === 'tool_use')!;
    expect(use).toMatchObject({ id: 'call_1', name: 'get_weather', input: { city: 'Rome' } });
    await client.messages.create({
      model: 'gpt',
      max_tokens: 50,
      tools,
      messages: [
        { role: 'user', content: 'Rome?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'warm' }] },
      ],
    });
    const sent = upstream.last().body.messages;
    expect(sent[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'get_weather' } }] });
    expect(sent[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
  });

  it('bridged count_tokens: an estimate, marked as such, with no upstream call', async () => {
    upstream.reset();
    const res = await rawPost(`${gw.url}/v1/messages/count_tokens`, { model: 'gpt', messages: [{ role: 'user', content: 'count these words please' }] }, { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.body.estimated).toBe(true);
    expect(res.body.input_tokens).toBeGreaterThan(0);
    expect(res.headers.get('x-switchboard-token-count')).toBe('estimate');
    expect(upstream.requests).toHaveLength(0);
  });

  it('logs no key and records the route for metrics', async () => {
    await client.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    expect(gw.logText()).not.toContain('sk-ant-test');
    expect(gw.logs.some((l) => JSON.stringify(l).includes('/v1/messages'))).toBe(true);
  });
});
