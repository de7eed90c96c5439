import OpenAI from 'openai';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { parseConfigText } from '../src/config/config-loader.js';
import { chatStream, FakeUpstream } from './helpers/fake-upstream.js';
import { metricValue, OpsGateway, scrape, startOpsGateway } from './helpers/ops-gateway.js';

/** /metrics after real traffic: every counter moves by exactly what was sent. */
describe('ops: metrics', () => {
  let upstream: FakeUpstream;
  let gw: OpsGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startOpsGateway(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-upstream }
    model_info: { id: dep-m }
  - model_name: emb
    litellm_params: { model: openai/text-embedding-3-small, api_base: ${upstream.url}/v1, api_key: sk-upstream }
    model_info: { id: dep-emb }
router_settings:
  model_group_alias: { alias-m: m }
  num_retries: 0
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  const chatRoute = { route: '/v1/chat/completions', model: 'm', provider: 'openai', status: '200' };

  it('counts requests, errors by code, tokens, latencies and time to first token', async () => {
    const before = await scrape(gw.url);
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await client.chat.completions.create({ model: 'alias-m', messages: [{ role: 'user', content: 'hi' }] });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const _ of stream) void _;
    await client.embeddings.create({ model: 'emb', input: 'hello' });
    await expect(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow();
    upstream.enqueue({ status: 500, body: { error: { message: 'boom' } } });
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 20));
    const after = await scrape(gw.url);
    const delta = (name: string, labels: Record<string, string> = {}) => metricValue(after, name, labels) - metricValue(before, name, labels);

    expect(delta('switchboard_requests_total', chatRoute)).toBe(3);
    expect(delta('switchboard_requests_total', { route: '/v1/embeddings', model: 'emb', status: '200' })).toBe(1);
    expect(delta('switchboard_requests_total', { route: '/v1/chat/completions', model: '', status: '404' })).toBe(1);
    expect(delta('switchboard_requests_total', { route: '/v1/chat/completions', model: 'm', status: '502' })).toBe(1);
    expect(delta('switchboard_request_errors_total', { route: '/v1/chat/completions', code: 'model_not_found' })).toBe(1);
    expect(delta('switchboard_request_errors_total', { route: '/v1/chat/completions', model: 'm', code: 'upstream_error' })).toBe(1);
    // The fake answers 5 prompt + 6 completion tokens per chat call and 3 per embedding.
    expect(delta('switchboard_tokens_total', { model: 'm', provider: 'openai', type: 'prompt' })).toBe(10);
    expect(delta('switchboard_tokens_total', { model: 'm', provider: 'openai', type: 'completion' })).toBe(12);
    expect(delta('switchboard_tokens_total', { model: 'emb', provider: 'openai', type: 'prompt' })).toBe(3);
    expect(delta('switchboard_request_duration_seconds_count', { route: '/v1/chat/completions', model: 'm' })).toBe(4);
    expect(delta('switchboard_upstream_duration_seconds_count', { model: 'm', provider: 'openai' })).toBe(3);
    expect(delta('switchboard_time_to_first_token_seconds_count', { model: 'm', provider: 'openai' })).toBe(1);
    expect(delta('switchboard_gateway_overhead_seconds_count', { route: '/v1/chat/completions' })).toBe(3);
  });

  it('counts usage reported at the end of a stream', async () => {
    const before = await scrape(gw.url);
    const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o' };
    upstream.enqueue({
      sse: [
        { ...base, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }], usage: null },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null },
        { ...base, choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } },
        '[DONE]',
      ],
    });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) void _;
    await new Promise((r) => setTimeout(r, 20));
    const after = await scrape(gw.url);
    const delta = (labels: Record<string, string>) =>
      metricValue(after, 'switchboard_tokens_total', labels) - metricValue(before, 'switchboard_tokens_total', labels);
    expect(delta({ model: 'm', type: 'prompt' })).toBe(7);
    expect(delta({ model: 'm', type: 'completion' })).toBe(2);
  });

  it('shows requests in flight while a stream is open', async () => {
    upstream.enqueue({ ...chatStream('gpt-4o', ['a', 'b', 'c', 'd']), chunkDelayMs: 150 });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    // The open stream plus the scrape itself.
    expect(metricValue(await scrape(gw.url), 'switchboard_requests_in_flight')).toBe(2);
    while (!(await iterator.next()).done);
    await new Promise((r) => setTimeout(r, 20));
    expect(metricValue(await scrape(gw.url), 'switchboard_requests_in_flight')).toBe(1);
  });

  it('reports the gateway overhead in a response header, JSON and stream', async () => {
    const json = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const overhead = Number(json.response.headers.get('x-switchboard-overhead-ms'));
    expect(Number.isFinite(overhead)).toBe(true);
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(1000);

    upstream.enqueue({ ...chatStream('gpt-4o'), delayMs: 300 });
    const streamed = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    const streamOverhead = Number(streamed.response.headers.get('x-switchboard-overhead-ms'));
    for await (const _ of streamed.data) void _;
    // The upstream's 300 ms are not the gateway's.
    expect(streamOverhead).toBeGreaterThanOrEqual(0);
    expect(streamOverhead).toBeLessThan(250);
  });

  it('exposes deployment cooldowns through MetricsService (the router calls it)', async () => {
    const metrics = gw.app.get(MetricsService);
    metrics.deploymentCooldown('dep-m', 'm', 300);
    let text = await scrape(gw.url);
    expect(metricValue(text, 'switchboard_deployment_cooldowns_total', { model: 'm', deployment: 'dep-m' })).toBe(1);
    expect(metricValue(text, 'switchboard_deployment_cooling_down', { model: 'm', deployment: 'dep-m' })).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    text = await scrape(gw.url);
    expect(metricValue(text, 'switchboard_deployment_cooldowns_total', { model: 'm', deployment: 'dep-m' })).toBe(1);
    expect(metricValue(text, 'switchboard_deployment_cooling_down', { model: 'm', deployment: 'dep-m' })).toBe(0);
  });

  it('counts a real cooldown started by the router', async () => {
    const failing = await FakeUpstream.start();
    const gw2 = await startOpsGateway(`
model_list:
  - model_name: pair
    litellm_params: { model: openai/gpt-4o, api_base: ${failing.url}/v1, api_key: sk-a }
    model_info: { id: dep-bad }
  - model_name: pair
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-b }
    model_info: { id: dep-good }
router_settings:
  allowed_fails: 0
  cooldown_time: 30
  num_retries: 1
`);
    try {
      for (let i = 0; i < 20; i++) failing.enqueue({ status: 500, body: { error: { message: 'down' } } });
      const c = new OpenAI({ baseURL: gw2.baseURL, apiKey: 'x', maxRetries: 0 });
      for (let i = 0; i < 24 && failing.requests.length === 0; i++) {
        await c.chat.completions.create({ model: 'pair', messages: [{ role: 'user', content: 'hi' }] });
      }
      expect(failing.requests.length).toBe(1);
      for (let i = 0; i < 3; i++) await c.chat.completions.create({ model: 'pair', messages: [{ role: 'user', content: 'hi' }] });
      const text = await scrape(gw2.url);
      expect(metricValue(text, 'switchboard_deployment_cooldowns_total', { model: 'pair', deployment: 'dep-bad' })).toBe(1);
      expect(metricValue(text, 'switchboard_deployment_cooling_down', { model: 'pair', deployment: 'dep-bad' })).toBe(1);
      expect(metricValue(text, 'switchboard_deployment_cooldowns_total', { model: 'pair', deployment: 'dep-good' })).toBe(0);
      expect(failing.requests.length).toBe(1);
    } finally {
      await gw2.close();
      await failing.close();
    }
  });

  it('serves the Prometheus text format with process metrics', async () => {
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE switchboard_requests_total counter');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('sk-upstream');
  });
});

