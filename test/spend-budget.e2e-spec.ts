import OpenAI, { RateLimitError } from 'openai';
import { FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { admin, AdminGateway, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * Spend end to end: cost from usage and model_info prices (JSON and streamed, Responses and
 * embeddings too), budgets, budget periods, /spend/logs, and that queued spend survives a close.
 */
const IN = 0.001;
const OUT = 0.002;
// The fake upstream reports 5 prompt + 6 completion tokens.
const CHAT_COST = 5 * IN + 6 * OUT; // 0.017

function yaml(up: FakeUpstream): string {
  return `
model_list:
  - model_name: priced
    litellm_params: { model: openai/priced-up, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
    model_info: { id: priced-1, input_cost_per_token: ${IN}, output_cost_per_token: ${OUT} }
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
  - model_name: quiet
    litellm_params: { model: mistral/quiet-up, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
    model_info: { input_cost_per_token: ${IN}, output_cost_per_token: ${OUT} }
general_settings:
  master_key: ${MASTER_KEY}
`;
}

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'priced-up', choices, ...extra });
const usageStream = () => ({
  sse: [
    chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunk([], { usage: { prompt_tokens: 100, completion_tokens: 200, total_tokens: 300 } }),
    '[DONE]',
  ],
});

describeBackends('spend and budgets', (backend) => {
  let store: TestStore;
  let up: FakeUpstream;
  let gw: AdminGateway;

  beforeAll(async () => {
    store = await backend.create();
    up = await FakeUpstream.start();
    gw = await startAdminGateway(yaml(up), store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await store?.dispose();
  });

  beforeEach(() => up.reset());

  async function generate(body: Record<string, unknown> = {}): Promise<{ key: string; token: string }> {
    const res = await admin(gw, 'POST', '/key/generate', body);
    expect(res.status).toBe(200);
    return { key: res.body.key, token: res.body.token };
  }
  const client = (key: string) => new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
  const chat = (key: string, model = 'priced') => client(key).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  const info = async (token: string) => (await admin(gw, 'GET', `/key/info?key=${token}`)).body.info;

  it('charges tokens x model_info prices; the request that crosses max_budget passes, the next gets 429 budget_exceeded', async () => {
    const { key, token } = await generate({ max_budget: 0.03 });
    await chat(key);
    expect((await info(token)).spend).toBeCloseTo(CHAT_COST, 9);
    await chat(key); // 0.017 < 0.03 when it starts; it crosses the budget
    expect((await info(token)).spend).toBeCloseTo(2 * CHAT_COST, 9);
    const err = await chat(key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).status).toBe(429);
    expect((err as RateLimitError).error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded' });
    // No budget_duration: the budget never resets, so there is no time worth waiting for.
    expect((err as RateLimitError).headers.get('retry-after')).toBeNull();
    expect((err as RateLimitError).headers.get('x-should-retry')).toBe('false');
    expect(up.requests).toHaveLength(2);

    // Raising the budget lets the key through again.
    expect((await admin(gw, 'POST', '/key/update', { key: token, max_budget: 1 })).status).toBe(200);
    await chat(key);
  });

  it('the openai SDK, with its default retries, does not retry a budget refusal', async () => {
    const { key } = await generate({ max_budget: 0.01 });
    await chat(key); // crosses the budget
    let calls = 0;
    const sdk = new OpenAI({
      baseURL: gw.baseURL,
      apiKey: key,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    expect(sdk.maxRetries).toBe(2);
    const err = await sdk.chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).error).toMatchObject({ code: 'budget_exceeded' });
    expect(calls).toBe(1);
    expect(up.requests).toHaveLength(1);
  });

  it('charges streams from the usage chunk it asks the provider for, without passing that chunk to a client that did not ask', async () => {
    const { key, token } = await generate({ max_budget: 0.5 });
    up.enqueue(usageStream());
    const stream = await client(key).chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(up.last().body.stream_options).toEqual({ include_usage: true });
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('Hi');
    const cost = 100 * IN + 200 * OUT; // 0.5: exactly the budget
    expect((await info(token)).spend).toBeCloseTo(cost, 9);
    await expect(chat(key)).rejects.toMatchObject({ status: 429, error: expect.objectContaining({ code: 'budget_exceeded' }) });

    // A client that asked for usage gets the chunk.
    up.enqueue(usageStream());
    const withUsage = await client(MASTER_KEY).chat.completions.create({ model: 'priced', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const last = [];
    for await (const c of withUsage) last.push(c);
    expect(last.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 300 } });
  });

  it('charges a stream without reported usage on counted tokens (provider not asked for usage)', async () => {
    const { key, token } = await generate();
    const stream = await client(key).chat.completions.create({ model: 'quiet', messages: [{ role: 'user', content: 'hello there, how are you' }], stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello!');
    expect(up.last().body.stream_options).toBeUndefined(); // mistral is not sent stream_options
    const logs = (await admin(gw, 'GET', `/spend/logs?api_key=${token}`)).body;
    expect(logs.data).toHaveLength(1);
    expect(logs.data[0]).toMatchObject({ usage_source: 'estimated', stream: true, model: 'quiet', call_type: 'chat' });
    expect(logs.data[0].prompt_tokens).toBeGreaterThan(5);
    expect(logs.data[0].completion_tokens).toBeGreaterThan(0);
    expect(logs.data[0].spend).toBeGreaterThan(0);
  });

  it('charges Responses (JSON and streamed) and embeddings; the bundled price table covers well-known models', async () => {
    const { key, token } = await generate();
    const c = client(key);
    await c.responses.create({ model: 'priced', input: 'hi' });
    const stream = await c.responses.create({ model: 'priced', input: 'hi', stream: true });
    for await (const e of stream) void e;
    await c.embeddings.create({ model: 'priced', input: 'x' });
    await chat(key, 'gpt-4o');
    const logs = (await admin(gw, 'GET', `/spend/logs?api_key=${key}`)).body;
    expect(logs.total).toBe(4);
    const byType = logs.data.map((l: any) => [l.call_type, l.stream, l.prompt_tokens, l.completion_tokens, l.usage_source]).sort();
    expect(byType).toEqual([
      ['chat', false, 5, 6, 'upstream'],
      ['embeddings', false, 3, 0, 'upstream'],
      ['responses', false, 5, 6, 'upstream'],
      ['responses', true, 5, 6, 'upstream'],
    ]);
    const gpt = logs.data.find((l: any) => l.model === 'gpt-4o');
    expect(gpt.spend).toBeCloseTo(5 * 2.5e-6 + 6 * 10e-6, 12);
    const total = logs.data.reduce((s: number, l: any) => s + l.spend, 0);
    expect((await info(token)).spend).toBeCloseTo(total, 9);
    expect((await info(token)).total_spend).toBeCloseTo(total, 9);
  });

  it('/spend/logs is paged and filtered', async () => {
    const { key, token } = await generate();
    for (let i = 0; i < 5; i++) await chat(key);
    const page1 = (await admin(gw, 'GET', `/spend/logs?api_key=${token}&page_size=2`)).body;
    const page3 = (await admin(gw, 'GET', `/spend/logs?api_key=${token}&page_size=2&page=3`)).body;
    expect(page1).toMatchObject({ total: 5, page: 1, page_size: 2, total_pages: 3 });
    expect(page1.data).toHaveLength(2);
    expect(page3.data).toHaveLength(1);
    expect(page1.data[0]).toMatchObject({ api_key: token, model: 'priced', model_group: 'priced', model_id: 'priced-1', custom_llm_provider: 'openai', upstream_model: 'priced-up' });
    expect(JSON.stringify(page1)).not.toContain(key);
    const byRequest = (await admin(gw, 'GET', `/spend/logs?request_id=${page1.data[0].request_id}`)).body;
    expect(byRequest.data.map((d: any) => d.request_id)).toEqual([page1.data[0].request_id]);
    const future = (await admin(gw, 'GET', `/spend/logs?api_key=${token}&start_date=2999-01-01`)).body;
    expect(future.total).toBe(0);
    expect((await admin(gw, 'GET', '/spend/logs?page=0')).status).toBe(400);
  });

  it('budget_duration starts a new budget period', async () => {
    const { key, token } = await generate({ max_budget: 0.01, budget_duration: '2s' });
    await chat(key);
    const err = await chat(key).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429 });
    const retryAfter = Number((err as RateLimitError).headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect((err as RateLimitError).headers.get('x-should-retry')).toBe('false');
    await sleep(2100);
    await chat(key);
    const after = await info(token);
    expect(after.spend).toBeCloseTo(CHAT_COST, 9);
    expect(after.total_spend).toBeCloseTo(2 * CHAT_COST, 9);
  });

  it('spend queued at close is written, not lost', async () => {
    const { key, token } = await generate();
    await chat(key);
    await gw.close();
    gw = await startAdminGateway(yaml(up), store.location);
    expect((await info(token)).spend).toBeCloseTo(CHAT_COST, 9);
    expect((await admin(gw, 'GET', `/spend/logs?api_key=${token}`)).body.total).toBe(1);
  });
});
