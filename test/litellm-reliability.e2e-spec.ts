import OpenAI, { APIError } from 'openai';
import { FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';
import { admin, BACKENDS, MASTER_KEY, startAdminGateway } from './helpers/store-backends.js';
import { describeWithServices, testService } from './helpers/test-services.js';

/**
 * LiteLLM configs as LiteLLM reads them (issue 17 items 5, 6, 8): the reliability keys under
 * litellm_settings (router_settings wins on a conflict), default request parameters in
 * litellm_params (the client's own value wins), and the usage- and cost-based strategies.
 * Upstreams are node:http fakes; the client is the official openai SDK.
 */

const FAST = 'router_settings:\n  retry_after: 0.01\n';

function deployment(name: string, fake: FakeUpstream, id: string, extra = ''): string {
  return `
  - model_name: ${name}
    litellm_params:
      model: openai/${id}-model
      api_base: ${fake.url}/v1
      api_key: sk-test${extra ? `\n${extra.replace(/^/gm, '      ')}` : ''}
    model_info: { id: ${id} }`;
}

const messages = [{ role: 'user' as const, content: 'hi' }];
const status500 = { status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } };
const contextLength = {
  status: 400,
  body: { error: { message: "This model's maximum context length is 8192 tokens.", type: 'invalid_request_error', code: 'context_length_exceeded' } },
};
const contentFilter = {
  status: 400,
  body: {
    error: {
      message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { hate: { filtered: true, severity: 'high' } } },
    },
  },
};