/** /metrics access: public by default (scrapers need no credentials), master key only on request. */
describe('ops: who may scrape /metrics', () => {
  const MASTER = 'sk-master-metrics-0123456789';
  const scrapeStatus = async (url: string, key?: string) => {
    const res = await fetch(`${url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const text = await res.text();
    return { status: res.status, text };
  };
  const gateways: OpsGateway[] = [];
  afterAll(() => Promise.all(gateways.map((g) => g.close())));
  const start = async (general: string) => {
    const gw = await startOpsGateway(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: http://127.0.0.1:9/v1, api_key: sk-upstream }
general_settings:
  master_key: ${MASTER}
  ${general}
`);
    gateways.push(gw);
    return gw;
  };
  const virtualKey = async (gw: OpsGateway): Promise<string> => {
    const res = await fetch(`${gw.url}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    return ((await res.json()) as { key: string }).key;
  };

  it('is public by default even with a master key, while inference routes need it', async () => {
    const gw = await start('');
    const open = await scrapeStatus(gw.url);
    expect(open.status).toBe(200);
    expect(open.text).toContain('switchboard_requests_total');
    expect((await fetch(`${gw.baseURL}/models`)).status).toBe(401);
  });

  it('with metrics_require_auth: 401 without a key, 403 for a virtual key, 200 for the master key', async () => {
    const gw = await start('metrics_require_auth: true');
    const none = await scrapeStatus(gw.url);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error.code).toBe('invalid_api_key');
    expect((await scrapeStatus(gw.url, 'sk-wrong')).status).toBe(401);
    const virtual = await scrapeStatus(gw.url, await virtualKey(gw));
    expect(virtual.status).toBe(403);
    expect(virtual.text).not.toContain('switchboard_requests_total');
    const master = await scrapeStatus(gw.url, MASTER);
    expect(master.status).toBe(200);
    expect(master.text).toContain('switchboard_requests_total');
    // The probes stay open.
    expect((await fetch(`${gw.url}/health/liveliness`)).status).toBe(200);
  });

  it('refuses metrics_require_auth without a master key (nobody could scrape)', () => {
    expect(() => parseConfigText('general_settings:\n  metrics_require_auth: true\n', {})).toThrow(/general_settings\.metrics_require_auth: needs general_settings\.master_key/);
  });
});
