import OpenAI, { APIError, AuthenticationError, BadRequestError, InternalServerError, RateLimitError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { FakeAnthropic, fullMessage, messageEvents } from './helpers/fake-anthropic.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * Anthropic behind the chat endpoint, end to end: the official openai SDK talks to the
 * gateway, which talks to a fake Anthropic server that checks requests like the real one.
 */
describe('Anthropic adapter (e2e, openai SDK → gateway → fake Anthropic)', () => {
  let fake: FakeAnthropic;
  let gw: RunningGateway;
  let client: OpenAI;

  const PNG_1PX =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  const weatherTool: ChatCompletionTool = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  };

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    gw = await startGateway(`
model_list:
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: ${fake.url}
      api_key: sk-ant-test
      extra_headers: { anthropic-beta: test-beta-1 }
  - model_name: claude-wrong-key
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: ${fake.url}
      api_key: sk-ant-wrong
  - model_name: claude-drop
    litellm_params:
      model: anthropic/claude-haiku-4-5
      api_base: ${fake.url}/v1
      api_key: sk-ant-test
      drop_params: true
    model_info: { max_output_tokens: 1000 }
router_settings:
  num_retries: 1
  retry_after: 0.01
  allowed_fails: 1000
  model_group_alias:
    sonnet: claude
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  beforeEach(() => fake.reset());

  it('translates a plain chat call with a system prompt and echoes the alias', async () => {
    const completion = await client.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello there' },
      ],
      temperature: 0.3,
      stop: ['END'],
      user: 'u-42',
    });

    expect(fake.requests).toHaveLength(1);
    const sent = fake.last();
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-test');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['anthropic-beta']).toBe('test-beta-1');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Hello there' }],
      temperature: 0.3,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-42' },
    });

    expect(completion.model).toBe('sonnet');
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: 'Echo: Hello there' });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
  });

  it('streams content chunks, the finish reason and a usage chunk, all under the alias', async () => {
    const stream = await client.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Tell me a story' }],
      max_completion_tokens: 200,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishReasons: string[] = [];
    const usages: unknown[] = [];
    let first = true;
    for await (const chunk of stream) {
      expect(chunk.model).toBe('sonnet');
      expect(chunk.object).toBe('chat.completion.chunk');
      if (first) expect(chunk.choices[0].delta.role).toBe('assistant');
      first = false;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usages.push({ choices: chunk.choices.length, ...chunk.usage });
    }
    expect(fake.last().body).toMatchObject({ stream: true, max_tokens: 200 });
    expect(fake.last().body.stream_options).toBeUndefined();
    expect(text).toBe('Echo: Tell me a story');
    expect(finishReasons).toEqual(['stop']);
    expect(usages).toEqual([expect.objectContaining({ choices: 0, prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 })]);
  });

  it('completes a tool call round trip: tool_calls out, tool result back, final answer', async () => {
    fake.enqueue({
      message: {
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_02Rome', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
    });
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris and Rome?' }];
    const first = await client.chat.completions.create({ model: 'claude', messages, tools: [weatherTool], tool_choice: 'auto' });

    expect(fake.last().body.tools).toEqual([
      { name: 'get_weather', description: 'Current weather for a city', input_schema: weatherTool.function.parameters },
    ]);
    expect(fake.last().body.tool_choice).toEqual({ type: 'auto' });
    const choice = first.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Checking.');
    const calls = choice.message.tool_calls!;
    expect(calls.map((c) => c.id)).toEqual(['toolu_01Paris', 'toolu_02Rome']);
    expect(calls.map((c) => c.type === 'function' && JSON.parse(c.function.arguments))).toEqual([{ city: 'Paris' }, { city: 'Rome' }]);

    messages.push(choice.message);
    messages.push({ role: 'tool', tool_call_id: 'toolu_01Paris', content: '18C' });
    messages.push({ role: 'tool', tool_call_id: 'toolu_02Rome', content: '25C' });
    const second = await client.chat.completions.create({ model: 'claude', messages, tools: [weatherTool] });

    // The fake rejects unpaired tool_use/tool_result blocks, so reaching here means the pairing held.
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_02Rome', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01Paris', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_02Rome', content: '25C' },
        ],
      },
    ]);
    expect(second.choices[0].message.content).toBe('The tools said: 18C; 25C');
    expect(second.choices[0].finish_reason).toBe('stop');
  });

  it('streams a tool call that the SDK reassembles, then answers the tool result', async () => {
    fake.enqueue({ message: { content: [{ type: 'tool_use', id: 'toolu_03', name: 'get_weather', input: { city: 'Oslo, Norway' } }] } });
    const runner = client.chat.completions.stream({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const final = await runner.finalChatCompletion();
    expect(fake.last().body.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    const message = final.choices[0].message;
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(message.tool_calls).toHaveLength(1);
    const call = message.tool_calls![0];
    expect(call.id).toBe('toolu_03');
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Oslo, Norway' });

    const answer = await client.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: message.tool_calls },
        { role: 'tool', tool_call_id: 'toolu_03', content: '-3C, snow' },
      ],
      tools: [weatherTool],
    });
    let text = '';
    for await (const chunk of answer) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('The tools said: -3C, snow');
  });

  it('sends data-URL images as base64 sources and https images as url sources', async () => {
    await client.chat.completions.create({
      model: 'claude',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1PX}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
          ],
        },
      ],
    });
    expect(fake.last().body.messages[0].content).toEqual([
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1PX } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  describe('response_format (through a forced tool)', () => {
    const JSON_TOOL = 'switchboard_json_response';
    const person = {
      type: 'object',
      properties: { name: { type: 'string' }, born: { type: 'integer' } },
      required: ['name', 'born'],
      additionalProperties: false,
    };
    const format = { type: 'json_schema' as const, json_schema: { name: 'person', schema: person, strict: true } };

    it('json_schema: the forced tool goes out, the JSON comes back as content with finish_reason stop', async () => {
      const completion = await client.chat.completions.parse({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'Ada' }],
        response_format: format,
      });

      const sent = fake.last().body;
      expect(sent.response_format).toBeUndefined();
      expect(sent.tools).toEqual([{ name: JSON_TOOL, description: expect.any(String), input_schema: person }]);
      expect(sent.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL });
      const choice = completion.choices[0];
      expect(choice.finish_reason).toBe('stop');
      expect(choice.message.tool_calls ?? []).toEqual([]);
      // The fake answered the forced call with {name: "Echo: Ada", born: 42}; parse() ran JSON.parse on the content.
      expect(choice.message.content).toBe('{"name":"Echo: Ada","born":42}');
      expect(choice.message.parsed).toEqual({ name: 'Echo: Ada', born: 42 });
      expect(completion.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
    });

    it('json_schema streamed: input_json_delta pieces arrive as content deltas, no tool_calls, finish stop', async () => {
      const stream = await client.chat.completions.create({
        model: 'claude',
        messages: [{ role: 'user', content: 'Grace' }],
        response_format: format,
        stream: true,
        stream_options: { include_usage: true },
      });
      const pieces: string[] = [];
      const finishReasons: string[] = [];
      let toolDeltas = 0;
      let usage: unknown;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        if (delta?.content) pieces.push(delta.content);
        if (delta?.tool_calls) toolDeltas++;
        if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
        if (chunk.usage) usage = chunk.usage;
      }
      expect(fake.last().body).toMatchObject({ stream: true, tool_choice: { type: 'tool', name: JSON_TOOL } });
      // The fake splits the input into three input_json_delta events.
      expect(pieces.length).toBeGreaterThan(1);
      expect(JSON.parse(pieces.join(''))).toEqual({ name: 'Echo: Grace', born: 42 });
      expect(toolDeltas).toBe(0);
      expect(finishReasons).toEqual(['stop']);
      expect(usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });
    });

    it('json_object and a non-object root schema: permissive object schema; array wrapped as value and unwrapped', async () => {
      const obj = await client.chat.completions.create({
        model: 'claude',
        messages: [{ role: 'user', content: 'anything' }],
        response_format: { type: 'json_object' },
      });
      expect(fake.last().body.tools[0].input_schema).toEqual({ type: 'object', additionalProperties: true });
      expect(JSON.parse(obj.choices[0].message.content!)).toEqual({});

      const list = await client.chat.completions.parse({
        model: 'claude',
        messages: [{ role: 'user', content: 'names' }],
        response_format: { type: 'json_schema', json_schema: { name: 'names', schema: { type: 'array', items: { type: 'string' } } } },
      });
      expect(fake.last().body.tools[0].input_schema).toEqual({
        type: 'object',
        properties: { value: { type: 'array', items: { type: 'string' } } },
        required: ['value'],
      });
      expect(list.choices[0].message.parsed).toEqual(['Echo: names']);
      expect(list.choices[0].finish_reason).toBe('stop');
    });

    it('beside client tools: tool_choice any, a client call stays a tool call, the JSON answer comes as content', async () => {
      fake.enqueue(
        { message: { content: [{ type: 'tool_use', id: 'toolu_04', name: 'get_weather', input: { city: 'Lima' } }] } },
        { message: { content: [{ type: 'tool_use', id: 'toolu_05', name: JSON_TOOL, input: { name: 'Lima report', born: 1535 } }] } },
      );
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Lima, as a person record?' }];
      const first = await client.chat.completions.create({ model: 'claude', messages, tools: [weatherTool], response_format: format });
      expect(fake.last().body.tools.map((t: { name: string }) => t.name)).toEqual(['get_weather', JSON_TOOL]);
      expect(fake.last().body.tool_choice).toEqual({ type: 'any' });
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(first.choices[0].message.content).toBeNull();
      expect(first.choices[0].message.tool_calls).toEqual([
        { id: 'toolu_04', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lima"}' } },
      ]);

      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: 'toolu_04', content: '19C' });
      const second = await client.chat.completions.create({ model: 'claude', messages, tools: [weatherTool], response_format: format });
      expect(second.choices[0].finish_reason).toBe('stop');
      expect(second.choices[0].message.tool_calls).toBeUndefined();
      expect(JSON.parse(second.choices[0].message.content!)).toEqual({ name: 'Lima report', born: 1535 });
    });

    it('with reasoning_effort the tool is offered but not forced, which Anthropic would reject', async () => {
      fake.enqueue({
        message: {
          content: [
            { type: 'thinking', thinking: 'Simple.', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_06', name: JSON_TOOL, input: { name: 'Alan', born: 1912 } },
          ],
        },
      });
      const completion = await client.chat.completions.create({
        model: 'claude',
        messages: [{ role: 'user', content: 'Turing' }],
        response_format: format,
        reasoning_effort: 'low',
      });
      expect(fake.last().body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
      expect(fake.last().body.tool_choice).toBeUndefined();
      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ name: 'Alan', born: 1912 });
      expect(completion.choices[0].finish_reason).toBe('stop');
    });

    it('refuses a client tool that takes the reserved name, without calling upstream', async () => {
      const err = await client.chat.completions
        .create({
          model: 'claude',
          messages: [{ role: 'user', content: 'hi' }],
          tools: [{ type: 'function', function: { name: JSON_TOOL } }],
          response_format: { type: 'json_object' },
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.param).toBe('tools');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it('passes an Anthropic 400 on with its status and message', async () => {
      const err = await client.chat.completions
        .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], temperature: 1.5 })
        .catch((e) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.status).toBe(400);
      expect(err.error).toMatchObject({ type: 'invalid_request_error' });
      expect(err.message).toContain('temperature: Input should be less than or equal to 1');
    });

    it('passes an Anthropic 401 (wrong key) on as 401', async () => {
      const err = await client.chat.completions
        .create({ model: 'claude-wrong-key', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.status).toBe(401);
      expect(err.message).toContain('invalid x-api-key');
      expect(fake.last().headers['x-api-key']).toBe('sk-ant-wrong');
    });

    it('passes a 429 on with its Retry-After when the wait is longer than the router will sit out', async () => {
      const limited = { status: 429, error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' }, headers: { 'retry-after': '30' } };
      fake.enqueue(limited);
      const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
      expect(fake.requests).toHaveLength(1);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(res.body.error).toMatchObject({ type: 'rate_limit_error' });
      expect(res.body.error.message).toContain('exceeded your rate limit');

      fake.enqueue(limited);
      const err = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(RateLimitError);
    });

    it('maps 529 overloaded to 502 after the retry, and recovers when the retry succeeds', async () => {
      const overloaded = { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } };
      fake.enqueue(overloaded, overloaded);
      const err = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(InternalServerError);
      expect(err.status).toBe(502);
      expect(err.error).toMatchObject({ type: 'api_error', code: 'upstream_error' });
      expect(err.message).toContain('Overloaded');

      fake.reset();
      fake.enqueue(overloaded);
      const ok = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'again' }] });
      expect(fake.requests).toHaveLength(2);
      expect(ok.choices[0].message.content).toBe('Echo: again');
    });

    it('retries a stream whose first event is an overloaded error, before anything reaches the client', async () => {
      fake.enqueue({ events: [['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]] });
      const stream = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(fake.requests).toHaveLength(2);
      expect(text).toBe('Echo: hi');
    });

    it('ends a stream that fails midway with an error event the SDK raises', async () => {
      const events = messageEvents(fullMessage({ content: [{ type: 'text', text: 'partial answer here' }] }, 'claude-sonnet-4-5'));
      const cut = events.findIndex(([name]) => name === 'content_block_stop');
      fake.enqueue({ events: [...events.slice(0, cut), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]] });
      const stream = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let text = '';
      const err = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })().catch((e) => e);
      expect(text).toBe('partial answer here');
      expect(err).toBeInstanceOf(APIError);
      expect(err.message).toContain('Overloaded');
    });

    it('rejects a parameter Anthropic cannot honour with a 400 naming it, without calling upstream', async () => {
      const err = await client.chat.completions
        .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], seed: 3 })
        .catch((e) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.param).toBe('seed');
      expect(err.message).toContain("'seed'");
      expect(fake.requests).toHaveLength(0);
    });

    it('drops such parameters on a deployment with drop_params; api_base may end in /v1; model_info sets the default max_tokens', async () => {
      const completion = await client.chat.completions.create({
        model: 'claude-drop',
        messages: [{ role: 'user', content: 'hi' }],
        seed: 3,
        presence_penalty: 0.5,
        n: 1,
      });
      expect(fake.last().path).toBe('/v1/messages');
      expect(fake.last().body).toEqual({ model: 'claude-haiku-4-5', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.model).toBe('claude-drop');
    });
  });
});
