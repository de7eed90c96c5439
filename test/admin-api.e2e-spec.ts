import OpenAI, { NotFoundError } from 'openai';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { admin, AdminGateway, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * The admin REST API end to end, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: real app on
 * a loopback port, real store, fake upstreams as real HTTP servers, the official openai SDK.
 */
const SECRET_A = 'sk-upstream-secret-AAAA-1111222233334444';
const SECRET_B = 'sk-upstream-secret-BBBB-5555666677778888';

function baseYaml(upstreamUrl: string, extra = ''): string {
  return `
model_list:
  - model_name: file-model
    litellm_params:
      model: openai/file-upstream
      api_base: ${upstreamUrl}/v1
      api_key: sk-file-key-000000000000
    model_info: { id: file-1 }
  - model_name: openrouter/*
    litellm_params:
      model: openrouter/*
      api_base: ${upstreamUrl}/or/v1
      api_key: sk-or-key-0000000000000
router_settings:
  model_group_alias:
    file-alias: file-model
general_settings:
  master_key: ${MASTER_KEY}
${extra}`;
}

describeBackends('admin API', (backend) => {
  let store: TestStore;
  let upA: FakeUpstream;
  let upB: FakeUpstream;
  let gw: AdminGateway;
  let client: OpenAI;

  beforeAll(async () => {
    store = await backend.create();
    upA = await FakeUpstream.start();
    upB = await FakeUpstream.start();
    gw = await startAdminGateway(baseYaml(upA.url), store.location);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gw?.close();
    await upA?.close();
    await upB?.close();
    await store?.dispose();
  });

  beforeEach(() => {
    upA.reset();
    upB.reset();
  });

  const chat = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

  async function chatStreamText(model: string): Promise<string> {
    const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.model).toBe(model);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    return text;
  }

  async function responsesStreamText(model: string): Promise<string> {
    const stream = await client.responses.create({ model, input: 'hi', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    return text;
  }

  describe('authentication', () => {
    it.each([
      ['GET', '/model/info'],
      ['POST', '/model/new'],
      ['GET', '/alias'],
      ['GET', '/model/resolve?model=file-model'],
      ['POST', '/config/reload'],
    ])('%s %s: no key and a wrong key get 401', async (method, path) => {
      const body = method === 'POST' ? { model_name: 'x', litellm_params: { model: 'openai/x' } } : undefined;
      const none = await admin(gw, method, path, body, null);
      expect(none.status).toBe(401);
      expect(none.body.error.type).toBe('authentication_error');
      const wrong = await admin(gw, method, path, body, 'sk-wrong');
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('invalid_api_key');
    });
  });

  describe('model lifecycle', () => {
    it('adds a model, serves it on chat and responses (streamed too), updates its upstream, deletes it', async () => {
      const created = await admin(gw, 'POST', '/model/new', {
        model_name: 'rest-model',
        litellm_params: { model: 'openai/upstream-a', api_base: `${upA.url}/v1`, api_key: SECRET_A },
        model_info: { id: 'rest-1', mode: 'chat' },
      });
      expect(created.status).toBe(200);
      expect(created.body.model_info).toMatchObject({ id: 'rest-1', db_model: true, mode: 'chat' });
      expect(created.body.litellm_params).toMatchObject({ model: 'openai/upstream-a', api_key: 'sk-...4444' });
      expect(created.text).not.toContain(SECRET_A);

      const completion = await chat('rest-model');
      expect(completion.model).toBe('rest-model');
      expect(upA.last().body.model).toBe('upstream-a');
      expect(upA.last().headers.authorization).toBe(`Bearer ${SECRET_A}`);
      expect(await chatStreamText('rest-model')).toBe('Hello!');
      const response = await client.responses.create({ model: 'rest-model', input: 'hi' });
      expect(response.model).toBe('rest-model');
      expect(upA.last().path).toBe('/v1/responses');
      expect(upA.last().body.model).toBe('upstream-a');
      expect(await responsesStreamText('rest-model')).toBe('Hello');
      expect(upA.requests.every((r) => r.body.model === 'upstream-a')).toBe(true);

      // LiteLLM's /model/update: merge by model_info.id; api_key omitted = kept.
      const updated = await admin(gw, 'POST', '/model/update', {
        litellm_params: { model: 'openai/upstream-b', api_base: `${upB.url}/v1` },
        model_info: { id: 'rest-1' },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.litellm_params).toMatchObject({ model: 'openai/upstream-b', api_base: `${upB.url}/v1`, api_key: 'sk-...4444' });
      expect(updated.body.model_info.mode).toBe('chat');
      upA.reset();
      await chat('rest-model');
      expect(await responsesStreamText('rest-model')).toBe('Hello');
      expect(upA.requests).toHaveLength(0);
      expect(upB.requests.map((r) => [r.path, r.body.model, r.headers.authorization])).toEqual([
        ['/v1/chat/completions', 'upstream-b', `Bearer ${SECRET_A}`],
        ['/v1/responses', 'upstream-b', `Bearer ${SECRET_A}`],
      ]);

      // PATCH /model/{id}: same merge; null removes a field.
      const patched = await admin(gw, 'PATCH', '/model/rest-1', { litellm_params: { api_key: SECRET_B, timeout: 30 }, model_info: { mode: null } });
      expect(patched.status).toBe(200);
      expect(patched.body.litellm_params).toMatchObject({ api_key: 'sk-...8888', timeout: 30 });
      expect(patched.body.model_info.mode).toBeUndefined();
      await chat('rest-model');
      expect(upB.last().headers.authorization).toBe(`Bearer ${SECRET_B}`);

      const deleted = await admin(gw, 'POST', '/model/delete', { id: 'rest-1' });
      expect(deleted.status).toBe(200);
      await expect(chat('rest-model')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.responses.create({ model: 'rest-model', input: 'hi' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
      expect((await admin(gw, 'GET', '/model/info?litellm_model_id=rest-1')).status).toBe(404);
      expect((await admin(gw, 'POST', '/model/delete', { id: 'rest-1' })).status).toBe(404);
    });

    it('lists file and stored models with masked keys; /v1/model/info filters by litellm_model_id', async () => {
      await admin(gw, 'POST', '/model/new', {
        model_name: 'listed',
        litellm_params: { model: 'openai/listed', api_base: `${upA.url}/v1`, api_key: SECRET_A },
        model_info: { id: 'listed-1' },
      });
      const all = await admin(gw, 'GET', '/model/info');
      expect(all.status).toBe(200);
      const byId = Object.fromEntries(all.body.data.map((m: any) => [m.model_info.id, m]));
      expect(byId['file-1']).toMatchObject({ model_name: 'file-model', model_info: { source: 'file', db_model: false, editable: false } });
      expect(byId['file-1'].litellm_params.api_key).toBe('sk-...0000');
      expect(byId['listed-1']).toMatchObject({ model_name: 'listed', model_info: { source: 'db', db_model: true, editable: true } });
      expect(all.text).not.toContain(SECRET_A);
      expect(all.text).not.toContain('sk-file-key-000000000000');

      const one = await admin(gw, 'GET', '/v1/model/info?litellm_model_id=listed-1');
      expect(one.body.data).toHaveLength(1);
      expect(one.body.data[0].model_name).toBe('listed');

      const groups = await admin(gw, 'GET', '/model_group/info');
      const fileGroup = groups.body.data.find((g: any) => g.model_group === 'file-model');
      expect(fileGroup).toMatchObject({ providers: ['openai'], deployment_ids: ['file-1'], aliases: ['file-alias'], is_wildcard: false });
      expect(groups.body.data.find((g: any) => g.model_group === 'openrouter/*')).toMatchObject({ is_wildcard: true });
      await admin(gw, 'POST', '/model/delete', { id: 'listed-1' });
    });

    it('keeps a REST-added model across a restart on the same store', async () => {
      await admin(gw, 'POST', '/model/new', {
        model_name: 'durable',
        litellm_params: { model: 'openai/durable-up', api_base: `${upA.url}/v1`, api_key: SECRET_A },
        model_info: { id: 'durable-1' },
      });
      await admin(gw, 'PUT', '/alias/durable-alias', { model: 'durable' });
      await gw.close();
      gw = await startAdminGateway(baseYaml(upA.url), store.location);
      client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });

      const completion = await chat('durable-alias');
      expect(completion.model).toBe('durable-alias');
      expect(upA.last().body.model).toBe('durable-up');
      expect(upA.last().headers.authorization).toBe(`Bearer ${SECRET_A}`); // decrypted after the restart
      const info = await admin(gw, 'GET', '/model/info?litellm_model_id=durable-1');
      expect(info.body.data[0].litellm_params.api_key).toBe('sk-...4444');
      await admin(gw, 'DELETE', '/alias/durable-alias');
      await admin(gw, 'POST', '/model/delete', { id: 'durable-1' });
    });
  });

  describe('aliases', () => {
    const listed = async () => (await client.models.list()).data.map((m) => m.id);

    it('alias CRUD changes /v1/models and what requests resolve to', async () => {
      expect(await listed()).not.toContain('team-model');
      const put = await admin(gw, 'PUT', '/alias/team-model', { model: 'file-model' });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ name: 'team-model', model: 'file-model', hidden: false, source: 'db', editable: true });
      expect(await listed()).toContain('team-model');
      expect((await chat('team-model')).model).toBe('team-model');
      expect(upA.last().body.model).toBe('file-upstream');

      expect((await admin(gw, 'PUT', '/alias/team-model', { model: 'file-model', hidden: true })).body.hidden).toBe(true);
      expect(await listed()).not.toContain('team-model');
      expect((await chat('team-model')).model).toBe('team-model'); // hidden, still served

      expect((await admin(gw, 'GET', '/alias/team-model')).body.hidden).toBe(true);
      const all = await admin(gw, 'GET', '/alias');
      expect(all.body.data.map((a: any) => a.name).sort()).toEqual(['file-alias', 'team-model']);

      expect((await admin(gw, 'DELETE', '/alias/team-model')).status).toBe(200);
      expect(await listed()).not.toContain('team-model');
      await expect(chat('team-model')).rejects.toBeInstanceOf(NotFoundError);
      expect((await admin(gw, 'GET', '/alias/team-model')).status).toBe(404);
      expect((await admin(gw, 'DELETE', '/alias/team-model')).status).toBe(404);
    });

    it('aliases with slashes in their name work', async () => {
      expect((await admin(gw, 'PUT', '/alias/team/gpt', { model: 'file-model' })).status).toBe(200);
      expect((await chat('team/gpt')).model).toBe('team/gpt');
      expect((await admin(gw, 'DELETE', '/alias/team/gpt')).status).toBe(200);
    });

    it('rejects alias to nowhere, alias cycles, a name clashing with a model, and file aliases', async () => {
      const nowhere = await admin(gw, 'PUT', '/alias/ghost', { model: 'no-such-model' });
      expect(nowhere.status).toBe(400);
      expect(nowhere.body.error.message).toContain("alias target 'no-such-model' is not a configured model_name or wildcard");

      expect((await admin(gw, 'PUT', '/alias/loop-a', { model: 'file-model' })).status).toBe(200);
      expect((await admin(gw, 'PUT', '/alias/loop-b', { model: 'loop-a' })).status).toBe(200);
      const cycle = await admin(gw, 'PUT', '/alias/loop-a', { model: 'loop-b' });
      expect(cycle.status).toBe(400);
      expect(cycle.body.error.message).toContain('alias cycle');
      expect((await chat('loop-b')).model).toBe('loop-b'); // the rejected write changed nothing
      await admin(gw, 'DELETE', '/alias/loop-b');
      await admin(gw, 'DELETE', '/alias/loop-a');

      const clash = await admin(gw, 'PUT', '/alias/file-model', { model: 'file-alias' });
      expect(clash.status).toBe(400);

      const fileAlias = await admin(gw, 'PUT', '/alias/file-alias', { model: 'openrouter/x' });
      expect(fileAlias.status).toBe(400);
      expect(fileAlias.body.error.message).toMatch(/comes from the config file and is read-only/);
      expect((await admin(gw, 'DELETE', '/alias/file-alias')).status).toBe(400);
      expect((await admin(gw, 'PUT', '/alias/x', { model: 'file-model', extra: 1 })).status).toBe(400);
    });
  });

  describe('GET /model/resolve', () => {
    it.each([
      ['exact', 'file-model', 'file-upstream', '/v1/chat/completions'],
      ['alias', 'file-alias', 'file-upstream', '/v1/chat/completions'],
      ['wildcard', 'openrouter/meta/llama-3', 'meta/llama-3', '/or/v1/chat/completions'],
    ])('%s: the dry-run names what the upstream then receives', async (via, name, upstreamModel, path) => {
      const dry = await admin(gw, 'GET', `/model/resolve?model=${encodeURIComponent(name)}&endpoint=chat`);
      expect(dry.status).toBe(200);
      expect(dry.body.via).toBe(via);
      expect(dry.body.candidates).toHaveLength(1);
      const candidate = dry.body.candidates[0];
      expect(candidate).toMatchObject({ provider: via === 'wildcard' ? 'openrouter' : 'openai', upstream_model: upstreamModel, has_api_key: true });
      expect(JSON.stringify(dry.body)).not.toMatch(/sk-(file|or)-key/);

      await chat(name);
      expect(upA.last().body.model).toBe(candidate.upstream_model);
      expect(`${upA.url}${upA.last().path}`).toBe(`${candidate.api_base}/chat/completions`);
      expect(upA.last().path).toBe(path);
    });

    it('explains alias chains and wildcard captures, and answers 404/400 like a request would', async () => {
      await admin(gw, 'PUT', '/alias/or-llama', { model: 'openrouter/meta/llama-3' });
      const viaAlias = await admin(gw, 'GET', '/model/resolve?model=or-llama&endpoint=responses');
      expect(viaAlias.body).toMatchObject({
        group: 'openrouter/*',
        via: 'alias',
        alias_chain: ['or-llama'],
        wildcard: { pattern: 'openrouter/*', captures: ['meta/llama-3'] },
      });
      expect(viaAlias.body.reason).toContain('alias or-llama -> openrouter/meta/llama-3');
      await client.responses.create({ model: 'or-llama', input: 'hi' });
      expect(upA.last().body.model).toBe(viaAlias.body.candidates[0].upstream_model);
      await admin(gw, 'DELETE', '/alias/or-llama');

      const missing = await admin(gw, 'GET', '/model/resolve?model=nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('model_not_found');
      expect((await admin(gw, 'GET', '/model/resolve?model=file-model&endpoint=images')).status).toBe(400);
      // Rerank is an endpoint like the others; an OpenAI deployment cannot serve it (the 400 a request gets).
      const rerank = await admin(gw, 'GET', '/model/resolve?model=file-model&endpoint=rerank');
      expect(rerank.status).toBe(400);
      expect(rerank.body.error.message).toContain('does not support rerank');
      expect((await admin(gw, 'GET', '/model/resolve')).status).toBe(400);
    });
  });

  describe('validation', () => {
    const newModel = (overrides: Record<string, unknown> = {}, params: Record<string, unknown> = {}) => ({
      model_name: 'v-model',
      litellm_params: { model: 'openai/x', api_base: 'http://127.0.0.1:9/v1', ...params },
      ...overrides,
    });

    it.each([
      ['unknown top-level field', 'surprise', newModel({ surprise: true })],
      ['unknown litellm_params field', 'litellm_params.api_bsae', newModel({}, { api_bsae: 'http://x' })],
      ['unknown model_info field', 'model_info.colour', newModel({ model_info: { id: 'ok-id', colour: 'red' } })],
      ['unknown provider', 'litellm_params.model', newModel({}, { model: 'nosuch/model' })],
      ['missing litellm_params.model', 'litellm_params.model', { model_name: 'v', litellm_params: { api_base: 'http://127.0.0.1:1' } }],
      ['wildcard with more * than the name', 'litellm_params.model', newModel({ model_name: 'fixed' }, { model: 'openai/*' })],
      ['api_base that is not a URL', 'litellm_params.api_base', newModel({}, { api_base: 'file:///etc/passwd' })],
      ['wrong type', 'litellm_params.timeout', newModel({}, { timeout: 'soon' })],
      ['bad id', 'model_info.id', newModel({ model_info: { id: '../etc' } })],
      ['non-string header', 'litellm_params.extra_headers', newModel({}, { extra_headers: { 'x-a': 1 } })],
    ] as [string, string, unknown][])('%s → 400 naming %s', async (_label, param, body) => {
      const res = await admin(gw, 'POST', '/model/new', body);
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
      expect(res.body.error.param).toBe(param);
    });

    it("azure without api_version is accepted with LiteLLM's default api_version, as in the config file", async () => {
      const res = await admin(gw, 'POST', '/model/new', newModel({ model_name: 'azure-default', model_info: { id: 'azure-default-1' } }, { model: 'azure/dep' }));
      expect(res.status).toBe(200);
      const resolved = await admin(gw, 'GET', '/model/resolve?model=azure-default');
      expect(JSON.stringify(resolved.body)).toContain('2025-02-01-preview');
      expect((await admin(gw, 'POST', '/model/delete', { id: 'azure-default-1' })).status).toBe(200);
    });

    it('rejects oversized bodies, non-objects, duplicate ids and bad ids in paths', async () => {
      const huge = await admin(gw, 'POST', '/model/new', newModel({}, { organization: 'x'.repeat(70_000) }));
      expect(huge.status).toBe(413);
      expect((await admin(gw, 'POST', '/model/new', [1, 2])).status).toBe(400);
      expect((await admin(gw, 'POST', '/model/new', newModel({ model_info: { id: 'file-1' } }))).body.error.param).toBe('model_info.id');
      expect((await admin(gw, 'PATCH', '/model/%01x', { model_name: 'y' })).status).toBe(400);
      expect((await admin(gw, 'PATCH', '/model/unknown-id', { model_name: 'y' })).status).toBe(404);
      expect((await admin(gw, 'POST', '/model/update', { model_name: 'y', model_info: {} })).body.error.param).toBe('model_info.id');
      expect((await admin(gw, 'POST', '/model/delete', { id: 'x', also: 1 })).status).toBe(400);
    });

    it('an invalid update changes nothing', async () => {
      await admin(gw, 'POST', '/model/new', newModel({ model_name: 'stable', model_info: { id: 'stable-1' } }, { model: 'openai/stable-up', api_base: `${upA.url}/v1` }));
      const bad = await admin(gw, 'POST', '/model/update', { litellm_params: { model: 'nosuch/x' }, model_info: { id: 'stable-1' } });
      expect(bad.status).toBe(400);
      await chat('stable');
      expect(upA.last().body.model).toBe('stable-up');
      await admin(gw, 'POST', '/model/delete', { id: 'stable-1' });
    });

    it('config-file models are read-only over REST', async () => {
      for (const [method, path, body] of [
        ['POST', '/model/update', { litellm_params: { model: 'openai/other' }, model_info: { id: 'file-1' } }],
        ['PATCH', '/model/file-1', { model_name: 'renamed' }],
        ['POST', '/model/delete', { id: 'file-1' }],
      ] as const) {
        const res = await admin(gw, method, path, body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain("Model 'file-1' comes from the config file and is read-only over REST");
      }
      await chat('file-model');
      expect(upA.last().body.model).toBe('file-upstream');
    });
  });

  describe('secrets', () => {
    it('api_key is encrypted at rest and never returned', async () => {
      const res = await admin(gw, 'POST', '/model/new', {
        model_name: 'secretive',
        litellm_params: { model: 'openai/s', api_base: `${upA.url}/v1`, api_key: SECRET_B, extra_headers: { 'x-api-token': SECRET_A } },
        model_info: { id: 'secret-1' },
      });
      expect(res.status).toBe(200);
      const rows = await store.rows('models');
      const raw = JSON.stringify(rows);
      expect(raw).toContain('secret-1');
      expect(raw).not.toContain(SECRET_B);
      expect(raw).not.toContain(SECRET_A); // a credential header is sealed like the key
      const row = rows.find((r) => r.id === 'secret-1')!;
      expect(String(row.api_key_enc)).toMatch(/^v1:/);
      expect(String(row.secrets_enc)).toMatch(/^v1:/);
      for (const path of ['/model/info', '/model/info?litellm_model_id=secret-1', '/model_group/info', '/model/resolve?model=secretive']) {
        const out = await admin(gw, 'GET', path);
        expect(out.text).not.toContain(SECRET_B);
        expect(out.text).not.toContain(SECRET_A);
      }
      await admin(gw, 'POST', '/model/delete', { id: 'secret-1' });
    });
  });

  describe('POST /config/reload', () => {
    it('re-reads the YAML and keeps stored models on top; a broken file changes nothing', async () => {
      await admin(gw, 'POST', '/model/new', {
        model_name: 'kept',
        litellm_params: { model: 'openai/kept-up', api_base: `${upA.url}/v1` },
        model_info: { id: 'kept-1' },
      });
      gw.writeConfig(
        baseYaml(upA.url).replace('model_list:', `model_list:\n  - model_name: reloaded\n    litellm_params: { model: openai/reloaded-up, api_base: ${upA.url}/v1 }`),
      );
      const ok = await admin(gw, 'POST', '/config/reload');
      expect(ok.body.error).toBeUndefined();
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('ok');
      await chat('reloaded');
      expect(upA.last().body.model).toBe('reloaded-up');
      await chat('kept');
      expect(upA.last().body.model).toBe('kept-up');

      gw.writeConfig(baseYaml(upA.url).replace('model: openai/file-upstream', 'model: nosuch/file-upstream'));
      const broken = await admin(gw, 'POST', '/config/reload');
      expect(broken.status).toBe(400);
      expect(broken.body.error.message).toContain('model_list[0].litellm_params.model');
      await chat('reloaded'); // still the previous config
      expect(upA.last().body.model).toBe('reloaded-up');

      gw.writeConfig(baseYaml(upA.url));
      expect((await admin(gw, 'POST', '/config/reload')).status).toBe(200);
      await expect(chat('reloaded')).rejects.toBeInstanceOf(NotFoundError);
      await admin(gw, 'POST', '/model/delete', { id: 'kept-1' });
    });
  });
});
