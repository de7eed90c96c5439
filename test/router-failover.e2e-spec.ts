import OpenAI, { APIError } from 'openai';
import { chatCompletion, FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * Router behaviour over real HTTP: load balancing with a failing deployment, retries, faithful
 * upstream error mapping, timeouts, cooldowns and fallbacks, for JSON requests. Backoff is kept
 * tiny through router_settings.retry_after so the suite stays fast.
 */

const FAST = `  retry_after: 0.01\n`;

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

async function failure(call: Promise<unknown>): Promise<APIError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('router: load balancing, retries, error mapping (JSON)', () => {
  const fakes: FakeUpstream[] = [];
  let gw: RunningGateway | undefined;
  let client: OpenAI;

  async function fake(): Promise<FakeUpstream> {
    const f = await FakeUpstream.start();
    fakes.push(f);
    return f;
  }

  async function gateway(yaml: string): Promise<void> {
    gw = await startGateway(yaml);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  }

  afterEach(async () => {
    // A client that aborted mid-request leaves a half-closed socket that would hold close() for seconds.
    gw?.app.getHttpServer().closeAllConnections();
    await gw?.close();
    gw = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  it('a group of 3 with one failing deployment serves 100 sequential requests without a client-visible error', async () => {
    const [a, b, bad] = [await fake(), await fake(), await fake()];
    bad.always = status500;
    await gateway(`
model_list:${deployment('pool', a, 'pool-a')}${deployment('pool', b, 'pool-b')}${deployment('pool', bad, 'pool-bad')}
router_settings:
  num_retries: 2
  allowed_fails: 1
  cooldown_time: 60
${FAST}`);
    const servedBy = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const { data, response } = await client.chat.completions.create({ model: 'pool', messages }).withResponse();
      expect(data.model).toBe('pool');
      const id = response.headers.get('x-switchboard-deployment')!;
      servedBy.set(id, (servedBy.get(id) ?? 0) + 1);
    }
    expect([...servedBy.keys()].sort()).toEqual(['pool-a', 'pool-b']);
    expect(a.requests.length + b.requests.length).toBe(100);
    // allowed_fails: 1 → the second failure within a minute takes it out for the rest of the test.
    expect(bad.requests.length).toBeLessThanOrEqual(2);
    expect(Math.min(a.requests.length, b.requests.length)).toBeGreaterThan(20);
  });

  it('retries a 500 and a connection reset, then answers', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 2\n${FAST}`);
    f.enqueue(status500, { reset: true });
    const res = await client.chat.completions.create({ model: 'solo', messages });
    expect(res.choices[0].message.content).toBe('Hello from the fake upstream');
    expect(f.requests).toHaveLength(3);
  });

  it('5xx on every attempt → 502 upstream_error after num_retries + 1 calls', async () => {
    const f = await fake();
    f.always = status500;
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 2\n  allowed_fails: 10\n${FAST}`);
    const err = await failure(client.chat.completions.create({ model: 'solo', messages }));
    expect(err.status).toBe(502);
    expect(err.type).toBe('api_error');
    expect(err.code).toBe('upstream_error');
    expect(err.message).toContain('upstream exploded');
    expect(f.requests).toHaveLength(3);
  });

  it('connection failures on every attempt → 502', async () => {
    const f = await fake();
    f.always = { reset: true };
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 1\n  allowed_fails: 10\n${FAST}`);
    const err = await failure(client.chat.completions.create({ model: 'solo', messages }));
    expect(err.status).toBe(502);
    expect(err.code).toBe('upstream_error');
    expect(f.requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 422])('upstream %i passes through with its message and is never retried', async (status) => {
    const [f, other] = [await fake(), await fake()];
    await gateway(`model_list:${deployment('pair', f, 'pair-1', 'order: 1')}${deployment('pair', other, 'pair-2', 'order: 2')}
router_settings:\n  num_retries: 3\n${FAST}`);
    f.enqueue({ status, body: { error: { message: `upstream says ${status}`, type: 'whatever', code: `code_${status}` } } });
    const err = await failure(client.chat.completions.create({ model: 'pair', messages }));
    expect(err.status).toBe(status);
    expect((err.error as any).message).toBe(`Upstream provider openai returned ${status}: upstream says ${status}`);
    expect(err.code).toBe(`code_${status}`);
    expect(f.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  it('an upstream 401 reads differently from the gateway’s own 401', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\ngeneral_settings:\n  master_key: sk-master\n`);
    f.enqueue({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const upstream = await failure(
      new OpenAI({ baseURL: gw!.baseURL, apiKey: 'sk-master', maxRetries: 0 }).chat.completions.create({ model: 'solo', messages }),
    );
    const own = await failure(client.chat.completions.create({ model: 'solo', messages }));
    expect(upstream.status).toBe(401);
    expect(own.status).toBe(401);
    expect((upstream.error as any).message).toMatch(/^Upstream provider openai returned 401: Incorrect API key provided/);
    expect((own.error as any).message).not.toMatch(/Upstream/);
  });

  it('429 with a long Retry-After passes through with the header, without waiting', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 3\n${FAST}`);
    f.enqueue({ status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'slow down', type: 'rate_limit_error' } } });
    const res = await rawPost(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3600');
    expect(res.body.error.type).toBe('rate_limit_error');
    expect(res.body.error.message).toContain('slow down');
    expect(f.requests).toHaveLength(1);
  });

  it('429 with a short Retry-After is waited out on a single deployment', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 1\n${FAST}`);
    f.enqueue({ status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } });
    const started = Date.now();
    const res = await client.chat.completions.create({ model: 'solo', messages });
    expect(res.model).toBe('solo');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(f.requests).toHaveLength(2);
  });

  it('a 429 on one deployment is retried at once on another, whatever its Retry-After', async () => {
    const [busy, idle] = [await fake(), await fake()];
    busy.always = { status: 429, headers: { 'retry-after': '5' }, body: { error: { message: 'busy' } } };
    await gateway(`model_list:${deployment('pair', busy, 'pair-busy', 'order: 1')}${deployment('pair', idle, 'pair-idle', 'order: 2')}
router_settings:\n  num_retries: 1\n  allowed_fails: 10\n${FAST}`);
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      const { response } = await client.chat.completions.create({ model: 'pair', messages }).withResponse();
      expect(response.headers.get('x-switchboard-deployment')).toBe('pair-idle');
    }
    expect(Date.now() - started).toBeLessThan(2000);
    expect(busy.requests).toHaveLength(4);
    expect(idle.requests).toHaveLength(4);
  });

  it('a hung upstream times out → 504, and each attempt’s socket is closed', async () => {
    const f = await fake();
    f.always = { hang: true };
    await gateway(`model_list:${deployment('slow', f, 'slow-1')}\nrouter_settings:\n  num_retries: 1\n  timeout: 0.2\n  allowed_fails: 10\n${FAST}`);
    const started = Date.now();
    const err = await failure(client.chat.completions.create({ model: 'slow', messages }));
    expect(err.status).toBe(504);
    expect(err.type).toBe('timeout_error');
    expect(err.code).toBe('upstream_timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(f.requests).toHaveLength(2);
    await f.waitForClientAborts(2);
  });

  it('a deployment timeout overrides the global one', async () => {
    const f = await fake();
    f.always = { hang: true };
    await gateway(`model_list:${deployment('slow', f, 'slow-1', 'timeout: 0.15')}\nrouter_settings:\n  num_retries: 0\n  timeout: 30\n`);
    const started = Date.now();
    const err = await failure(client.chat.completions.create({ model: 'slow', messages }));
    expect(err.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);
    await f.waitForClientAborts(1);
  });

  it('a client that disconnects cancels the upstream request at once', async () => {
    const f = await fake();
    f.always = { hang: true };
    await gateway(`model_list:${deployment('slow', f, 'slow-1')}\n`);
    const controller = new AbortController();
    const pending = fetch(`${gw!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', messages }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    while (f.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending;
    await f.waitForClientAborts(1, 1000);
    expect(f.requests).toHaveLength(1);
  });

  it('max_retries on a deployment and retry_policy per error class limit retries', async () => {
    const [f, g] = [await fake(), await fake()];
    f.always = status500;
    g.always = { hang: true };
    await gateway(`model_list:${deployment('capped', f, 'capped-1', 'max_retries: 0')}${deployment('slow', g, 'slow-1')}
router_settings:
  num_retries: 3
  timeout: 0.1
  allowed_fails: 10
  retry_policy: { TimeoutErrorRetries: 1 }
${FAST}`);
    expect((await failure(client.chat.completions.create({ model: 'capped', messages }))).status).toBe(502);
    expect(f.requests).toHaveLength(1);
    expect((await failure(client.chat.completions.create({ model: 'slow', messages }))).status).toBe(504);
    expect(g.requests).toHaveLength(2);
  });

  it('retry_policy: each error class gets its own retry count; num_retries covers the classes it leaves out', async () => {
    const [limited, broken, dropped, hung, capped, bad] = [await fake(), await fake(), await fake(), await fake(), await fake(), await fake()];
    limited.always = { status: 429, body: { error: { message: 'slow down', type: 'rate_limit_error' } } };
    broken.always = status500;
    dropped.always = { reset: true };
    hung.always = { hang: true };
    capped.always = limited.always;
    bad.always = { status: 400, body: { error: { message: 'bad request' } } };
    await gateway(`model_list:${deployment('limited', limited, 'limited-1')}${deployment('broken', broken, 'broken-1')}${deployment('dropped', dropped, 'dropped-1')}${deployment('hung', hung, 'hung-1', 'timeout: 0.1')}${deployment('capped', capped, 'capped-1', 'max_retries: 0')}${deployment('bad', bad, 'bad-1')}
router_settings:
  num_retries: 3
  allowed_fails: 100
  # LiteLLM's BadRequestErrorRetries is accepted but never applies: a 400 fails the same way again.
  retry_policy: { RateLimitErrorRetries: 1, InternalServerErrorRetries: 2, BadRequestErrorRetries: 5 }
${FAST}`);
    const statusOf = async (model: string) => (await failure(client.chat.completions.create({ model, messages }))).status;
    expect(await statusOf('limited')).toBe(429);
    expect(limited.requests).toHaveLength(2); // RateLimitErrorRetries: 1
    expect(await statusOf('broken')).toBe(502);
    expect(broken.requests).toHaveLength(3); // InternalServerErrorRetries: 2 (5xx)
    expect(await statusOf('dropped')).toBe(502);
    expect(dropped.requests).toHaveLength(3); // InternalServerErrorRetries: 2 (connection failures too)
    expect(await statusOf('hung')).toBe(504);
    expect(hung.requests).toHaveLength(4); // no TimeoutErrorRetries: num_retries 3
    expect(await statusOf('capped')).toBe(429);
    expect(capped.requests).toHaveLength(1); // the deployment's max_retries wins over retry_policy
    expect(await statusOf('bad')).toBe(400);
    expect(bad.requests).toHaveLength(1);
  });

  it('order: the lower level serves while it is healthy; the next level only when it is cooling down', async () => {
    const [first, second] = [await fake(), await fake()];
    await gateway(`model_list:${deployment('tiered', first, 'tier-1', 'order: 1')}${deployment('tiered', second, 'tier-2', 'order: 2')}
router_settings:
  num_retries: 1
  allowed_fails: 0
  cooldown_time: 60
${FAST}`);
    for (let i = 0; i < 10; i++) await client.chat.completions.create({ model: 'tiered', messages });
    expect(first.requests).toHaveLength(10);
    expect(second.requests).toHaveLength(0);
    first.always = status500;
    for (let i = 0; i < 5; i++) {
      const { response } = await client.chat.completions.create({ model: 'tiered', messages }).withResponse();
      expect(response.headers.get('x-switchboard-deployment')).toBe('tier-2');
    }
    expect(first.requests).toHaveLength(11); // one failure, then cooling down
    expect(second.requests).toHaveLength(5);
  });

  it('when every deployment is cooling down: 503 no_healthy_deployment with Retry-After, upstreams untouched', async () => {
    const [a, b] = [await fake(), await fake()];
    a.always = status500;
    b.always = status500;
    await gateway(`model_list:${deployment('frail', a, 'frail-a')}${deployment('frail', b, 'frail-b')}
router_settings:
  num_retries: 3
  allowed_fails: 0
  cooldown_time: 30
${FAST}`);
    const first = await rawPost(`${gw!.url}/v1/chat/completions`, { model: 'frail', messages });
    expect(first.status).toBe(502);
    expect(a.requests.length + b.requests.length).toBe(2);
    const second = await rawPost(`${gw!.url}/v1/chat/completions`, { model: 'frail', messages });
    expect(second.status).toBe(503);
    expect(second.body.error).toMatchObject({ type: 'api_error', code: 'no_healthy_deployment', param: null });
    expect(second.body.error.message).toMatch(/cooling down/);
    const retryAfter = Number(second.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(29);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(a.requests.length + b.requests.length).toBe(2);
  });

  // Routing strategies over real HTTP.
  async function pair(strategy: string): Promise<[FakeUpstream, FakeUpstream]> {
    const [x, y] = [await fake(), await fake()];
    await gateway(`model_list:${deployment('pair', x, 'pair-x')}${deployment('pair', y, 'pair-y')}
router_settings:
  routing_strategy: ${strategy}
  num_retries: 0
`);
    return [x, y];
  }

  const servedBy = async () => (await client.chat.completions.create({ model: 'pair', messages }).withResponse()).response.headers.get('x-switchboard-deployment');

  it('least-busy: while one deployment holds a request, the next ones go to the other', async () => {
    const [x, y] = await pair('least-busy');
    // Whichever deployment gets the first request holds it until the client gives up.
    x.enqueue({ hang: true });
    y.enqueue({ hang: true });
    const controller = new AbortController();
    const held = client.chat.completions.create({ model: 'pair', messages }, { signal: controller.signal }).catch((e: unknown) => e);
    while (x.requests.length + y.requests.length === 0) await sleep(5);
    const [holder, other, otherId] = x.requests.length ? [x, y, 'pair-y'] : [y, x, 'pair-x'];
    other.reset(); // its queued hang was only there in case it got the first request
    // Random picks would send each of these to the busy one half of the time.
    for (let i = 0; i < 8; i++) expect(await servedBy()).toBe(otherId);
    expect(holder.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(8);
    controller.abort();
    await held;
    await holder.waitForClientAborts(1);
  });

  it('latency-based-routing: once both are measured, the faster deployment takes most requests', async () => {
    const [slow, quick] = await pair('latency-based-routing');
    slow.always = { delayMs: 250, body: chatCompletion('pair-x-model') };
    const counts = new Map<string | null, number>();
    for (let i = 0; i < 40; i++) {
      const id = await servedBy();
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    // Each is tried once while unmeasured; after that only the 10% exploration picks at random
    // (about 2 of the remaining 38 land on the slow one). Random routing would send it about 20.
    expect(slow.requests.length).toBeGreaterThanOrEqual(1);
    expect(slow.requests.length).toBeLessThanOrEqual(10);
    expect(quick.requests.length).toBe(40 - slow.requests.length);
    expect(counts.get('pair-y')).toBe(quick.requests.length);
  });
});

describe('router: fallbacks', () => {
  const fakes: FakeUpstream[] = [];
  let gw: RunningGateway | undefined;
  let client: OpenAI;

  async function fake(): Promise<FakeUpstream> {
    const f = await FakeUpstream.start();
    fakes.push(f);
    return f;
  }

  async function gateway(yaml: string): Promise<void> {
    gw = await startGateway(yaml);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  }

  afterEach(async () => {
    // A client that aborted mid-request leaves a half-closed socket that would hold close() for seconds.
    gw?.app.getHttpServer().closeAllConnections();
    await gw?.close();
    gw = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  async function twoGroups(routerExtra: string): Promise<{ primary: FakeUpstream; backup: FakeUpstream }> {
    const [primary, backup] = [await fake(), await fake()];
    await gateway(`
model_list:${deployment('primary', primary, 'primary-1')}${deployment('backup', backup, 'backup-1')}
  - model_name: fw/*
    litellm_params: { model: openai/*, api_base: ${primary.url}/v1, api_key: sk-test }
    model_info: { id: fw-wild }
router_settings:
  num_retries: 1
  allowed_fails: 100
  model_group_alias: { gpt4: primary }
${FAST}${routerExtra}`);
    return { primary, backup };
  }

  it('a request through an alias falls back by group; model stays the alias, the header names the backup deployment', async () => {
    const { primary, backup } = await twoGroups('  fallbacks: [{ primary: [backup] }]\n');
    primary.always = status500;
    const { data, response } = await client.chat.completions.create({ model: 'gpt4', messages }).withResponse();
    expect(data.model).toBe('gpt4');
    expect(response.headers.get('x-switchboard-deployment')).toBe('backup-1');
    expect(primary.requests).toHaveLength(2);
    expect(backup.requests).toHaveLength(1);
    expect(backup.last().body.model).toBe('backup-1-model');
  });

  it('fallbacks keyed on the alias name apply too', async () => {
    const { primary, backup } = await twoGroups('  fallbacks: [{ gpt4: [backup] }]\n');
    primary.always = status500;
    const res = await client.chat.completions.create({ model: 'gpt4', messages });
    expect(res.model).toBe('gpt4');
    expect(backup.requests).toHaveLength(1);
  });

  it('a wildcard request falls back by its pattern', async () => {
    const { primary, backup } = await twoGroups(`  fallbacks: [{ "fw/*": [backup] }]\n`);
    primary.always = status500;
    const { data, response } = await client.chat.completions.create({ model: 'fw/some-model', messages }).withResponse();
    expect(data.model).toBe('fw/some-model');
    expect(primary.last().body.model).toBe('some-model');
    expect(response.headers.get('x-switchboard-deployment')).toBe('backup-1');
  });

  it('fallbacks apply to /v1/responses as well', async () => {
    const { primary, backup } = await twoGroups('  fallbacks: [{ primary: [backup] }]\n');
    primary.always = status500;
    const res = await client.responses.create({ model: 'gpt4', input: 'hi' });
    expect(res.model).toBe('gpt4');
    expect(backup.last().path).toBe('/v1/responses');
  });

  it('default_fallbacks catch a group without its own entry', async () => {
    const { primary, backup } = await twoGroups('  default_fallbacks: [backup]\n');
    primary.always = { reset: true };
    const { response } = await client.chat.completions.create({ model: 'primary', messages }).withResponse();
    expect(response.headers.get('x-switchboard-deployment')).toBe('backup-1');
    expect(backup.requests).toHaveLength(1);
  });

  it('a context-length error goes to context_window_fallbacks, without retrying the same group', async () => {
    const { primary, backup } = await twoGroups('  context_window_fallbacks: [{ primary: [backup] }]\n  fallbacks: [{ primary: [fw/x] }]\n');
    primary.enqueue({
      status: 400,
      body: { error: { message: "This model's maximum context length is 8192 tokens.", type: 'invalid_request_error', code: 'context_length_exceeded' } },
    });
    const { data, response } = await client.chat.completions.create({ model: 'gpt4', messages }).withResponse();
    expect(data.model).toBe('gpt4');
    expect(response.headers.get('x-switchboard-deployment')).toBe('backup-1');
    expect(primary.requests).toHaveLength(1);
  });

  it('a context-length error without context_window_fallbacks passes through as 400', async () => {
    const { primary, backup } = await twoGroups('  fallbacks: [{ primary: [backup] }]\n');
    primary.enqueue({ status: 400, body: { error: { message: 'prompt is too long: 300000 tokens > 200000 maximum' } } });
    const err = await failure(client.chat.completions.create({ model: 'primary', messages }));
    expect(err.status).toBe(400);
    expect(err.message).toContain('prompt is too long');
    expect(backup.requests).toHaveLength(0);
  });

  it('a plain 400 never triggers a fallback', async () => {
    const { primary, backup } = await twoGroups('  fallbacks: [{ primary: [backup] }]\n  default_fallbacks: [backup]\n');
    primary.enqueue({ status: 400, body: { error: { message: 'bad temperature', param: 'temperature' } } });
    const err = await failure(client.chat.completions.create({ model: 'primary', messages }));
    expect(err.status).toBe(400);
    expect(err.param).toBe('temperature');
    expect(backup.requests).toHaveLength(0);
  });

  it('when the fallbacks fail too, the client gets the primary group’s error', async () => {
    const { primary, backup } = await twoGroups('  fallbacks: [{ primary: [backup] }]\n');
    primary.always = { hang: true };
    backup.always = status500;
    await gw!.close();
    gw = undefined;
    await gateway(`
model_list:${deployment('primary', primary, 'primary-1', 'timeout: 0.1')}${deployment('backup', backup, 'backup-1')}
router_settings:
  num_retries: 0
  fallbacks: [{ primary: [backup] }]
`);
    const err = await failure(client.chat.completions.create({ model: 'primary', messages }));
    expect(err.status).toBe(504);
    expect(backup.requests).toHaveLength(1);
  });
});
