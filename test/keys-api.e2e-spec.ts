import OpenAI, { PermissionDeniedError, RateLimitError } from 'openai';
import { FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { admin, AdminGateway, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * Virtual keys end to end, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: /key/* admin API,
 * model allow-lists on every endpoint, expiry, per-key and per-deployment limits, and that the
 * key itself never appears again after /key/generate — not in admin answers, not in the logs.
 */
function yaml(up: FakeUpstream): string {
  return `
model_list:
  - model_name: model-a
    litellm_params: { model: openai/up-a, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
  - model_name: model-b
    litellm_params: { model: openai/up-b, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
  - model_name: embed-a
    litellm_params: { model: openai/embed-a, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
  - model_name: team/*
    litellm_params: { model: openai/*, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
  - model_name: limited
    litellm_params: { model: openai/lim-1, api_base: ${up.url}/v1, api_key: sk-up-000000000000, rpm: 1 }
    model_info: { id: lim-1 }
  - model_name: limited
    litellm_params: { model: openai/lim-2, api_base: ${up.url}/v1, api_key: sk-up-000000000000, rpm: 1 }
    model_info: { id: lim-2 }
  - model_name: spill
    litellm_params: { model: openai/spill-small, api_base: ${up.url}/v1, api_key: sk-up-000000000000, rpm: 1, order: 1 }
    model_info: { id: spill-small }
  - model_name: spill
    litellm_params: { model: openai/spill-big, api_base: ${up.url}/v1, api_key: sk-up-000000000000, order: 2 }
    model_info: { id: spill-big }
  - model_name: tpm-capped
    litellm_params: { model: openai/tpm-up, api_base: ${up.url}/v1, api_key: sk-up-000000000000, tpm: 15 }
router_settings:
  model_group_alias: { alias-a: model-a }
  num_retries: 0
general_settings:
  master_key: ${MASTER_KEY}
`;
}

describeBackends('virtual keys', (backend) => {
  let store: TestStore;
  let up: FakeUpstream;
  let gw: AdminGateway;
  const logs: string[] = [];
  const issued: string[] = [];

  beforeAll(async () => {
    store = await backend.create();
    up = await FakeUpstream.start();
    gw = await startAdminGateway(yaml(up), store.location, { logs });
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await store?.dispose();
    // Every key this suite created, checked against every log line the gateway wrote.
    const all = logs.join('\n');
    for (const key of issued) expect(all).not.toContain(key);
  });

  beforeEach(() => up.reset());

  async function generate(body: Record<string, unknown> = {}): Promise<{ key: string; token: string; body: any }> {
    const res = await admin(gw, 'POST', '/key/generate', body);
    expect(res.status).toBe(200);
    issued.push(res.body.key);
    return { key: res.body.key, token: res.body.token, body: res.body };
  }

  const client = (key: string) => new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
  const chat = (key: string, model: string) => client(key).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

  /** The same x-ratelimit-* headers a key's own limit sends, with Retry-After agreeing with the reset. */
  function expectDeploymentLimitHeaders(headers: Headers, what: 'requests' | 'tokens', limit: string): void {
    expect(headers.get(`x-ratelimit-limit-${what}`)).toBe(limit);
    expect(headers.get(`x-ratelimit-remaining-${what}`)).toBe('0');
    const reset = headers.get(`x-ratelimit-reset-${what}`);
    expect(reset).toMatch(/^\d+s$/);
    const resetS = parseInt(reset!, 10);
    expect(resetS).toBeLessThanOrEqual(60);
    expect(Number(headers.get('retry-after'))).toBe(Math.max(1, resetS));
  }

  describe('admin API', () => {
    it('generates a key shown once; info, list, update and delete never show it again', async () => {
      const { key, token, body } = await generate({ models: ['model-a'], key_alias: 'team-x', max_budget: 10, rpm_limit: 100, metadata: { team: 'x' } });
      expect(key).toMatch(/^sk-[A-Za-z0-9_-]{32}$/);
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      expect(body).toMatchObject({ key_name: `sk-...${key.slice(-4)}`, key_alias: 'team-x', models: ['model-a'], max_budget: 10, rpm_limit: 100, spend: 0, metadata: { team: 'x' } });

      const byKey = await admin(gw, 'GET', `/key/info?key=${encodeURIComponent(key)}`);
      const byToken = await admin(gw, 'GET', `/key/info?key=${token}`);
      expect(byKey.status).toBe(200);
      expect(byKey.body).toEqual(byToken.body);
      expect(byKey.body).toMatchObject({ key: token, info: { token, key_alias: 'team-x', spend: 0 } });

      const updated = await admin(gw, 'POST', '/key/update', { key, models: ['model-a', 'model-b'], max_budget: null, tpm_limit: 5000 });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ models: ['model-a', 'model-b'], max_budget: null, tpm_limit: 5000, rpm_limit: 100 });

      const list = await admin(gw, 'GET', '/key/list');
      expect(list.status).toBe(200);
      expect(list.body.keys).toContain(token);
      const full = await admin(gw, 'GET', '/key/list?return_full_object=true&key_alias=team-x');
      expect(full.body.keys).toEqual([expect.objectContaining({ token, key_alias: 'team-x' })]);

      for (const r of [byKey, byToken, updated, list, full]) expect(r.text).not.toContain(key);
      const rows = await store.rows('virtual_keys');
      expect(JSON.stringify(rows)).not.toContain(key);

      expect((await chat(key, 'model-a')).model).toBe('model-a');
      const deleted = await admin(gw, 'POST', '/key/delete', { keys: [key] });
      expect(deleted.body).toEqual({ deleted_keys: [token] });
      await expect(chat(key, 'model-a')).rejects.toMatchObject({ status: 401 });
      expect((await admin(gw, 'GET', `/key/info?key=${token}`)).status).toBe(404);
    });

    it('rejects unknown fields, bad durations and duplicate aliases with 400', async () => {
      expect((await admin(gw, 'POST', '/key/generate', { rpm_limt: 5 })).body.error.param).toBe('rpm_limt');
      expect((await admin(gw, 'POST', '/key/generate', { duration: '3 days' })).status).toBe(400);
      expect((await admin(gw, 'POST', '/key/generate', { rpm_limit: 0 })).status).toBe(400);
      expect((await admin(gw, 'POST', '/key/generate', { models: 'model-a' })).status).toBe(400);
      await generate({ key_alias: 'dup' });
      const dup = await admin(gw, 'POST', '/key/generate', { key_alias: 'dup' });
      expect(dup.status).toBe(400);
      expect(dup.body.error.param).toBe('key_alias');
      expect((await admin(gw, 'POST', '/key/delete', { key_aliases: ['dup'] })).status).toBe(200);
      expect((await admin(gw, 'POST', '/key/delete', { keys: ['sk-never-issued'] })).status).toBe(404);
    });

    it('a virtual key gets 403 on admin routes; no key gets 401', async () => {
      const { key } = await generate();
      for (const [method, path] of [['POST', '/key/generate'], ['GET', '/key/list'], ['GET', '/spend/logs'], ['POST', '/model/new']]) {
        const body = method === 'POST' ? {} : undefined;
        const res = await admin(gw, method, path, body, key);
        expect([path, res.status, res.body.error.type]).toEqual([path, 403, 'permission_error']);
        expect((await admin(gw, method, path, body, null)).status).toBe(401);
      }
    });
  });

  describe('model access', () => {
    it('a key limited to some models gets 403 permission_error for others on chat, responses and embeddings', async () => {
      const { key } = await generate({ models: ['model-a', 'embed-a'] });
      const c = client(key);
      expect((await chat(key, 'model-a')).model).toBe('model-a');
      await expect(chat(key, 'model-b')).rejects.toBeInstanceOf(PermissionDeniedError);
      const err = await c.responses.create({ model: 'model-b', input: 'hi' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermissionDeniedError);
      expect((err as PermissionDeniedError).error).toMatchObject({ type: 'permission_error' });
      expect((await c.embeddings.create({ model: 'embed-a', input: 'x' })).model).toBe('embed-a');
      await expect(c.embeddings.create({ model: 'model-b', input: 'x' })).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(c.chat.completions.create({ model: 'model-b', messages: [{ role: 'user', content: 'x' }], stream: true })).rejects.toBeInstanceOf(PermissionDeniedError);
      expect(up.requests.map((r) => r.body.model)).toEqual(['up-a', 'embed-a']);
    });

    it('/v1/models lists only the models of the key; aliases and wildcards follow the documented rule', async () => {
      const { key } = await generate({ models: ['model-a', 'team/*'] });
      const ids = (await client(key).models.list()).data.map((m) => m.id).sort();
      // alias-a resolves to the allowed group model-a; the wildcard pattern itself is not a model id.
      expect(ids).toEqual(['alias-a', 'model-a']);
      expect((await chat(key, 'alias-a')).model).toBe('alias-a');
      expect((await chat(key, 'team/some-model')).model).toBe('team/some-model');
      expect(up.last().body.model).toBe('some-model');
      await expect(chat(key, 'model-b')).rejects.toMatchObject({ status: 403 });

      const all = await generate({ models: ['all-proxy-models'] });
      expect((await chat(all.key, 'model-b')).model).toBe('model-b');
    });
  });

  describe('expiry', () => {
    it('an expired key is refused with 401 at once', async () => {
      const { key } = await generate({ duration: '1s' });
      expect((await chat(key, 'model-a')).model).toBe('model-a');
      await sleep(1100);
      const err = await chat(key, 'model-a').catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 401 });
      expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'authentication_error', message: 'This API key has expired.' });
    });
  });

  describe('limits', () => {
    it('rpm_limit: 429 with Retry-After and x-ratelimit-* headers once the minute is used up', async () => {
      const { key } = await generate({ rpm_limit: 2 });
      const ok = await client(key).chat.completions.create({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect(ok.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(ok.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
      await chat(key, 'model-a');
      const res = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect(up.requests).toHaveLength(2);
      // The master key is not limited.
      expect((await chat(MASTER_KEY, 'model-a')).model).toBe('model-a');
    });

    it('tpm_limit: once the tokens of this minute are used, further requests get 429', async () => {
      const { key } = await generate({ tpm_limit: 15 });
      await chat(key, 'model-a'); // the fake upstream reports 11 tokens
      await chat(key, 'model-a'); // 11 < 15 when it starts: allowed, now 22
      const err = await chat(key, 'model-a').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitError);
      expect((err as RateLimitError).headers.get('x-ratelimit-limit-tokens')).toBe('15');
    });

    it('max_parallel_requests: a second concurrent request is refused; slots come back after completion and client aborts', async () => {
      const { key } = await generate({ max_parallel_requests: 1 });
      up.enqueue({ delayMs: 300, body: { id: 'x', object: 'chat.completion', created: 1, model: 'up-a', choices: [{ index: 0, message: { role: 'assistant', content: 'slow' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } });
      const slow = chat(key, 'model-a');
      await sleep(100);
      await expect(chat(key, 'model-a')).rejects.toBeInstanceOf(RateLimitError);
      expect((await slow).choices[0].message.content).toBe('slow');
      expect((await chat(key, 'model-a')).model).toBe('model-a');

      // A stream the client abandons mid-way frees its slot.
      up.enqueue({ sse: Array.from({ length: 50 }, (_, i) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'up-a', choices: [{ index: 0, delta: { content: `t${i}` }, finish_reason: null }] })), chunkDelayMs: 50 });
      const controller = new AbortController();
      const stream = await client(key).chat.completions.create({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
      const it = stream[Symbol.asyncIterator]();
      await it.next();
      await expect(chat(key, 'model-a')).rejects.toBeInstanceOf(RateLimitError);
      controller.abort();
      await up.waitForClientAborts(1);
      await sleep(50);
      expect((await chat(key, 'model-a')).model).toBe('model-a');
    });

    it('per-deployment rpm: a saturated deployment is skipped while another can serve, then 429', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 2; i++) seen.add((await chat(MASTER_KEY, 'limited').withResponse()).response.headers.get('x-switchboard-deployment')!);
      expect([...seen].sort()).toEqual(['lim-1', 'lim-2']);
      const err = await chat(MASTER_KEY, 'limited').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitError);
      // The master key has no limits of its own: these headers describe the deployments' rpm.
      expectDeploymentLimitHeaders((err as RateLimitError).headers, 'requests', '1');
      expect(up.requests).toHaveLength(2);

      // tpm: 11 tokens, then 22 (under 15 when it started), then the deployment is full.
      await chat(MASTER_KEY, 'tpm-capped');
      await chat(MASTER_KEY, 'tpm-capped');
      const full = await chat(MASTER_KEY, 'tpm-capped').catch((e: unknown) => e);
      expect(full).toBeInstanceOf(RateLimitError);
      expect((full as RateLimitError).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expectDeploymentLimitHeaders((full as RateLimitError).headers, 'tokens', '15');

      // order 1 has rpm 1: the second request spills over to order 2.
      const first = await chat(MASTER_KEY, 'spill').withResponse();
      const second = await chat(MASTER_KEY, 'spill').withResponse();
      expect([first.response.headers.get('x-switchboard-deployment'), second.response.headers.get('x-switchboard-deployment')]).toEqual(['spill-small', 'spill-big']);
    });
  });

  describe('an open gateway (no master key)', () => {
    it('serves dummy keys, while a virtual key still gets its own model list', async () => {
      const openStore = await backend.create();
      // Keys are issued while a master key is configured; the gateway is later run without one.
      const closed = await startAdminGateway(yaml(up), openStore.location);
      let created;
      try {
        created = await admin(closed, 'POST', '/key/generate', { models: ['model-a'] });
      } finally {
        await closed.close();
      }
      expect(created.status).toBe(200);
      issued.push(created.body.key);
      const open = await startAdminGateway(yaml(up).replace(`general_settings:\n  master_key: ${MASTER_KEY}\n`, ''), openStore.location);
      try {
        // ...where the admin API is off, so nobody can mint more.
        const refused = await admin(open, 'POST', '/key/generate', { models: ['model-a'] }, null);
        expect(refused.status).toBe(403);
        expect(refused.body.error.message).toContain('admin API disabled');
        const c = (key: string) => new OpenAI({ baseURL: open.baseURL, apiKey: key, maxRetries: 0 });
        for (let i = 0; i < 3; i++) expect((await c('sk-dummy').chat.completions.create({ model: 'model-b', messages: [{ role: 'user', content: 'x' }] })).model).toBe('model-b');
        await expect(c(created.body.key).chat.completions.create({ model: 'model-b', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(PermissionDeniedError);
      } finally {
        await open.close();
        await openStore.dispose();
      }
    });
  });
});
