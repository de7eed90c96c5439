import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { RateLimitError } from 'openai';
import { closedPort } from './helpers/assertions.js';
import { FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { metricValue, scrape } from './helpers/ops-gateway.js';
import { admin, AdminGateway, BACKENDS, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';
import { describeWithServices, testService } from './helpers/test-services.js';

/**
 * The response cache (litellm_settings.cache) end to end, against a fake upstream that counts
 * what reaches it: hits never do, streamed hits replay as streams the SDK parses, entries stay
 * per virtual key, per-request controls, errors and broken streams are not stored, spend shows
 * hits at zero cost, and the Redis backend is shared by two gateways and degrades to misses.
 */
const IN = 0.001;
const OUT = 0.002;

function yaml(up: FakeUpstream, cacheParams: string): string {
  return `
model_list:
  - model_name: cached
    litellm_params: { model: openai/cached-up, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
    model_info: { id: cached-1, input_cost_per_token: ${IN}, output_cost_per_token: ${OUT} }
  - model_name: emb
    litellm_params: { model: openai/emb-up, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
router_settings:
  num_retries: 0
  model_group_alias: { cached-alias: cached }
general_settings:
  master_key: ${MASTER_KEY}
litellm_settings:
  cache: true
  cache_params: ${cacheParams}
`;
}

const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;
let counter = 0;
/** A prompt no other test sends: every test starts from an empty cache for its requests. */
const fresh = (label: string) => `${label} #${++counter} ${Math.random().toString(36).slice(2)}`;

describe('response cache (local)', () => {
  let store: TestStore;
  let up: FakeUpstream;
  let gw: AdminGateway;

  beforeAll(async () => {
    store = await sqlite.create();
    up = await FakeUpstream.start();
    gw = await startAdminGateway(yaml(up, '{ type: local, ttl: 60 }'), store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await store?.dispose();
  });

  beforeEach(() => up.reset());

  const client = (key = MASTER_KEY) => new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
  const chat = (content: string, extra: Record<string, unknown> = {}, key?: string, model = 'cached') =>
    client(key)
      .chat.completions.create({ model, messages: [{ role: 'user', content }], ...extra } as never)
      .withResponse() as unknown as Promise<{ data: OpenAI.Chat.ChatCompletion; response: Response }>;
  const cacheHeader = (r: { response: Response }) => r.response.headers.get('x-switchboard-cache');
  async function generate(body: Record<string, unknown> = {}): Promise<{ key: string; token: string }> {
    const res = await admin(gw, 'POST', '/key/generate', body);
    expect(res.status).toBe(200);
    return { key: res.body.key, token: res.body.token };
  }

  it('answers the second identical request from the cache: miss then hit, one upstream call, the name sent as model', async () => {
    const prompt = fresh('hello');
    const first = await chat(prompt);
    expect(cacheHeader(first)).toBe('miss');
    expect(first.response.headers.get('x-switchboard-deployment')).toBe('cached-1');
    const second = await chat(prompt);
    expect(cacheHeader(second)).toBe('hit');
    expect(up.requests).toHaveLength(1);
    expect(second.data.choices[0].message.content).toBe(first.data.choices[0].message.content);
    expect(second.data.model).toBe('cached');
    expect(second.data.id).not.toBe(first.data.id);
    // The alias resolves to the same group, so it shares the entry and sees its own name.
    const viaAlias = await chat(prompt, {}, undefined, 'cached-alias');
    expect(cacheHeader(viaAlias)).toBe('hit');
    expect(viaAlias.data.model).toBe('cached-alias');
    expect(up.requests).toHaveLength(1);
  });

  it('coalesces concurrent identical JSON misses: one upstream call, the others wait for its answer', async () => {
    const prompt = fresh('concurrent');
    up.enqueue({ body: { id: 'x', object: 'chat.completion', created: 1, model: 'cached-up', choices: [{ index: 0, message: { role: 'assistant', content: 'slow' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }, delayMs: 300 });
    const answers = await Promise.all([chat(prompt), chat(prompt), chat(prompt)]);
    expect(answers.map(cacheHeader).sort()).toEqual(['hit', 'hit', 'miss']);
    expect(answers.map((a) => a.data.choices[0].message.content)).toEqual(['slow', 'slow', 'slow']);
    expect(up.requests).toHaveLength(1);
  });

  it('a different parameter is a different entry', async () => {
    const prompt = fresh('params');
    await chat(prompt, { temperature: 0 });
    expect(cacheHeader(await chat(prompt, { temperature: 1 }))).toBe('miss');
    expect(cacheHeader(await chat(prompt, { temperature: 0, max_tokens: 5 }))).toBe('miss');
    expect(cacheHeader(await chat(prompt, { temperature: 0 }))).toBe('hit');
    expect(up.requests).toHaveLength(3);
  });

  it('replays a streamed hit as a valid stream the SDK parses', async () => {
    const prompt = fresh('stream');
    const read = async () => {
      const { data: stream, response } = await client()
        .chat.completions.create({ model: 'cached-alias', messages: [{ role: 'user', content: prompt }], stream: true })
        .withResponse();
      let text = '';
      const ids = new Set<string>();
      const models = new Set<string>();
      let finish: string | null = null;
      for await (const chunk of stream) {
        ids.add(chunk.id);
        models.add(chunk.model);
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      return { text, ids, models, finish, header: response.headers.get('x-switchboard-cache') };
    };
    const miss = await read();
    const hit = await read();
    expect(miss).toMatchObject({ text: 'Hello!', finish: 'stop', header: 'miss' });
    expect(hit).toMatchObject({ text: 'Hello!', finish: 'stop', header: 'hit' });
    expect([...hit.models]).toEqual(['cached-alias']);
    expect(hit.ids.size).toBe(1);
    expect([...hit.ids][0]).not.toBe([...miss.ids][0]);
    expect(up.requests).toHaveLength(1);
    // A streamed and a JSON request are different entries.
    expect(cacheHeader(await chat(prompt, {}, undefined, 'cached-alias'))).toBe('miss');
  });

  it('never shares entries between virtual keys', async () => {
    const a = await generate();
    const b = await generate();
    const prompt = fresh('keys');
    expect(cacheHeader(await chat(prompt, {}, a.key))).toBe('miss');
    expect(cacheHeader(await chat(prompt, {}, a.key))).toBe('hit');
    expect(cacheHeader(await chat(prompt, {}, b.key))).toBe('miss');
    expect(cacheHeader(await chat(prompt))).toBe('miss'); // the master key is a scope of its own
    expect(up.requests).toHaveLength(3);
  });

  it('no-cache skips the lookup (and still stores), no-store keeps the answer out; cache never goes upstream', async () => {
    const prompt = fresh('controls');
    await chat(prompt);
    const skipped = await chat(prompt, { cache: { 'no-cache': true } });
    expect(cacheHeader(skipped)).toBeNull();
    expect(up.requests).toHaveLength(2);
    expect(up.last().body.cache).toBeUndefined();

    const other = fresh('no-store');
    expect(cacheHeader(await chat(other, { cache: { 'no-store': true } }))).toBe('miss');
    expect(cacheHeader(await chat(other, { cache: { 'no-store': true } }))).toBe('miss');
    expect(up.requests).toHaveLength(4);
    expect(up.last().body.cache).toBeUndefined();
    // The controls are not part of the key: a plain request finds what a controlled one stored.
    const third = fresh('shared-key');
    await chat(third, { cache: { ttl: 30 } });
    expect(cacheHeader(await chat(third))).toBe('hit');
  });

  it('ttl sets how long an answer lives; s-maxage the oldest one a request accepts', async () => {
    const prompt = fresh('ttl');
    await chat(prompt, { cache: { ttl: 1 } });
    expect(cacheHeader(await chat(prompt))).toBe('hit');
    await sleep(1300);
    expect(cacheHeader(await chat(prompt))).toBe('miss');
    expect(up.requests).toHaveLength(2);

    const aged = fresh('s-maxage');
    await chat(aged);
    await sleep(1100);
    expect(cacheHeader(await chat(aged, { cache: { 's-maxage': 1 } }))).toBe('miss');
    expect(cacheHeader(await chat(aged, { cache: { 's-maxage': 60 } }))).toBe('hit');
  });

  it('refuses malformed controls with a 400', async () => {
    const err = await chat(fresh('bad'), { cache: { ttl: 'soon' } }).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(400);
    expect((err as { error?: { param?: string } }).error?.param).toBe('cache.ttl');
    expect(up.requests).toHaveLength(0);
  });

  it('caches /v1/responses (JSON and streamed) and embeddings', async () => {
    const input = fresh('responses');
    const r1 = await client().responses.create({ model: 'cached', input }).withResponse();
    const r2 = await client().responses.create({ model: 'cached', input }).withResponse();
    expect([cacheHeader(r1), cacheHeader(r2)]).toEqual(['miss', 'hit']);
    expect(r2.data.output_text).toBe(r1.data.output_text);
    // The response id stays: previous_response_id continues from it.
    expect(r2.data.id).toBe(r1.data.id);

    const streamed = async () => {
      const { data, response } = await client().responses.create({ model: 'cached', input, stream: true }).withResponse();
      const types: string[] = [];
      let text = '';
      for await (const e of data) {
        types.push(e.type);
        if (e.type === 'response.output_text.delta') text += e.delta;
      }
      return { types, text, header: response.headers.get('x-switchboard-cache') };
    };
    const s1 = await streamed();
    const s2 = await streamed();
    expect(s1.header).toBe('miss');
    expect(s2).toEqual({ ...s1, header: 'hit' });
    expect(s2.types.at(-1)).toBe('response.completed');

    const text = fresh('embed');
    const e1 = await client().embeddings.create({ model: 'emb', input: [text] }).withResponse();
    const e2 = await client().embeddings.create({ model: 'emb', input: [text] }).withResponse();
    expect([cacheHeader(e1), cacheHeader(e2)]).toEqual(['miss', 'hit']);
    expect(e2.data.data[0].embedding).toEqual(e1.data.data[0].embedding);
    expect(e2.data.model).toBe('emb');
    expect(up.requests).toHaveLength(3);
  });

  it('caches /v1/messages (JSON and streamed), keyed on the anthropic headers too', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: MASTER_KEY, maxRetries: 0 });
    const content = fresh('messages');
    const ask = () => anthropic.messages.create({ model: 'cached', max_tokens: 20, messages: [{ role: 'user', content }] }).withResponse();
    const m1 = await ask();
    const m2 = await ask();
    expect([m1.response.headers.get('x-switchboard-cache'), m2.response.headers.get('x-switchboard-cache')]).toEqual(['miss', 'hit']);
    expect(m2.data.content).toEqual(m1.data.content);
    expect(m2.data.model).toBe('cached');
    const beta = await anthropic.messages
      .create({ model: 'cached', max_tokens: 20, messages: [{ role: 'user', content }] }, { headers: { 'anthropic-beta': 'some-beta' } })
      .withResponse();
    expect(beta.response.headers.get('x-switchboard-cache')).toBe('miss');

    const streamed = async () => {
      const { data, response } = await anthropic.messages
        .create({ model: 'cached', max_tokens: 20, messages: [{ role: 'user', content }], stream: true })
        .withResponse();
      const types: string[] = [];
      for await (const e of data) types.push(e.type);
      return { types, header: response.headers.get('x-switchboard-cache') };
    };
    const s1 = await streamed();
    const s2 = await streamed();
    expect(s1.header).toBe('miss');
    expect(s2).toEqual({ ...s1, header: 'hit' });
    expect(s2.types.at(-1)).toBe('message_stop');
    expect(up.requests).toHaveLength(3);
  });

  it('does not store errors or streams that broke off', async () => {
    const prompt = fresh('error');
    up.enqueue({ status: 500, body: { error: { message: 'boom', type: 'server_error' } } });
    const err = await chat(prompt).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(502);
    expect(cacheHeader(await chat(prompt))).toBe('miss');
    expect(up.requests).toHaveLength(2);

    const broken = fresh('broken');
    const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'cached-up' };
    up.enqueue({
      sse: [
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hal' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { content: 'f' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        '[DONE]',
      ],
      resetAfterEvents: 2,
      chunkDelayMs: 30,
    });
    const stream = await client().chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: broken }], stream: true });
    const failed = await (async () => {
      for await (const _ of stream) void _;
    })().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    const again = await client().chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: broken }], stream: true }).withResponse();
    for await (const _ of again.data) void _;
    expect(again.response.headers.get('x-switchboard-cache')).toBe('miss');
    expect(up.requests).toHaveLength(4);
  });

  it('records a hit in spend at zero cost and in metrics, without counting its tokens as upstream tokens', async () => {
    const { key, token } = await generate();
    const prompt = fresh('spend');
    const miss = await chat(prompt, {}, key);
    const before = await scrape(gw.url);
    const hit = await chat(prompt, {}, key);
    expect(cacheHeader(hit)).toBe('hit');
    const after = await scrape(gw.url);
    const tokens = (text: string) => metricValue(text, 'switchboard_tokens_total', { model: 'cached', type: 'prompt' });
    expect(tokens(after)).toBe(tokens(before));
    const hits = (text: string) => metricValue(text, 'switchboard_cache_lookups_total', { endpoint: 'chat', model: 'cached', result: 'hit' });
    expect(hits(after)).toBe(hits(before) + 1);

    const logs = await admin(gw, 'GET', `/spend/logs?api_key=${token}`);
    expect(logs.status).toBe(200);
    const byRequest = new Map<string, any>(logs.body.data.map((r: any) => [r.request_id, r]));
    const missRow = byRequest.get(miss.response.headers.get('x-request-id')!);
    const hitRow = byRequest.get(hit.response.headers.get('x-request-id')!);
    expect(missRow).toMatchObject({ usage_source: 'upstream', model: 'cached', model_id: 'cached-1' });
    expect(missRow.spend).toBeCloseTo(5 * IN + 6 * OUT, 9);
    expect(hitRow).toMatchObject({ usage_source: 'cache', spend: 0, model: 'cached', model_id: 'cached-1', prompt_tokens: 5, completion_tokens: 6 });
    const info = await admin(gw, 'GET', `/key/info?key=${token}`);
    expect(info.body.info.spend).toBeCloseTo(5 * IN + 6 * OUT, 9);
  });

  it("a hit still counts against the key's rpm limit", async () => {
    const { key } = await generate({ rpm_limit: 2 });
    const prompt = fresh('rpm');
    expect(cacheHeader(await chat(prompt, {}, key))).toBe('miss');
    expect(cacheHeader(await chat(prompt, {}, key))).toBe('hit');
    const err = await chat(prompt, {}, key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(up.requests).toHaveLength(1);
  });
});

