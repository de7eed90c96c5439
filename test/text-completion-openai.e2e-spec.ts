import OpenAI from 'openai';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * `text-completion-openai/<model>` deployments: the gateway's /v1/chat/completions (and the
 * bridges on top of it) are served by OpenAI's legacy /v1/completions, translated both ways.
 */
describe('text-completion-openai on /v1/completions', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  const completion = (text: string, finish = 'stop') => ({
    id: 'cmpl-e2e1',
    object: 'text_completion',
    created: 1700000300,
    model: 'gpt-3.5-turbo-instruct',
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
  });
  const chunk = (text: string, finish: string | null = null) => ({
    id: 'cmpl-e2e2', object: 'text_completion', created: 1700000301, model: 'gpt-3.5-turbo-instruct',
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
  });

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startGateway(`
model_list:
  - model_name: instruct
    litellm_params:
      model: text-completion-openai/gpt-3.5-turbo-instruct
      api_base: "${upstream.url}/v1"
      api_key: sk-instruct-123456
  - model_name: instruct-inferred
    litellm_params:
      model: gpt-3.5-turbo-instruct
      api_base: "${upstream.url}/v1"
      api_key: sk-instruct-123456
router_settings:
  num_retries: 0
`, {});
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  it('a chat request goes out as a completion (prompt, max_tokens, key) and comes back as chat', async () => {
    upstream.enqueue({ body: completion(' Paris.') });
    const res = await client.chat.completions.create({
      model: 'instruct',
      messages: [{ role: 'system', content: 'Answer in one word.' }, { role: 'user', content: 'Capital of France?' }],
      max_completion_tokens: 5,
      temperature: 0,
    });
    const req = upstream.last();
    expect(req.path).toBe('/v1/completions');
    expect(req.headers.authorization).toBe('Bearer sk-instruct-123456');
    expect(req.body).toEqual({ model: 'gpt-3.5-turbo-instruct', prompt: 'Answer in one word.\n\nCapital of France?', max_tokens: 5, temperature: 0 });
    expect(res.model).toBe('instruct');
    expect(res.object).toBe('chat.completion');
    expect(res.id).toBe('chatcmpl-e2e1');
    expect(res.choices[0].message).toMatchObject({ role: 'assistant', content: ' Paris.' });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('streams: chunks with role first, text deltas, finish and usage, then the stream ends', async () => {
    upstream.enqueue({
      sse: [chunk('Bon'), chunk('jour'), chunk('', 'stop'), { ...chunk(''), choices: [], usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } }, '[DONE]'],
    });
    const stream = await client.chat.completions.create({ model: 'instruct', messages: [{ role: 'user', content: 'Hello in French' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(upstream.last().body).toMatchObject({ stream: true, stream_options: { include_usage: true }, prompt: 'Hello in French' });
    expect(chunks.every((c) => c.model === 'instruct' && c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Bon' });
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Bonjour');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
    expect(chunks[chunks.length - 1].usage).toEqual({ prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  });

  it('gpt-3.5-turbo-instruct without a prefix is inferred as text-completion-openai, as LiteLLM does', async () => {
    upstream.enqueue({ body: completion('ok') });
    const res = await client.chat.completions.create({ model: 'instruct-inferred', messages: [{ role: 'user', content: 'x' }] });
    expect(upstream.last().path).toBe('/v1/completions');
    expect(res.choices[0].message.content).toBe('ok');
  });

  it('an upstream 4xx keeps its status and message', async () => {
    upstream.enqueue({ status: 400, body: { error: { message: 'This model has a maximum context length of 4097 tokens', type: 'invalid_request_error', code: 'context_length_exceeded' } } });
    const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'instruct', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('maximum context length');
  });

  it('chat-only fields are refused with 400 naming them, before any upstream call', async () => {
    const res = await rawPost(`${gw.baseURL}/chat/completions`, {
      model: 'instruct',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("'tools'");
    expect(upstream.requests).toHaveLength(0);
  });

  it('embeddings are refused with 400 (a completions model has none)', async () => {
    const res = await rawPost(`${gw.baseURL}/embeddings`, { model: 'instruct', input: 'x' });
    expect(res.status).toBe(400);
    expect(upstream.requests).toHaveLength(0);
  });

  it('/v1/responses is served through the chat bridge on the same /v1/completions call', async () => {
    upstream.enqueue({ body: completion('Bridged.') });
    const res = await client.responses.create({ model: 'instruct', input: 'Say bridged' });
    expect(upstream.last().path).toBe('/v1/completions');
    expect(upstream.last().body.prompt).toBe('Say bridged');
    expect(res.output_text).toBe('Bridged.');
  });
});
