import { createOpenAI } from '@ai-sdk/openai';
import type { OpenAIProvider } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { FakeUpstream, PROVIDER_PREFIXES, ScriptedReply } from './helpers/fake-upstream.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * The Vercel AI SDK against bridged models. Its default OpenAI provider speaks the Responses
 * API (and validates every streamed event against its own schema); `.chat()` speaks Chat
 * Completions. Both must work on a provider that only has /chat/completions.
 */
describe('Vercel AI SDK against a chat-only provider (e2e)', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let openai: OpenAIProvider;

  const UPSTREAM_MODEL = 'Qwen/Qwen2.5-7B-Instruct';
  const weather = tool({
    description: 'Current weather for a city',
    inputSchema: jsonSchema<{ city: string }>({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    }),
    execute: async ({ city }) => ({ city, celsius: 18 }),
  });

  const chunk = (delta: object, finish: string | null = null) => ({
    id: 'chatcmpl-v',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: UPSTREAM_MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

  const toolCallReply: ScriptedReply = {
    body: {
      id: 'chatcmpl-t',
      object: 'chat.completion',
      created: 1700000000,
      model: UPSTREAM_MODEL,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
    },
  };

  const toolCallStream: ScriptedReply = {
    sse: [
      chunk({ role: 'assistant', content: 'Checking' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_w2', type: 'function', function: { name: 'weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Rome"}' } }] }),
      chunk({}, 'tool_calls'),
      { ...chunk({}), choices: [], usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 } },
      '[DONE]',
    ],
  };

  beforeAll(async () => {
    upstream = await FakeUpstream.start({ rejectPrefixes: PROVIDER_PREFIXES });
    gw = await startGateway(`
model_list:
  - model_name: qwen
    litellm_params: { model: hosted_vllm/${UPSTREAM_MODEL}, api_base: ${upstream.url}/v1, api_key: sk-vllm }
router_settings:
  num_retries: 0
  model_group_alias: { assistant: qwen }
`);
    openai = createOpenAI({ baseURL: gw.baseURL, apiKey: 'unused' });
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  describe("openai('qwen'): the Responses API, bridged", () => {
    it('generateText', async () => {
      const result = await generateText({ model: openai('qwen'), system: 'Be brief.', prompt: 'hi', maxOutputTokens: 100 });

      expect(upstream.requests).toHaveLength(1);
      expect(upstream.last().path).toBe('/v1/chat/completions');
      expect(upstream.last().body).toMatchObject({
        model: UPSTREAM_MODEL,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
        ],
        max_tokens: 100,
      });
      expect(result.text).toBe('Hello from the fake upstream');
      expect(result.finishReason).toBe('stop');
      expect(result.usage.inputTokens).toBe(5);
      expect(result.usage.outputTokens).toBe(6);
      expect(result.response.modelId).toBe('qwen');
    });

    it('streamText', async () => {
      const result = streamText({ model: openai('qwen'), prompt: 'hi' });
      const pieces: string[] = [];
      for await (const piece of result.textStream) pieces.push(piece);

      expect(pieces.join('')).toBe('Hello!');
      expect(await result.finishReason).toBe('stop');
      expect(upstream.last().path).toBe('/v1/chat/completions');
      expect(upstream.last().body).toMatchObject({ model: UPSTREAM_MODEL, stream: true, stream_options: { include_usage: true } });
    });

    it('generateText with a tool: the call, its result and the earlier text reach the chat model', async () => {
      upstream.enqueue(toolCallReply);
      const result = await generateText({
        model: openai('qwen'),
        prompt: 'Weather in Paris?',
        tools: { weather },
        stopWhen: stepCountIs(3),
      });

      expect(result.steps).toHaveLength(2);
      expect(result.steps[0].toolCalls).toEqual([expect.objectContaining({ toolName: 'weather', toolCallId: 'call_w1', input: { city: 'Paris' } })]);
      expect(result.text).toBe('Hello from the fake upstream');
      expect(upstream.requests).toHaveLength(2);
      expect(upstream.requests[0].body.tools).toEqual([
        { type: 'function', function: expect.objectContaining({ name: 'weather', parameters: expect.objectContaining({ required: ['city'] }) }) },
      ]);
      // The SDK refers to its earlier text by item id (it assumes a stored response); the
      // bridge resolves the reference, so the model sees its own words again.
      expect(upstream.requests[1].body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_w1', content: JSON.stringify({ city: 'Paris', celsius: 18 }) },
      ]);
    });

    it('streamText with a tool: streamed call arguments, then the follow-up step', async () => {
      upstream.enqueue(toolCallStream);
      const result = streamText({ model: openai('qwen'), prompt: 'Weather in Rome?', tools: { weather }, stopWhen: stepCountIs(3) });
      const text = await result.text;
      const steps = await result.steps;

      expect(steps).toHaveLength(2);
      expect(steps[0].text).toBe('Checking');
      expect(steps[0].toolCalls).toEqual([expect.objectContaining({ toolName: 'weather', toolCallId: 'call_w2', input: { city: 'Rome' } })]);
      expect(steps[0].usage.inputTokens).toBe(20);
      expect(text).toBe('Hello!');
      expect(upstream.requests[1].body.messages).toEqual([
        { role: 'user', content: 'Weather in Rome?' },
        {
          role: 'assistant',
          content: 'Checking',
          tool_calls: [{ id: 'call_w2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_w2', content: JSON.stringify({ city: 'Rome', celsius: 18 }) },
      ]);
    });

    it('an unsupported built-in tool surfaces as the 400 from the gateway', async () => {
      await expect(
        generateText({ model: openai('qwen'), prompt: 'search', tools: { web_search: openai.tools.webSearch({}) } as never }),
      ).rejects.toThrow(/Unsupported parameter 'tools\[0\]'/);
      expect(upstream.requests).toHaveLength(0);
    });
  });

  describe("openai.chat('qwen'): Chat Completions", () => {
    it('generateText', async () => {
      const result = await generateText({ model: openai.chat('qwen'), prompt: 'hi' });
      expect(result.text).toBe('Hello from the fake upstream');
      expect(upstream.last().path).toBe('/v1/chat/completions');
      expect(upstream.last().body).toMatchObject({ model: UPSTREAM_MODEL, messages: [{ role: 'user', content: 'hi' }] });
      expect(result.response.modelId).toBe('qwen');
    });

    it('streamText', async () => {
      const result = streamText({ model: openai.chat('qwen'), prompt: 'hi' });
      expect(await result.text).toBe('Hello!');
      expect(upstream.last().body).toMatchObject({ model: UPSTREAM_MODEL, stream: true });
    });

    it('streamText with a tool round trip', async () => {
      upstream.enqueue(toolCallStream);
      const result = streamText({ model: openai.chat('qwen'), prompt: 'Weather in Rome?', tools: { weather }, stopWhen: stepCountIs(3) });
      // `text` is the last step's; the first step said 'Checking' before calling the tool.
      expect(await result.text).toBe('Hello!');
      expect((await result.steps)[0].text).toBe('Checking');
      expect((await result.steps)[0].toolCalls).toEqual([expect.objectContaining({ toolName: 'weather', input: { city: 'Rome' } })]);
      expect(upstream.requests[1].body.messages).toContainEqual({ role: 'tool', tool_call_id: 'call_w2', content: JSON.stringify({ city: 'Rome', celsius: 18 }) });
    });
  });

  describe("a router_settings.model_group_alias name ('assistant' → qwen)", () => {
    it('generateText over the bridged Responses API: the upstream gets its own model id, the client its alias', async () => {
      const result = await generateText({ model: openai('assistant'), prompt: 'hi' });
      expect(result.text).toBe('Hello from the fake upstream');
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.last().path).toBe('/v1/chat/completions');
      expect(upstream.last().body.model).toBe(UPSTREAM_MODEL);
      expect(result.response.modelId).toBe('assistant');
    });

    it('streamText over Chat Completions', async () => {
      const result = streamText({ model: openai.chat('assistant'), prompt: 'hi' });
      expect(await result.text).toBe('Hello!');
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.last().body.model).toBe(UPSTREAM_MODEL);
      expect((await result.response).modelId).toBe('assistant');
    });
  });
});
