import { createOpenAI } from '@ai-sdk/openai';
import type { OpenAIProvider } from '@ai-sdk/openai';
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import OpenAI, { BadRequestError } from 'openai';
import type { ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { FakeAnthropic } from './helpers/fake-anthropic.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * /v1/responses on Anthropic: the Responses bridge on top of the Anthropic adapter's chat
 * facade, against a fake Anthropic server that validates requests like the real API.
 */
describe('Responses bridge over Anthropic (e2e)', () => {
  let fake: FakeAnthropic;
  let gw: RunningGateway;
  let client: OpenAI;
  let vercel: OpenAIProvider;

  const weatherTool = {
    type: 'function' as const,
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: false,
  };

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    gw = await startGateway(`
model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: ${fake.url}, api_key: sk-ant-test }
  - model_name: claude-drop
    litellm_params: { model: anthropic/claude-haiku-4-5, api_base: ${fake.url}, api_key: sk-ant-test, drop_params: true }
router_settings:
  num_retries: 0
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
    vercel = createOpenAI({ baseURL: gw.baseURL, apiKey: 'unused' });
  });

  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  beforeEach(() => fake.reset());

  it('responses.create: instructions → system, input → messages, max_output_tokens → max_tokens', async () => {
    const response = await client.responses.create({
      model: 'claude',
      instructions: 'You are terse.',
      input: 'Hello there',
      max_output_tokens: 300,
      temperature: 0.5,
    });

    expect(fake.requests).toHaveLength(1);
    expect(fake.last().path).toBe('/v1/messages');
    expect(fake.last().body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Hello there' }],
      temperature: 0.5,
    });
    expect(response.model).toBe('claude');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Echo: Hello there');
    expect(response.usage).toMatchObject({ input_tokens: 21, output_tokens: 9, total_tokens: 30 });
  });

  it('streamed: the Responses event sequence, text assembled, usage on response.completed', async () => {
    const stream = await client.responses.create({ model: 'claude', input: 'Tell me a story', stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);

    expect(fake.last().body.stream).toBe(true);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0].type).toBe('response.created');
    expect(events[1].type).toBe('response.in_progress');
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => (e as { delta: string }).delta).join('');
    expect(text).toBe('Echo: Tell me a story');
    const last = events[events.length - 1];
    if (last.type !== 'response.completed') throw new Error(`expected response.completed, got ${last.type}`);
    expect(last.response.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Echo: Tell me a story' }] });
    expect(last.response.usage).toMatchObject({ input_tokens: 21, output_tokens: 9, total_tokens: 30 });
  });

  it('tool round trip: tool_use → function_call item; function_call_output → tool_result', async () => {
    fake.enqueue({
      message: {
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
    });
    const input: ResponseInputItem[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.responses.create({ model: 'claude', input, tools: [weatherTool] });

    expect(fake.last().body.tools).toEqual([
      { name: 'get_weather', description: 'Current weather for a city', input_schema: weatherTool.parameters },
    ]);
    expect(first.output.map((o) => o.type)).toEqual(['message', 'function_call']);
    expect(first.output_text).toBe('Checking.');
    expect(first.output[1]).toMatchObject({ type: 'function_call', call_id: 'toolu_01Paris', name: 'get_weather', arguments: '{"city":"Paris"}' });

    const second = await client.responses.create({
      model: 'claude',
      tools: [weatherTool],
      input: [...input, ...(first.output as ResponseInputItem[]), { type: 'function_call_output', call_id: 'toolu_01Paris', output: '18C' }],
    });
    // The fake rejects unpaired tool_use/tool_result blocks: reaching it means the pairing held.
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Paris', content: '18C' }] },
    ]);
    expect(second.output_text).toBe('The tools said: 18C');
  });

  it('streamed tool call: argument deltas from input_json_delta, done with the full arguments', async () => {
    fake.enqueue({ message: { content: [{ type: 'tool_use', id: 'toolu_02Rome', name: 'get_weather', input: { city: 'Rome' } }] } });
    const stream = await client.responses.create({ model: 'claude', input: 'Weather in Rome?', tools: [weatherTool], stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);

    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.slice(-3)).toEqual(['response.function_call_arguments.done', 'response.output_item.done', 'response.completed']);
    const added = events.find((e) => e.type === 'response.output_item.added');
    expect(added).toMatchObject({ item: { type: 'function_call', call_id: 'toolu_02Rome', name: 'get_weather' } });
    const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => (e as { delta: string }).delta);
    expect(JSON.parse(deltas.join(''))).toEqual({ city: 'Rome' });
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  });

  describe('extended thinking → a reasoning item first', () => {
    const thinking = { type: 'thinking', thinking: 'Paris is the capital; say so briefly.', signature: 'sig_fake' };

    it('responses.create: output[0] is the reasoning, as summary_text, before the message', async () => {
      fake.enqueue({ message: { content: [thinking, { type: 'text', text: 'Paris.' }] } });
      const response = await client.responses.create({ model: 'claude', input: 'Capital of France?', reasoning: { effort: 'low' } });

      expect(fake.last().body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
      expect(response.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
      expect(response.output[0]).toEqual({
        id: expect.stringMatching(/^rs_/),
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Paris is the capital; say so briefly.' }],
        // The signed block, for the next turn (see the thinking + tools tests below).
        encrypted_content: expect.stringMatching(/^switchboard\.thinking\.v1:/),
      });
      expect(response.output_text).toBe('Paris.');
    });

    it('responses.stream: reasoning events first, contiguous sequence numbers, the reasoning item in the final response', async () => {
      fake.enqueue({ message: { content: [thinking, { type: 'text', text: 'Paris.' }] } });
      const stream = client.responses.stream({ model: 'claude', input: 'Capital of France?', reasoning: { effort: 'low' } });
      const events: ResponseStreamEvent[] = [];
      for await (const e of stream) events.push(e);
      const final = await stream.finalResponse();

      expect(fake.last().body.stream).toBe(true);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      const types = events.map((e) => e.type);
      // The fake splits the thinking into three deltas; one summary part holds them all.
      expect(types.slice(0, 11)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
        'response.output_item.added',
      ]);
      expect(types[types.length - 1]).toBe('response.completed');
      const reasoningEvents = events.filter((e) => e.type.startsWith('response.reasoning_summary'));
      expect(reasoningEvents.every((e) => 'output_index' in e && e.output_index === 0 && 'summary_index' in e && e.summary_index === 0)).toBe(true);
      const deltas = events.filter((e) => e.type === 'response.reasoning_summary_text.delta').map((e) => (e as { delta: string }).delta);
      expect(deltas.join('')).toBe(thinking.thinking);
      const messageAdded = events[10];
      expect(messageAdded).toMatchObject({ output_index: 1, item: { type: 'message' } });
      expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'message']);
      expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: thinking.thinking }] });
      expect(final.output_text).toBe('Paris.');
    });

    it('a later turn continues it with previous_response_id (or references the reasoning item); no reasoning goes upstream', async () => {
      fake.enqueue({
        message: { content: [thinking, { type: 'tool_use', id: 'toolu_r1', name: 'get_weather', input: { city: 'Paris' } }] },
      });
      const first = await client.responses.create({ model: 'claude', input: 'Weather in Paris?', tools: [weatherTool], reasoning: { effort: 'low' } });
      expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'function_call']);

      const second = await client.responses.create({
        model: 'claude',
        previous_response_id: first.id,
        tools: [weatherTool],
        input: [
          { type: 'item_reference', id: first.output[0].id! },
          { type: 'function_call_output', call_id: 'toolu_r1', output: '18C' },
        ],
      });
      expect(fake.last().body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_r1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_r1', content: '18C' }] },
      ]);
      expect(second.output_text).toBe('The tools said: 18C');

      const third = await client.responses.create({ model: 'claude', previous_response_id: second.id, input: 'Thanks' });
      expect(fake.last().body.messages).toHaveLength(5);
      expect(third.output_text).toBe('Echo: Thanks');
    });
  });

  describe('extended thinking + tool use over two turns: the signed thinking block goes back unchanged', () => {
    const signed = { type: 'thinking', thinking: 'Look up Paris, then answer.', signature: 'EqQBCgIYAhIMsig+/=0123456789' };
    const redacted = { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/+=' };
    const call = { type: 'tool_use', id: 'toolu_t1', name: 'get_weather', input: { city: 'Paris' } };
    const expectedTurn2 = [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [signed, redacted, call] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_t1', content: '18C' }] },
    ];

    it('responses.create, the client sending the output items back itself', async () => {
      fake.enqueue({ message: { content: [signed, redacted, call] } });
      const first = await client.responses.create({ model: 'claude', input: 'Weather in Paris?', tools: [weatherTool], reasoning: { effort: 'low' } });
      expect(first.output.map((o) => o.type)).toEqual(['reasoning', 'function_call']);
      await client.responses.create({
        model: 'claude',
        tools: [weatherTool],
        reasoning: { effort: 'low' },
        store: false,
        input: [
          { role: 'user', content: 'Weather in Paris?' },
          ...(first.output as ResponseInputItem[]),
          { type: 'function_call_output', call_id: 'toolu_t1', output: '18C' },
        ],
      });
      expect(fake.last().body.messages).toEqual(expectedTurn2);
    });

    it('responses.stream: the streamed reasoning item carries the block (signature from signature_delta)', async () => {
      fake.enqueue({ message: { content: [signed, call] } });
      const stream = client.responses.stream({ model: 'claude', input: 'Weather in Paris?', tools: [weatherTool], reasoning: { effort: 'low' } });
      for await (const _ of stream) {
        /* drain */
      }
      const first = await stream.finalResponse();
      const again = client.responses.stream({
        model: 'claude',
        tools: [weatherTool],
        reasoning: { effort: 'low' },
        input: [
          { role: 'user', content: 'Weather in Paris?' },
          ...(first.output as ResponseInputItem[]),
          { type: 'function_call_output', call_id: 'toolu_t1', output: '18C' },
        ],
      });
      await again.finalResponse();
      expect(fake.last().body.messages[1]).toEqual({ role: 'assistant', content: [signed, call] });
    });

    it('previous_response_id + item_reference: the stored reasoning item keeps the block', async () => {
      fake.enqueue({ message: { content: [signed, redacted, call] } });
      const first = await client.responses.create({ model: 'claude', input: 'Weather in Paris?', tools: [weatherTool], reasoning: { effort: 'low' } });
      await client.responses.create({
        model: 'claude',
        previous_response_id: first.id,
        tools: [weatherTool],
        reasoning: { effort: 'low' },
        input: [
          { type: 'item_reference', id: first.output[0].id! },
          { type: 'function_call_output', call_id: 'toolu_t1', output: '18C' },
        ],
      });
      expect(fake.last().body.messages).toEqual(expectedTurn2);
    });

    it('chat completions: the answer carries thinking_blocks, and an assistant message sending them back reaches Anthropic unchanged', async () => {
      fake.enqueue({ message: { content: [signed, call] } });
      const first = await client.chat.completions.create({
        model: 'claude',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.parameters } }],
        reasoning_effort: 'low',
      });
      const message = first.choices[0].message as unknown as Record<string, unknown>;
      expect(message.thinking_blocks).toEqual([signed]);
      await client.chat.completions.create({
        model: 'claude',
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.parameters } }],
        reasoning_effort: 'low',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          message as never,
          { role: 'tool', tool_call_id: 'toolu_t1', content: '18C' },
        ],
      });
      expect(fake.last().body.messages[1]).toEqual({ role: 'assistant', content: [signed, call] });
    });

    it('a foreign encrypted_content (a real OpenAI reasoning item) is ignored, not forwarded', async () => {
      fake.enqueue({ message: { content: [{ type: 'text', text: 'ok' }] } });
      await client.responses.create({
        model: 'claude',
        reasoning: { effort: 'low' },
        store: false,
        input: [
          { role: 'user', content: 'Hi' },
          { type: 'reasoning', id: 'rs_x', summary: [], encrypted_content: 'gAAAAABopaque' },
          { role: 'assistant', content: 'Hello' },
          { role: 'user', content: 'Again' },
        ] as ResponseInputItem[],
      });
      expect(fake.last().body.messages[1]).toEqual({ role: 'assistant', content: 'Hello' });
    });
  });

  describe('text.format json_schema (a forced tool upstream)', () => {
    const JSON_TOOL = 'switchboard_json_response';
    const city = {
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'integer' } },
      required: ['city', 'population'],
      additionalProperties: false,
    };
    const text = { format: { type: 'json_schema' as const, name: 'city', schema: city, strict: true } };

    it('responses.create: the fake is forced onto the tool; output_text is the JSON', async () => {
      const response = await client.responses.parse({ model: 'claude', input: 'Oslo', text });

      expect(fake.last().body.tools).toEqual([{ name: JSON_TOOL, description: expect.any(String), input_schema: city }]);
      expect(fake.last().body.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL });
      expect(response.status).toBe('completed');
      expect(response.output.map((o) => o.type)).toEqual(['message']);
      expect(response.output_text).toBe('{"city":"Echo: Oslo","population":42}');
      expect(response.output_parsed).toEqual({ city: 'Echo: Oslo', population: 42 });
      expect(response.text?.format).toMatchObject({ type: 'json_schema', name: 'city' });
      expect(response.usage).toMatchObject({ input_tokens: 21, output_tokens: 9, total_tokens: 30 });
    });

    it('streamed: output_text deltas carry the JSON, no function_call items, response.completed', async () => {
      const stream = await client.responses.create({ model: 'claude-drop', input: 'Bergen', text, stream: true });
      const events: ResponseStreamEvent[] = [];
      for await (const e of stream) events.push(e);

      expect(fake.last().body).toMatchObject({ stream: true, tool_choice: { type: 'tool', name: JSON_TOOL } });
      const types = events.map((e) => e.type);
      expect(types.filter((t) => t.startsWith('response.function_call'))).toEqual([]);
      const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => (e as { delta: string }).delta);
      expect(deltas.length).toBeGreaterThan(1);
      expect(JSON.parse(deltas.join(''))).toEqual({ city: 'Echo: Bergen', population: 42 });
      const last = events[events.length - 1];
      if (last.type !== 'response.completed') throw new Error(`expected response.completed, got ${last.type}`);
      expect(last.response.output).toHaveLength(1);
      expect(last.response.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text' }] });
      expect(JSON.parse((last.response.output[0] as { content: { text: string }[] }).content[0].text)).toEqual({ city: 'Echo: Bergen', population: 42 });
    });

    it('a malformed schema is a 400 naming text.format, before Anthropic is called', async () => {
      const err = await client.responses
        .create({ model: 'claude', input: 'hi', text: { format: { type: 'json_schema', name: 'x', schema: 'nope' as unknown as Record<string, unknown> } } })
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).param).toBe('text.format');
      expect((err as BadRequestError).message).toContain("'response_format' comes from 'text.format'");
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('Vercel AI SDK', () => {
    const weather = tool({
      description: 'Current weather for a city',
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      execute: async ({ city }) => `${city}: 18C`,
    });

    it("generateText and streamText on openai('claude') (Responses API)", async () => {
      const generated = await generateText({ model: vercel('claude'), system: 'Be brief.', prompt: 'hi' });
      expect(generated.text).toBe('Echo: hi');
      expect(fake.last().body).toMatchObject({ system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] });

      const streamed = streamText({ model: vercel('claude'), prompt: 'stream me' });
      expect(await streamed.text).toBe('Echo: stream me');
      expect((await streamed.usage).inputTokens).toBe(21);
    });

    it("streamText with a tool loop on openai('claude')", async () => {
      fake.enqueue({
        message: {
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', id: 'toolu_03', name: 'weather', input: { city: 'Oslo' } },
          ],
        },
      });
      const result = streamText({ model: vercel('claude'), prompt: 'Weather in Oslo?', tools: { weather }, stopWhen: stepCountIs(3) });
      expect(await result.text).toBe('The tools said: Oslo: 18C');
      const steps = await result.steps;
      expect(steps).toHaveLength(2);
      expect(steps[0].text).toBe('Let me look.');
      expect(fake.requests).toHaveLength(2);
      expect(fake.requests[1].body.messages[1]).toEqual({
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_03', name: 'weather', input: { city: 'Oslo' } },
        ],
      });
    });

    it('reasoning reaches reasoningText, and the item_reference the next step sends for it resolves', async () => {
      const thinking = { type: 'thinking', thinking: 'Check before answering.', signature: 'sig_fake' };
      fake.enqueue({ message: { content: [thinking, { type: 'text', text: 'Paris.' }] } });
      const generated = await generateText({ model: vercel('claude'), prompt: 'Capital of France?' });
      expect(generated.reasoningText).toBe('Check before answering.');
      expect(generated.text).toBe('Paris.');

      fake.reset();
      fake.enqueue({ message: { content: [thinking, { type: 'tool_use', id: 'toolu_05', name: 'weather', input: { city: 'Oslo' } }] } });
      const result = streamText({ model: vercel('claude'), prompt: 'Weather in Oslo?', tools: { weather }, stopWhen: stepCountIs(3) });
      expect(await result.text).toBe('The tools said: Oslo: 18C');
      const steps = await result.steps;
      expect(steps[0].reasoningText).toBe('Check before answering.');
      // Step two refers to the step-one items by id (store is on): a reference the gateway could not resolve would be a 400.
      expect(fake.requests).toHaveLength(2);
      expect(fake.requests[1].body.messages[1]).toEqual({
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_05', name: 'weather', input: { city: 'Oslo' } }],
      });
    });

    it("generateObject on openai('claude') and openai.chat('claude')", async () => {
      const schema = jsonSchema<{ title: string; year: number }>({
        type: 'object',
        properties: { title: { type: 'string' }, year: { type: 'integer' } },
        required: ['title', 'year'],
        additionalProperties: false,
      });
      const viaResponses = await generateObject({ model: vercel('claude'), schema, prompt: 'Film' });
      expect(viaResponses.object).toEqual({ title: 'Echo: Film', year: 42 });
      expect(fake.last().body.tool_choice).toEqual({ type: 'tool', name: 'switchboard_json_response' });

      const viaChat = await generateObject({ model: vercel.chat('claude'), schema, prompt: 'Book' });
      expect(viaChat.object).toEqual({ title: 'Echo: Book', year: 42 });
      expect(fake.last().body.tools[0].input_schema).toMatchObject({ required: ['title', 'year'] });
    });

    it("generateText and streamText on openai.chat('claude')", async () => {
      const generated = await generateText({ model: vercel.chat('claude'), prompt: 'hi' });
      expect(generated.text).toBe('Echo: hi');
      const streamed = streamText({ model: vercel.chat('claude'), prompt: 'stream me' });
      expect(await streamed.text).toBe('Echo: stream me');
    });
  });
});
