import OpenAI, { BadRequestError, InternalServerError } from 'openai';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { FakeUpstream, PROVIDER_PREFIXES, ScriptedReply } from './helpers/fake-upstream.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * /v1/responses on providers without a Responses API, end to end: the official openai SDK talks
 * to the gateway, which translates to Chat Completions for a fake OpenAI-compatible server that
 * has no /responses route at all (it answers 404 there), and translates the answers back.
 */
describe('Responses bridge over OpenAI-compatible chat (e2e, openai SDK)', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  const weatherTool = {
    type: 'function' as const,
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    strict: true,
  };

  beforeAll(async () => {
    // Any provider prefix reaching the upstream fails the request, as it would at a real provider.
    upstream = await FakeUpstream.start({ rejectPrefixes: PROVIDER_PREFIXES });
    gw = await startGateway(`
model_list:
  - model_name: vllm-model
    litellm_params: { model: hosted_vllm/meta-llama/Llama-3.1-8B-Instruct, api_base: ${upstream.url}/v1, api_key: sk-vllm }
  - model_name: groq-model
    litellm_params: { model: groq/llama-3.1-8b-instant, api_base: ${upstream.url}/openai/v1, api_key: sk-groq }
  - model_name: compat-model
    litellm_params:
      model: openai/local-model
      api_base: ${upstream.url}/v1
      api_key: sk-local
      use_chat_completions_for_responses: true
  - model_name: lenient-model
    litellm_params: { model: groq/llama-3.3-70b, api_base: ${upstream.url}/openai/v1, api_key: sk-groq, drop_params: true }
router_settings:
  num_retries: 0
  model_group_alias:
    my-alias: vllm-model
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  const cases = [
    { name: 'vllm-model', path: '/v1/chat/completions', model: 'meta-llama/Llama-3.1-8B-Instruct', key: 'Bearer sk-vllm' },
    { name: 'my-alias', path: '/v1/chat/completions', model: 'meta-llama/Llama-3.1-8B-Instruct', key: 'Bearer sk-vllm' },
    { name: 'groq-model', path: '/openai/v1/chat/completions', model: 'llama-3.1-8b-instant', key: 'Bearer sk-groq' },
    { name: 'compat-model', path: '/v1/chat/completions', model: 'local-model', key: 'Bearer sk-local' },
  ];

  it.each(cases)('$name: responses.create is served through chat and answered as a Response', async (c) => {
    const response = await client.responses.create({
      model: c.name,
      instructions: 'Be brief.',
      input: 'hi',
      max_output_tokens: 64,
      temperature: 0.3,
    });

    expect(upstream.requests).toHaveLength(1);
    const sent = upstream.last();
    expect(sent.path).toBe(c.path);
    expect(sent.headers.authorization).toBe(c.key);
    expect(sent.body).toEqual({
      model: c.model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      max_tokens: 64,
      temperature: 0.3,
    });

    expect(response.object).toBe('response');
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.model).toBe(c.name);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Hello from the fake upstream');
    expect(response.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hello from the fake upstream', annotations: [], logprobs: [] }],
      },
    ]);
    expect(response.usage).toEqual({
      input_tokens: 5,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 6,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 11,
    });
    expect(response.instructions).toBe('Be brief.');
    expect(response.temperature).toBe(0.3);
    expect(response.max_output_tokens).toBe(64);
  });

  it('never calls the upstream /responses route for a bridged model', async () => {
    await client.responses.create({ model: 'compat-model', input: 'hi' });
    for await (const _event of await client.responses.create({ model: 'compat-model', input: 'hi', stream: true })) {
      // drain
    }
    expect(upstream.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
  });

  it.each(cases)('$name: a streamed response is the full Responses event sequence, numbered from 0', async (c) => {
    const stream = await client.responses.create({ model: c.name, input: 'hi', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    const sent = upstream.last();
    expect(sent.path).toBe(c.path);
    expect(sent.body.model).toBe(c.model);
    expect(sent.body.stream).toBe(true);
    expect(sent.body.stream_options).toEqual({ include_usage: true });

    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => (e as { delta: string }).delta);
    expect(deltas).toEqual(['Hel', 'lo', '!']);
    const last = events[events.length - 1];
    if (last.type !== 'response.completed') throw new Error('expected response.completed');
    expect(last.response.model).toBe(c.name);
    expect(last.response.status).toBe('completed');
    expect(last.response.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Hello!' }] });
  });

  it('streams through the SDK helper, whose accumulated final response has output_text', async () => {
    const stream = client.responses.stream({ model: 'groq-model', input: 'hi' });
    let text = '';
    stream.on('response.output_text.delta', (e) => (text += e.delta));
    const final = await stream.finalResponse();
    expect(text).toBe('Hello!');
    expect(final.output_text).toBe('Hello!');
    expect(final.model).toBe('groq-model');
  });

  it('sends each SSE event with an event: line naming its type', async () => {
    const res = await fetch(`${gw.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'vllm-model', input: 'hi', stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const blocks = (await res.text()).trim().split('\n\n');
    expect(blocks.length).toBe(11);
    for (const block of blocks) {
      const [eventLine, dataLine] = block.split('\n');
      expect(eventLine).toMatch(/^event: response\./);
      expect(JSON.parse(dataLine.slice('data: '.length)).type).toBe(eventLine.slice('event: '.length));
    }
  });

  describe('function tools', () => {
    const toolCallReply = (model: string): ScriptedReply => ({
      body: {
        id: 'chatcmpl-tool',
        object: 'chat.completion',
        created: 1700000000,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
      },
    });

    it('round trip: the call comes back as a function_call item, its output goes back as a tool message', async () => {
      upstream.enqueue(toolCallReply('meta-llama/Llama-3.1-8B-Instruct'));
      const input: ResponseInputItem[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await client.responses.create({ model: 'vllm-model', input, tools: [weatherTool], tool_choice: 'auto' });

      expect(upstream.last().body.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: weatherTool.parameters,
            strict: true,
          },
        },
      ]);
      expect(upstream.last().body.tool_choice).toBe('auto');
      expect(first.output).toEqual([
        {
          id: expect.stringMatching(/^fc_/),
          type: 'function_call',
          status: 'completed',
          call_id: 'call_abc',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        },
      ]);
      expect(first.output_text).toBe('');
      expect(first.tools).toEqual([weatherTool]);

      // The usual client loop: feed the model's output back, plus the tool's result.
      const second = await client.responses.create({
        model: 'vllm-model',
        tools: [weatherTool],
        input: [...input, ...(first.output as ResponseInputItem[]), { type: 'function_call_output', call_id: 'call_abc', output: '18°C and sunny' }],
      });
      expect(upstream.last().body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_abc', content: '18°C and sunny' },
      ]);
      expect(second.output_text).toBe('Hello from the fake upstream');
    });

    it('streamed tool call: function_call item events with argument deltas', async () => {
      const base = { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1700000000, model: 'llama-3.1-8b-instant' };
      upstream.enqueue({
        sse: [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_s1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Rome"}' } }] }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
          { ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 } },
          '[DONE]',
        ],
      });
      const stream = await client.responses.create({ model: 'groq-model', input: 'Weather in Rome?', tools: [weatherTool], stream: true });
      const events: ResponseStreamEvent[] = [];
      for await (const e of stream) events.push(e);

      expect(events.map((e) => e.type)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(events.map((e) => e.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const done = events.find((e) => e.type === 'response.function_call_arguments.done');
      expect(done).toMatchObject({ arguments: '{"city":"Rome"}', name: 'get_weather', output_index: 0 });
      const completed = events[7];
      if (completed.type !== 'response.completed') throw new Error('expected response.completed');
      expect(completed.response.output).toEqual([
        { id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', call_id: 'call_s1', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ]);
      expect(completed.response.usage).toMatchObject({ input_tokens: 30, output_tokens: 8, total_tokens: 38 });
    });

    it('an item_reference to an earlier bridged message is resolved to that message', async () => {
      const first = await client.responses.create({ model: 'vllm-model', input: 'Tell me something' });
      const msgId = first.output[0].id!;
      await client.responses.create({
        model: 'vllm-model',
        input: [
          { role: 'user', content: 'Tell me something' },
          { type: 'item_reference', id: msgId },
          { role: 'user', content: 'More' },
        ],
      });
      expect(upstream.last().body.messages).toEqual([
        { role: 'user', content: 'Tell me something' },
        { role: 'assistant', content: 'Hello from the fake upstream' },
        { role: 'user', content: 'More' },
      ]);
    });
  });

  describe('translations', () => {
    it('text.format json_schema becomes response_format; reasoning.effort becomes reasoning_effort', async () => {
      await client.responses.create({
        model: 'vllm-model',
        input: [{ role: 'developer', content: 'Reply in JSON.' }, { role: 'user', content: [{ type: 'input_text', text: 'Name a city' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' }] }],
        text: { format: { type: 'json_schema', name: 'city', schema: { type: 'object', properties: { name: { type: 'string' } } }, strict: true } },
        reasoning: { effort: 'low' },
        user: 'end-user-7',
      });
      const body = upstream.last().body;
      expect(body.messages).toEqual([
        { role: 'system', content: 'Reply in JSON.' },
        { role: 'user', content: [{ type: 'text', text: 'Name a city' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] },
      ]);
      expect(body.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'city', schema: { type: 'object', properties: { name: { type: 'string' } } }, strict: true },
      });
      expect(body.reasoning_effort).toBe('low');
      expect(body.user).toBe('end-user-7');
      expect(body.text).toBeUndefined();
      expect(body.reasoning).toBeUndefined();
    });

    it('finish_reason length → status incomplete with incomplete_details', async () => {
      upstream.enqueue({
        body: {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Once upon' }, finish_reason: 'length' }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        },
      });
      const response = await client.responses.create({ model: 'groq-model', input: 'story', max_output_tokens: 2 });
      expect(upstream.last().body.max_tokens).toBe(2);
      expect(response.status).toBe('incomplete');
      expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
      expect(response.output_text).toBe('Once upon');
    });

    it('streamed finish_reason length ends with response.incomplete', async () => {
      const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
      upstream.enqueue({
        sse: [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Once' }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
          '[DONE]',
        ],
      });
      const stream = await client.responses.create({ model: 'groq-model', input: 'story', max_output_tokens: 1, stream: true });
      const events: ResponseStreamEvent[] = [];
      for await (const e of stream) events.push(e);
      const last = events[events.length - 1];
      expect(last.type).toBe('response.incomplete');
      if (last.type !== 'response.incomplete') return;
      expect(last.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
      expect(last.response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    });
  });

  describe('unsupported Responses features', () => {
    it.each([
      ['conversation', { conversation: 'conv_123' }],
      ['background', { background: true }],
      ['tools[0]', { tools: [{ type: 'web_search' }] }],
      ['tools[1]', { tools: [weatherTool, { type: 'file_search', vector_store_ids: ['vs_1'] }] }],
    ])('%s → 400 naming the parameter, nothing sent upstream', async (param, extra) => {
      const err = await client.responses
        .create({ model: 'groq-model', input: 'hi', ...(extra as object) } as never)
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      const e = err as BadRequestError;
      expect(e.status).toBe(400);
      expect(e.param).toBe(param);
      expect(e.type).toBe('invalid_request_error');
      expect(e.message).toContain(`Unsupported parameter '${param}'`);
      expect(e.message).toContain('drop_params');
      expect(upstream.requests).toHaveLength(0);
    });

    it('with drop_params on the deployment they are dropped and the request goes through', async () => {
      const response = await client.responses.create({
        model: 'lenient-model',
        input: 'hi',
        background: true,
        tools: [{ type: 'web_search' }, weatherTool],
      });
      expect(response.output_text).toBe('Hello from the fake upstream');
      const body = upstream.last().body;
      expect(body.model).toBe('llama-3.3-70b');
      expect(body.background).toBeUndefined();
      expect(body.tools).toEqual([{ type: 'function', function: expect.objectContaining({ name: 'get_weather' }) }]);
    });

    it('an image given by file_id → 400 naming the content part', async () => {
      const err = await client.responses
        .create({ model: 'vllm-model', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }] }] })
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).param).toBe('input[0].content[0].file_id');
    });
  });

  describe('upstream failures', () => {
    it('an upstream 4xx keeps its status and message', async () => {
      upstream.enqueue({ status: 400, body: { error: { message: 'context length exceeded', type: 'invalid_request_error', code: 'context_length_exceeded' } } });
      const err = await client.responses.create({ model: 'groq-model', input: 'hi' }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).message).toContain('context length exceeded');
    });

    it('an upstream 5xx before the stream starts is a 502, not a 200 stream', async () => {
      upstream.enqueue({ status: 500, body: { error: { message: 'boom' } } });
      const err = await client.responses.create({ model: 'groq-model', input: 'hi', stream: true }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InternalServerError);
      expect((err as InternalServerError).status).toBe(502);
    });

    it('a connection lost mid-stream ends with response.failed, still in sequence', async () => {
      const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
      upstream.enqueue({
        sse: [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        ],
        resetAfterEvents: 2,
        chunkDelayMs: 30,
      });
      const stream = await client.responses.create({ model: 'groq-model', input: 'hi', stream: true });
      const events: ResponseStreamEvent[] = [];
      for await (const e of stream) events.push(e);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      // response.failed closes the response; the error event after it is the gateway's own report.
      expect(events[events.length - 1]).toMatchObject({ type: 'error', code: 'upstream_error' });
      const last = events[events.length - 2];
      expect(last.type).toBe('response.failed');
      if (last.type !== 'response.failed') return;
      expect(last.response.status).toBe('failed');
      expect(last.response.error).toEqual({ code: 'server_error', message: expect.stringContaining('groq') });
      expect(events.some((e) => e.type === 'response.completed')).toBe(false);
    });
  });
});