async function failure(call: Promise<unknown>): Promise<APIError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('LiteLLM reliability settings, request defaults and strategies (e2e)', () => {
  const fakes: FakeUpstream[] = [];
  let gw: RunningGateway | undefined;
  let client: OpenAI;

  async function fake(): Promise<FakeUpstream> {
    const f = await FakeUpstream.start();
    fakes.push(f);
    return f;
  }

  async function gateway(yaml: string): Promise<void> {
    gw = await startGateway(yaml, {});
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  }

  async function servedBy(model: string): Promise<string> {
    const { response } = await client.chat.completions.create({ model, messages }).withResponse();
    return response.headers.get('x-switchboard-deployment')!;
  }

  afterEach(async () => {
    gw?.app.getHttpServer().closeAllConnections();
    await gw?.close();
    gw = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  describe('litellm_settings reliability keys', () => {
    it('num_retries is honoured: a failing deployment is called num_retries + 1 times', async () => {
      const f = await fake();
      f.always = status500;
      await gateway(`model_list:${deployment('solo', f, 'solo-1')}\n${FAST}litellm_settings:\n  num_retries: 3\n`);
      const err = await failure(client.chat.completions.create({ model: 'solo', messages }));
      expect(err.status).toBe(502);
      expect(f.requests).toHaveLength(4);
    });

    it('router_settings wins on a conflict (num_retries 0 there, 3 in litellm_settings)', async () => {
      const f = await fake();
      f.always = status500;
      await gateway(`model_list:${deployment('solo', f, 'solo-1')}\n${FAST}  num_retries: 0\nlitellm_settings:\n  num_retries: 3\n`);
      expect((await failure(client.chat.completions.create({ model: 'solo', messages }))).status).toBe(502);
      expect(f.requests).toHaveLength(1);
    });

    it('fallbacks from litellm_settings serve a failing group; router_settings.fallbacks win over them', async () => {
      const [primary, viaLitellm, viaRouter] = [await fake(), await fake(), await fake()];
      primary.always = status500;
      const models = `model_list:${deployment('primary', primary, 'primary-1')}${deployment('b', viaLitellm, 'b-1')}${deployment('c', viaRouter, 'c-1')}\n`;
      await gateway(`${models}${FAST}  num_retries: 0\nlitellm_settings:\n  fallbacks: [{ primary: [b] }]\n`);
      const res = await client.chat.completions.create({ model: 'primary', messages }).withResponse();
      expect(res.data.model).toBe('primary');
      expect(res.response.headers.get('x-switchboard-deployment')).toBe('b-1');
      await gw!.close();
      gw = undefined;

      await gateway(`${models}${FAST}  num_retries: 0\n  fallbacks: [{ primary: [c] }]\nlitellm_settings:\n  fallbacks: [{ primary: [b] }]\n`);
      expect(await servedBy('primary')).toBe('c-1');
      expect(viaLitellm.requests).toHaveLength(1); // only the first gateway's fallback
    });

    it('context_window_fallbacks fire on an upstream context-length 400, and ordinary fallbacks do not', async () => {
      const [small, big, general] = [await fake(), await fake(), await fake()];
      small.always = contextLength;
      await gateway(`model_list:${deployment('small', small, 'small-1')}${deployment('big', big, 'big-1')}${deployment('general', general, 'general-1')}
${FAST}  num_retries: 2
litellm_settings:
  fallbacks: [{ small: [general] }]
  context_window_fallbacks: [{ small: [big] }]
`);
      expect(await servedBy('small')).toBe('big-1');
      expect(small.requests).toHaveLength(1); // never retried
      expect(general.requests).toHaveLength(0);
    });

    it('content_policy_fallbacks fire on a content-filter refusal; without them the refusal reaches the client as sent', async () => {
      const [strict, lenient, general] = [await fake(), await fake(), await fake()];
      strict.always = contentFilter;
      const models = `model_list:${deployment('strict', strict, 'strict-1')}${deployment('lenient', lenient, 'lenient-1')}${deployment('general', general, 'general-1')}\n`;
      await gateway(`${models}${FAST}  num_retries: 2\nlitellm_settings:\n  fallbacks: [{ strict: [general] }]\n  content_policy_fallbacks: [{ strict: [lenient] }]\n`);
      expect(await servedBy('strict')).toBe('lenient-1');
      expect(strict.requests).toHaveLength(1);
      expect(general.requests).toHaveLength(0);
      await gw!.close();
      gw = undefined;

      // A refusal is not an outage: ordinary fallbacks (and default_fallbacks) are not for it.
      await gateway(`${models}${FAST}  num_retries: 2\nlitellm_settings:\n  fallbacks: [{ strict: [general] }]\n  default_fallbacks: [general]\n`);
      const err = await failure(client.chat.completions.create({ model: 'strict', messages }));
      expect(err.status).toBe(400);
      expect(err.code).toBe('content_filter');
      expect(err.message).toContain('content management policy');
      expect(general.requests).toHaveLength(0);
    });

    it('default_fallbacks apply to a group without its own fallbacks', async () => {
      const [a, keyed, backup, catchall] = [await fake(), await fake(), await fake(), await fake()];
      a.always = status500;
      keyed.always = status500;
      await gateway(`model_list:${deployment('a', a, 'a-1')}${deployment('keyed', keyed, 'keyed-1')}${deployment('backup', backup, 'backup-1')}${deployment('catchall', catchall, 'catchall-1')}
${FAST}  num_retries: 0
litellm_settings:
  fallbacks: [{ keyed: [backup] }]
  default_fallbacks: [catchall]
`);
      expect(await servedBy('a')).toBe('catchall-1');
      expect(await servedBy('keyed')).toBe('backup-1');
    });

    it('allowed_fails and cooldown_time from litellm_settings take a failing deployment out', async () => {
      const [bad, good] = [await fake(), await fake()];
      bad.always = status500;
      await gateway(`model_list:${deployment('pool', bad, 'pool-bad')}${deployment('pool', good, 'pool-good')}
${FAST}  num_retries: 1
litellm_settings:
  allowed_fails: 0
  cooldown_time: 60
`);
      for (let i = 0; i < 20; i++) expect(await servedBy('pool')).toBe('pool-good');
      // allowed_fails: 0 → the first failure cools it down for the rest of the test (LiteLLM's
      // default of 3 would let it fail about ten times here).
      expect(bad.requests.length).toBeLessThanOrEqual(1);
    });

    it('request_timeout bounds an upstream call (504 when nothing is left to try)', async () => {
      const f = await fake();
      f.always = { delayMs: 3000, body: {} };
      await gateway(`model_list:${deployment('slow', f, 'slow-1')}\n${FAST}  num_retries: 0\nlitellm_settings:\n  request_timeout: 0.2\n`);
      const started = Date.now();
      const err = await failure(client.chat.completions.create({ model: 'slow', messages }));
      expect(err.status).toBe(504);
      expect(err.code).toBe('upstream_timeout');
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  describe('default request parameters in litellm_params', () => {
    it("reach the upstream; the client's own value wins", async () => {
      const f = await fake();
      await gateway(`model_list:${deployment('tuned', f, 'tuned-1', 'temperature: 0.1\nmax_tokens: 20\nseed: 7\nstop: ["END"]')}\n`);
      await client.chat.completions.create({ model: 'tuned', messages });
      expect(f.last().body).toMatchObject({ temperature: 0.1, max_tokens: 20, seed: 7, stop: ['END'] });
      await client.chat.completions.create({ model: 'tuned', messages, temperature: 0.9, max_completion_tokens: 5 });
      expect(f.last().body).toMatchObject({ temperature: 0.9, max_completion_tokens: 5, seed: 7 });
      expect(f.last().body.max_tokens).toBeUndefined();
      // Streams get them too.
      const stream = await client.chat.completions.create({ model: 'tuned', messages, stream: true });
      for await (const _ of stream) void _;
      expect(f.last().body).toMatchObject({ stream: true, temperature: 0.1, max_tokens: 20 });
    });

    it('a fallback to another deployment uses that deployment\'s own defaults', async () => {
      const [primary, backup] = [await fake(), await fake()];
      primary.always = status500;
      await gateway(`model_list:${deployment('primary', primary, 'primary-1', 'temperature: 0.1')}${deployment('backup', backup, 'backup-1', 'temperature: 0.5\ntop_p: 0.8')}
${FAST}  num_retries: 0
  fallbacks: [{ primary: [backup] }]
`);
      expect(await servedBy('primary')).toBe('backup-1');
      expect(primary.last().body.temperature).toBe(0.1);
      expect(backup.last().body).toMatchObject({ temperature: 0.5, top_p: 0.8 });
    });

    it('native /v1/responses gets them under the Responses names (max_tokens → max_output_tokens)', async () => {
      const f = await fake();
      await gateway(`model_list:${deployment('tuned', f, 'tuned-1', 'temperature: 0.1\nmax_tokens: 20\nreasoning_effort: low\nseed: 7')}\n`);
      await client.responses.create({ model: 'tuned', input: 'hi' });
      expect(f.last().path).toBe('/v1/responses');
      expect(f.last().body).toMatchObject({ temperature: 0.1, max_output_tokens: 20, reasoning: { effort: 'low' } });
      expect(f.last().body.max_tokens).toBeUndefined();
      expect(f.last().body.seed).toBeUndefined();
      await client.responses.create({ model: 'tuned', input: 'hi', max_output_tokens: 99 });
      expect(f.last().body.max_output_tokens).toBe(99);
    });

    it('bridged /v1/responses and /v1/messages get them as chat parameters', async () => {
      const f = await fake();
      await gateway(`model_list:${deployment('tuned', f, 'tuned-1', 'temperature: 0.1\nmax_tokens: 20\nuse_chat_completions_for_responses: true')}\n`);
      await client.responses.create({ model: 'tuned', input: 'hi' });
      expect(f.last().path).toBe('/v1/chat/completions');
      expect(f.last().body).toMatchObject({ temperature: 0.1, max_tokens: 20 });
      const res = await rawPost(`${gw!.url}/v1/messages`, { model: 'tuned', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(200);
      expect(f.last().path).toBe('/v1/chat/completions');
      expect(f.last().body).toMatchObject({ temperature: 0.1, max_tokens: 64 });
    });

    it('embeddings get dimensions and encoding_format, never chat parameters', async () => {
      const f = await fake();
      await gateway(`model_list:${deployment('embed', f, 'embed-1', 'dimensions: 256\nencoding_format: float\ntemperature: 0.1')}\n`);
      // Raw: the openai SDK always sends its own encoding_format (base64), which would win.
      expect((await rawPost(`${gw!.url}/v1/embeddings`, { model: 'embed', input: 'x' })).status).toBe(200);
      expect(f.last().body).toMatchObject({ dimensions: 256, encoding_format: 'float' });
      expect(f.last().body.temperature).toBeUndefined();
      await client.embeddings.create({ model: 'embed', input: 'x', dimensions: 64 });
      expect(f.last().body.dimensions).toBe(64);
    });
  });

  it('a model added over the admin API carries defaults too, and an override of a file model keeps the file\'s', async () => {
    const f = await fake();
    const store = await BACKENDS.find((b) => b.name === 'sqlite')!.create();
    const admGw = await startAdminGateway(
      `model_list:${deployment('filed', f, 'filed-1', 'temperature: 0.3')}\ngeneral_settings:\n  master_key: ${MASTER_KEY}\n  allow_file_model_edits: true\n`,
      store.location,
    );
    try {
      const sdk = new OpenAI({ baseURL: admGw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
      const created = await admin(admGw, 'POST', '/model/new', {
        model_name: 'rest-tuned',
        litellm_params: { model: 'openai/rest-up', api_base: `${f.url}/v1`, api_key: 'sk-rest-000000000000', temperature: 0.2, stop: ['END'] },
        model_info: { id: 'rest-tuned-1' },
      });
      expect(created.status).toBe(200);
      expect(created.body.litellm_params).toMatchObject({ temperature: 0.2, stop: ['END'] });
      await sdk.chat.completions.create({ model: 'rest-tuned', messages });
      expect(f.last().body).toMatchObject({ model: 'rest-up', temperature: 0.2, stop: ['END'] });
      expect((await admin(admGw, 'POST', '/model/new', { model_name: 'x', litellm_params: { model: 'openai/x', api_base: `${f.url}/v1`, temperature: 'hot' } })).status).toBe(400);

      const patched = await admin(admGw, 'POST', '/model/update', { model_info: { id: 'filed-1' }, litellm_params: { top_p: 0.5 } });
      expect(patched.status).toBe(200);
      await sdk.chat.completions.create({ model: 'filed', messages });
      expect(f.last().body).toMatchObject({ temperature: 0.3, top_p: 0.5 });
    } finally {
      await admGw.close();
      await store.dispose();
    }
  });

  describe('usage- and cost-based routing', () => {
    it.each(['usage-based-routing', 'usage-based-routing-v2'])('%s spreads sequential requests by this minute\'s use', async (strategy) => {
      const [a, b, c] = [await fake(), await fake(), await fake()];
      await gateway(`model_list:${deployment('pool', a, 'pool-a')}${deployment('pool', b, 'pool-b')}${deployment('pool', c, 'pool-c')}
router_settings:
  routing_strategy: ${strategy}
`);
      for (let i = 0; i < 12; i++) await servedBy('pool');
      expect([a, b, c].map((f) => f.requests.length)).toEqual([4, 4, 4]);
    });

    it("honours each deployment's rpm limit: at its limit, the next one serves", async () => {
      const [capped, free] = [await fake(), await fake()];
      // order keeps the capped one first, so only its limit can send traffic elsewhere.
      await gateway(`model_list:${deployment('pool', capped, 'pool-capped', 'rpm: 2\norder: 1')}${deployment('pool', free, 'pool-free', 'order: 2')}
router_settings:
  routing_strategy: usage-based-routing
`);
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(await servedBy('pool'));
      expect(ids.slice(0, 2)).toEqual(['pool-capped', 'pool-capped']);
      expect(ids.slice(2)).toEqual(Array(6).fill('pool-free'));
    });

    it('cost-based-routing picks the cheaper deployment, and moves on while it is cooled down', async () => {
      const [cheap, dear] = [await fake(), await fake()];
      const price = (input: number, output: number) => `model_info: { id: X, input_cost_per_token: ${input}, output_cost_per_token: ${output} }`;
      const entry = (id: string, f: FakeUpstream, p: string) =>
        deployment('pool', f, id).replace(`model_info: { id: ${id} }`, p.replace('X', id));
      await gateway(`model_list:${entry('pool-dear', dear, price(0.00001, 0.00003))}${entry('pool-cheap', cheap, price(0.0000001, 0.0000004))}
router_settings:
  routing_strategy: cost-based-routing
  num_retries: 1
  allowed_fails: 0
  cooldown_time: 1
  retry_after: 0.01
`);
      for (let i = 0; i < 6; i++) expect(await servedBy('pool')).toBe('pool-cheap');
      cheap.enqueue(status500);
      // The failure cools the cheap one down: the retry and the next requests go to the dearer one.
      expect(await servedBy('pool')).toBe('pool-dear');
      expect(await servedBy('pool')).toBe('pool-dear');
      await sleep(1100);
      expect(await servedBy('pool')).toBe('pool-cheap');
    });
  });
});

const redis = await testService('Redis');

describeWithServices('usage-based routing across two gateways sharing Redis', [redis], () => {
  let up1: FakeUpstream;
  let up2: FakeUpstream;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    [up1, up2] = [await FakeUpstream.start(), await FakeUpstream.start()];
    const yaml = `model_list:${deployment('pool', up1, 'pool-1')}${deployment('pool', up2, 'pool-2')}
router_settings:
  routing_strategy: usage-based-routing-v2
`;
    const saved = { url: process.env.REDIS_URL, prefix: process.env.REDIS_KEY_PREFIX };
    process.env.REDIS_URL = redis.url;
    process.env.REDIS_KEY_PREFIX = `sbtest:usage:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
    try {
      gateways.push(await startGateway(yaml, {}), await startGateway(yaml, {}));
    } finally {
      for (const [k, v] of [['REDIS_URL', saved.url], ['REDIS_KEY_PREFIX', saved.prefix]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await Promise.all([up1?.close(), up2?.close()]);
  });

  it('requests alternating between the gateways split evenly: each sees the other\'s use', async () => {
    const clients = gateways.map((g) => new OpenAI({ baseURL: g.baseURL, apiKey: 'unused', maxRetries: 0 }));
    const served: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { response } = await clients[i % 2].chat.completions.create({ model: 'pool', messages }).withResponse();
      served.push(response.headers.get('x-switchboard-deployment')!);
      // Tokens are counted off the response path: let them reach Redis before the next pick.
      await sleep(30);
    }
    expect(up1.requests.length).toBe(5);
    expect(up2.requests.length).toBe(5);
    // Every pair (one request on each gateway) used both deployments.
    for (let i = 0; i < 10; i += 2) expect(new Set(served.slice(i, i + 2)).size).toBe(2);
  });
});
