import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { parseSse } from './helpers/assertions.js';
import { FakeGoogle, googleError } from './helpers/fake-google.js';
import { leaveStreamAfterFirstChunk, rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * Google AI Studio's Gemini API behind every endpoint: the openai SDK (and the AI SDK) talk to
 * the gateway, which talks to a fake generativelanguage API that checks x-goog-api-key.
 */
describe('Gemini provider (e2e, openai SDK → gateway → fake Gemini API)', () => {
  let google: FakeGoogle;
  let busy: FakeGoogle;
  let gw: RunningGateway;
  let client: OpenAI;
  const weather: ChatCompletionTool = {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
  };

  beforeAll(async () => {
    google = await FakeGoogle.start();
    busy = await FakeGoogle.start();
    process.env.GEMINI_API_KEY = google.apiKey;
    gw = await startGateway(`
model_list:
  - model_name: gem
    litellm_params: { model: gemini/gemini-2.5-flash, api_base: ${google.url}/v1beta, api_key: ${google.apiKey} }
  - model_name: gem-embed
    litellm_params: { model: gemini/gemini-embedding-001, api_base: ${google.url}/v1beta, api_key: ${google.apiKey} }
  - model_name: gem-env-key
    litellm_params: { model: gemini/models/gemini-2.5-flash-lite, api_base: ${google.url}/v1beta }
  - model_name: gem-wrong-key
    litellm_params: { model: gemini/gemini-2.5-flash, api_base: ${google.url}/v1beta, api_key: AIza-wrong }
  - model_name: gem-pool
    litellm_params: { model: gemini/gemini-2.5-flash, api_base: ${busy.url}/v1beta, api_key: ${busy.apiKey} }
    model_info: { id: pool-busy }
  - model_name: gem-pool
    litellm_params: { model: gemini/gemini-2.5-flash, api_base: ${google.url}/v1beta, api_key: ${google.apiKey} }
    model_info: { id: pool-ok }
router_settings:
  num_retries: 2
  retry_after: 0.01
  allowed_fails: 0
  cooldown_time: 60
  model_group_alias: { flash: gem }
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await google.close();
    await busy.close();
    delete process.env.GEMINI_API_KEY;
  });

  beforeEach(() => {
    google.reset();
    busy.reset();
  });

  it('chat through an alias: generateContent with the key in x-goog-api-key, the alias echoed back', async () => {
    const completion = await client.chat.completions.create({
      model: 'flash',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      temperature: 0.1,
      max_tokens: 50,
    });
    const sent = google.last();
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe(google.apiKey);
    expect(sent.query).toBe('');
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0.1, maxOutputTokens: 50 },
    });
    expect(completion.model).toBe('flash');
    expect(completion.choices[0].message.content).toBe('Hello from Gemini');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('GEMINI_API_KEY never goes to an api_base the config named without a key: the deployment is misconfigured, the fake untouched', async () => {
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'gem-env-key', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.body.error.message).toMatch(/no API key/);
    expect(google.requests).toHaveLength(0);
  });

  it('streams through streamGenerateContent?alt=sse, with usage when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'gem', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown;
    const finishes: (string | null)[] = [];
    for await (const chunk of stream) {
      expect(chunk.model).toBe('gem');
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(google.last().path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(google.last().query).toBe('alt=sse');
    expect(text).toBe('Hello from Gemini');
    expect(finishes).toEqual(['stop']);
    expect(usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3 });
  });

  it('tools over two turns: functionDeclarations, a functionCall back as tool_calls, the result as functionResponse with its signature', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'gem', messages, tools: [weather], tool_choice: 'required' });
    expect(google.last().body.tools).toEqual([
      { functionDeclarations: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] },
    ]);
    expect(google.last().body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    const call = first.choices[0].message.tool_calls![0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });

    messages.push(first.choices[0].message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: '{"celsius":18}' });
    const second = await client.chat.completions.create({ model: 'gem', messages, tools: [weather] });
    expect(google.last().body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnLTE=' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { celsius: 18 } } }] },
    ]);
    expect(second.choices[0].message.content).toBe('Result: {"celsius":18}');
  });

  it('/v1/responses is bridged through chat', async () => {
    const response = await client.responses.create({ model: 'gem', input: 'Hi', instructions: 'Be brief.' });
    expect(google.last().path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(google.last().body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(response.output_text).toBe('Hello from Gemini');
    expect(response.model).toBe('gem');
  });

  it('/v1/messages is bridged: an Anthropic client gets an Anthropic message', async () => {
    const res = await rawPost(`${gw.url}/v1/messages`, { model: 'gem', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }, { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'message', role: 'assistant', model: 'gem', content: [{ type: 'text', text: 'Hello from Gemini' }], stop_reason: 'end_turn' });
    expect(google.last().body.generationConfig).toEqual({ maxOutputTokens: 100 });
  });

  it('embeddings: embedContent for one input, batchEmbedContents for several, dimensions → outputDimensionality', async () => {
    const one = await client.embeddings.create({ model: 'gem-embed', input: 'hello', dimensions: 3 });
    expect(google.last().path).toBe('/v1beta/models/gemini-embedding-001:embedContent');
    expect(google.last().body).toEqual({ content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3 });
    // The SDK asks for base64 by default: the float32 bytes, decoded by the SDK.
    expect(one.data[0].embedding.map((x) => Math.round(x * 1000) / 1000)).toEqual([0.1, 0.2, 0.3]);
    expect(one.model).toBe('gem-embed');

    const many = await client.embeddings.create({ model: 'gem-embed', input: ['a', 'b'], encoding_format: 'float' });
    expect(google.last().path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(google.last().body.requests).toEqual([
      { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
      { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
    ]);
    expect(many.data.map((d) => d.index)).toEqual([0, 1]);
  });

  it('a rejected key is passed on as the upstream 4xx, without the key', async () => {
    const err = await client.chat.completions.create({ model: 'gem-wrong-key', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(400);
    expect((err as APIError).message).toMatch(/API key not valid/);
    expect(JSON.stringify((err as APIError).error)).not.toContain('AIza-wrong');
  });

  it('RESOURCE_EXHAUSTED is retried on the other deployment, and the exhausted one cools down', async () => {
    busy.always = { status: 429, body: googleError(429, 'Quota exceeded for metric generate_content_requests', 'RESOURCE_EXHAUSTED', [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' },
    ]) };
    const call = () => client.chat.completions.create({ model: 'gem-pool', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    // Until the shuffle has tried the exhausted deployment once: every answer still comes from the healthy one.
    for (let i = 0; i < 40 && busy.requests.length === 0; i++) expect((await call()).response.headers.get('x-switchboard-deployment')).toBe('pool-ok');
    expect(busy.requests).toHaveLength(1);
    // Cooling down: no more attempts on it.
    for (let i = 0; i < 5; i++) expect((await call()).response.headers.get('x-switchboard-deployment')).toBe('pool-ok');
    expect(busy.requests).toHaveLength(1);
  });

  it('a RESOURCE_EXHAUSTED with nowhere else to go is a 429 with the RetryInfo delay as Retry-After', async () => {
    google.enqueue(...Array.from({ length: 3 }, () => ({ status: 429, body: googleError(429, 'Quota exceeded', 'RESOURCE_EXHAUSTED', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '120s' }]) })));
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'gem-embed', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(429);
    expect(res.body.error.message).toMatch(/Quota exceeded/);
    expect(res.headers.get('retry-after')).toBe('120');
  });

  it('an error in the middle of a stream ends it with an error event, not a silent cut', async () => {
    google.enqueue({
      sse: [
        { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'Hel' }] } }] },
        googleError(503, 'The model is overloaded. Please try again later.', 'UNAVAILABLE'),
      ],
    });
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'gem-embed', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    expect(res.status).toBe(200);
    const events = parseSse(res.text);
    expect(events.some((e) => e.data.includes('"Hel"'))).toBe(true);
    const last = JSON.parse(events[events.length - 1].data);
    expect(last.error.message).toMatch(/overloaded/);
    expect(res.text).not.toContain('[DONE]');
  });

  it('a client that goes away mid-stream closes the upstream connection', async () => {
    google.enqueue({ sse: [{ candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'Hel' }] } }] }], stall: true });
    await leaveStreamAfterFirstChunk(gw.url, { model: 'gem', messages: [{ role: 'user', content: 'Hi' }] });
    await google.waitForClientAborts(1, 2000);
  });

  it('the Vercel AI SDK (chat provider) gets its text from a Gemini deployment', async () => {
    const provider = createOpenAI({ baseURL: gw.baseURL, apiKey: 'unused' });
    const { text, usage } = await generateText({ model: provider.chat('gem'), prompt: 'Hi' });
    expect(text).toBe('Hello from Gemini');
    expect(usage.inputTokens).toBe(7);
    // The default provider speaks the Responses API, bridged to chat and streamed.
    const streamed = streamText({ model: provider('gem'), prompt: 'Hi' });
    expect(await streamed.text).toBe('Hello from Gemini');
    expect(google.last().path).toMatch(/:streamGenerateContent$/);
  });
});