describe('response cache off', () => {
  let up: FakeUpstream;
  let gw: AdminGateway;
  let store: TestStore;

  beforeAll(async () => {
    store = await sqlite.create();
    up = await FakeUpstream.start();
    gw = await startAdminGateway(yaml(up, '{}').replace('cache: true', 'cache: false'), store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await store?.dispose();
  });

  it('sends no cache header, always reaches the upstream, and still keeps `cache` away from it', async () => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
    for (let i = 0; i < 2; i++) {
      const r = await client.chat.completions
        .create({ model: 'cached', messages: [{ role: 'user', content: 'same' }], cache: { ttl: 5 } } as never)
        .withResponse();
      expect(r.response.headers.get('x-switchboard-cache')).toBeNull();
    }
    expect(up.requests).toHaveLength(2);
    expect(up.last().body.cache).toBeUndefined();
  });
});

const redis = await testService('Redis');

describeWithServices('response cache on Redis', [redis], () => {
  const namespace = `sbtest-cache-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let up: FakeUpstream;
  let stores: TestStore[] = [];
  let a: AdminGateway;
  let b: AdminGateway;

  beforeAll(async () => {
    up = await FakeUpstream.start();
    const u = new URL(redis.url!);
    const params = `{ type: redis, host: ${u.hostname}, port: ${u.port || 6379}, namespace: ${namespace}, ttl: 60 }`;
    stores = [await sqlite.create(), await sqlite.create()];
    a = await startAdminGateway(yaml(up, params), stores[0].location);
    b = await startAdminGateway(yaml(up, params), stores[1].location);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await up?.close();
    for (const s of stores) await s.dispose();
  });

  it('is shared by two gateways: a miss on one is a hit on the other', async () => {
    const prompt = fresh('redis');
    const ask = async (gw: AdminGateway, stream = false) => {
      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
      if (!stream) {
        const r = await client.chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: prompt }] }).withResponse();
        return { header: r.response.headers.get('x-switchboard-cache'), text: r.data.choices[0].message.content };
      }
      const r = await client.chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: prompt }], stream: true }).withResponse();
      let text = '';
      for await (const c of r.data) text += c.choices[0]?.delta?.content ?? '';
      return { header: r.response.headers.get('x-switchboard-cache'), text };
    };
    expect(await ask(a)).toEqual({ header: 'miss', text: 'Hello from the fake upstream' });
    // The write is not awaited by the answer: give it a moment to reach Redis.
    await sleep(100);
    expect(await ask(b)).toEqual({ header: 'hit', text: 'Hello from the fake upstream' });
    expect(await ask(b, true)).toEqual({ header: 'miss', text: 'Hello!' });
    await sleep(100);
    expect(await ask(a, true)).toEqual({ header: 'hit', text: 'Hello!' });
    expect(up.requests).toHaveLength(2);
  });
});

describe('response cache on a Redis that is down', () => {
  let up: FakeUpstream;
  let gw: AdminGateway;
  let store: TestStore;
  const logs: string[] = [];

  beforeAll(async () => {
    up = await FakeUpstream.start();
    store = await sqlite.create();
    const port = await closedPort();
    gw = await startAdminGateway(yaml(up, `{ type: redis, host: 127.0.0.1, port: ${port} }`), store.location, { logs });
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await store?.dispose();
  });

  it('answers every request as a miss, never an error, and logs the trouble once', async () => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: 'down' }] }).withResponse();
      expect(r.response.status).toBe(200);
      expect(r.response.headers.get('x-switchboard-cache')).toBe('miss');
    }
    expect(up.requests).toHaveLength(3);
    const trouble = logs.filter((l) => l.includes('ResponseCache') && l.includes('Redis'));
    expect(trouble.length).toBeGreaterThanOrEqual(1);
    expect(trouble.length).toBeLessThanOrEqual(2);
  });
});
