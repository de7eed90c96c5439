import OpenAI from 'openai';
import { ModelsRepository } from '../src/store/models.repository.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { admin, AdminGateway, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * Admin answers mask credentials, and models are commonly edited by reading one, changing a field
 * and sending the object back. The masks that come back must leave the stored credentials as they
 * are (on SQLite and PostgreSQL): the fake upstreams answer 401 to anything but the real ones. A
 * mask that is not the stored value's is refused, and os.environ references round-trip as written.
 */
const API_KEY = 'sk-upstream-9Vb3Qe7Lp2Wd';
const KEY_HEADER = 'kh-token-4Rt6Yu8Io0Pa';
const PASSWORD = 'proxy-pw-7Hq2Lm9Xr4Zt';
const BASIC = `Basic ${Buffer.from(`proxyuser:${PASSWORD}`).toString('base64')}`;
const PROXY_TOKEN = 'hdr-token-5Kd8Pz1Wq6Yv';
const ENV_KEY = 'sk-from-env-2Mn4Bv6Cx8Za';
const ENV_HEADER = 'env-header-8Ju7Hy6Gt5Fr';
const SECRET_FORMS = [API_KEY, KEY_HEADER, PASSWORD, BASIC.slice('Basic '.length), PROXY_TOKEN, ENV_KEY, ENV_HEADER];

const YAML = `model_list: []\ngeneral_settings:\n  master_key: ${MASTER_KEY}\n`;

function expectNoSecrets(text: string): void {
  for (const secret of SECRET_FORMS) expect(text).not.toContain(secret);
}

describeBackends('masked credentials sent back over the admin API', (backend) => {
  let store: TestStore;
  /** A provider that wants the api_key as Bearer token and a credential header. */
  let keyed: FakeUpstream;
  /** An auth proxy that wants the Basic credentials from api_base and a credential header. */
  let proxied: FakeUpstream;
  /** The same proxy after a move to another address: same credentials. */
  let moved: FakeUpstream;
  /** A provider whose credentials the models reference as os.environ/NAME. */
  let fromEnv: FakeUpstream;
  let gw: AdminGateway;

  const withPassword = (url: string, user = 'proxyuser') => url.replace('http://', `http://${user}:${PASSWORD}@`);
  const masked = (url: string, user = 'proxyuser') => url.replace('http://', `http://${user}:***@`);
  const chat = (model: string) =>
    new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  const modelRow = async (id: string) => (await store.rows('models')).find((r) => r.id === id)!;
  /** The row as the store opens it: what the sealed columns really hold. */
  const unsealed = async (id: string) => (await gw.app.get(ModelsRepository).get(id))!.litellmParams as Record<string, any>;
  const info = async (id: string) => {
    const res = await admin(gw, 'GET', `/model/info?litellm_model_id=${id}`);
    expect(res.status).toBe(200);
    return res.body.data[0] as { model_name: string; litellm_params: Record<string, any> };
  };

  const keyedBody = () => ({
    model_name: 'keyed',
    litellm_params: { model: 'openai/up-k', api_base: `${keyed.url}/v1`, api_key: API_KEY, extra_headers: { 'x-upstream-token': KEY_HEADER, 'x-team': 'blue' } },
    model_info: { id: 'keyed-1' },
  });
  const proxiedBody = () => ({
    model_name: 'proxied',
    litellm_params: { model: 'openai/up-p', api_base: `${withPassword(proxied.url)}/v1`, extra_headers: { 'X-Proxy-Token': PROXY_TOKEN } },
    model_info: { id: 'proxy-1' },
  });

  beforeAll(async () => {
    process.env.MASKTEST_API_KEY = ENV_KEY;
    process.env.MASKTEST_HEADER_API_KEY = ENV_HEADER;
    store = await backend.create();
    keyed = await FakeUpstream.start();
    keyed.requireAuthorization = `Bearer ${API_KEY}`;
    keyed.requireHeaders = { 'x-upstream-token': KEY_HEADER };
    proxied = await FakeUpstream.start();
    moved = await FakeUpstream.start();
    for (const proxy of [proxied, moved]) {
      proxy.requireAuthorization = BASIC;
      proxy.requireHeaders = { 'x-proxy-token': PROXY_TOKEN };
    }
    fromEnv = await FakeUpstream.start();
    fromEnv.requireAuthorization = `Bearer ${ENV_KEY}`;
    fromEnv.requireHeaders = { 'x-api-key': ENV_HEADER };
    gw = await startAdminGateway(YAML, store.location);
  });

  afterAll(async () => {
    await gw?.close();
    for (const fake of [keyed, proxied, moved, fromEnv]) await fake?.close();
    await store?.dispose();
    delete process.env.MASKTEST_API_KEY;
    delete process.env.MASKTEST_HEADER_API_KEY;
  });

  beforeEach(async () => {
    for (const fake of [keyed, proxied, moved, fromEnv]) fake.reset();
    for (const body of [keyedBody(), proxiedBody()]) expect((await admin(gw, 'POST', '/model/new', body)).status).toBe(200);
  });

  afterEach(async () => {
    for (const id of ['keyed-1', 'proxy-1', 'env-1']) await admin(gw, 'POST', '/model/delete', { id });
  });

  it('read-modify-write over /model/update and PATCH keeps the real credentials, sealed, and the model keeps working', async () => {
    const keyedView = await info('keyed-1');
    expect(keyedView.litellm_params).toMatchObject({ api_key: 'sk-...p2Wd', extra_headers: { 'x-upstream-token': 'kh-...o0Pa' } });
    const updated = await admin(gw, 'POST', '/model/update', {
      model_name: keyedView.model_name,
      litellm_params: { ...keyedView.litellm_params, timeout: 42 },
      model_info: { id: 'keyed-1' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.litellm_params).toMatchObject({ timeout: 42, api_key: keyedView.litellm_params.api_key });
    expectNoSecrets(updated.text);

    const proxiedView = await info('proxy-1');
    expect(proxiedView.litellm_params.api_base).toBe(`${masked(proxied.url)}/v1`);
    const patched = await admin(gw, 'PATCH', '/model/proxy-1', { litellm_params: { ...proxiedView.litellm_params, max_retries: 0 } });
    expect(patched.status).toBe(200);
    expectNoSecrets(patched.text);

    expect((await chat('keyed')).model).toBe('keyed');
    expect(keyed.last().headers['x-team']).toBe('blue');
    expect((await chat('proxied')).model).toBe('proxied');

    // At rest: sealed, and what the seals hold are the real values, not their masks.
    const raw = await store.rows('models');
    expectNoSecrets(JSON.stringify(raw));
    expect(JSON.stringify(raw)).not.toContain('...');
    const keyedRow = raw.find((r) => r.id === 'keyed-1')!;
    expect(String(keyedRow.api_key_enc)).toMatch(/^v1:/);
    expect(String(keyedRow.secrets_enc)).toMatch(/^v1:/);
    expect(JSON.parse(String(keyedRow.litellm_params))).toMatchObject({ timeout: 42, extra_headers: { 'x-team': 'blue' } });
    expect(String(raw.find((r) => r.id === 'proxy-1')!.secrets_enc)).toMatch(/^v1:/);
    expect(await unsealed('keyed-1')).toMatchObject({ api_key: API_KEY, extra_headers: { 'x-upstream-token': KEY_HEADER, 'x-team': 'blue' } });
    expect(await unsealed('proxy-1')).toMatchObject({ api_base: `${withPassword(proxied.url)}/v1`, extra_headers: { 'X-Proxy-Token': PROXY_TOKEN }, max_retries: 0 });
  });

  it('the whole object from /model/info, sent back unchanged, is accepted; its computed model_info fields are not stored', async () => {
    const view = (await admin(gw, 'GET', '/model/info?litellm_model_id=keyed-1')).body.data[0];
    expect(view.model_info).toMatchObject({ id: 'keyed-1', db_model: true, source: 'db', editable: true });
    expect(view.model_info.created_at).toEqual(expect.any(String));
    const sent = { ...view, model_info: { ...view.model_info, description: 'edited' } };
    const updated = await admin(gw, 'POST', '/model/update', sent);
    expect(updated.status).toBe(200);
    expect(updated.body.model_info).toMatchObject({ id: 'keyed-1', description: 'edited', db_model: true });
    const patched = await admin(gw, 'PATCH', '/model/keyed-1', { ...view, model_info: { ...view.model_info, editable: false, source: 'file' } });
    expect(patched.status).toBe(200);
    expect(patched.body.model_info).toMatchObject({ source: 'db', editable: true });
    expect((await chat('keyed')).model).toBe('keyed');
    const storedInfo = JSON.parse(String((await modelRow('keyed-1')).model_info));
    expect(storedInfo).toEqual({ id: 'keyed-1', description: 'edited' });
    // Still strict: a field that no view produces is refused.
    const typo = await admin(gw, 'POST', '/model/update', { ...view, model_info: { ...view.model_info, descripton: 'x' } });
    expect(typo.status).toBe(400);
    expect(typo.body.error.param).toBe('model_info.descripton');
  });

  it('a masked-looking credential that is not the stored one is refused naming the field, and nothing changes', async () => {
    const before = await Promise.all(['keyed-1', 'proxy-1'].map(modelRow));
    const refusals: [string, string, object][] = [
      ['keyed-1', 'litellm_params.api_key', { api_key: 'sk-...zzzz' }],
      ['keyed-1', 'litellm_params.api_key', { api_key: '****' }],
      ['keyed-1', 'litellm_params.extra_headers.x-upstream-token', { extra_headers: { 'x-upstream-token': 'kh-...zzzz', 'x-team': 'blue' } }],
      // A mask of a value stored under another header is not this header's.
      ['keyed-1', 'litellm_params.extra_headers.authorization', { extra_headers: { authorization: 'sk-...p2Wd' } }],
      ['proxy-1', 'litellm_params.api_base', { api_base: `${masked(proxied.url, 'someone-else')}/v1` }],
      ['keyed-1', 'litellm_params.api_base', { api_base: `${masked(keyed.url)}/v1` }],
    ];
    for (const [id, param, params] of refusals) {
      for (const [method, path, body] of [
        ['PATCH', `/model/${id}`, { litellm_params: params }],
        ['POST', '/model/update', { litellm_params: params, model_info: { id } }],
      ] as const) {
        const res = await admin(gw, method, path, body);
        expect({ path, params, status: res.status, param: res.body.error?.param }).toEqual({ path, params, status: 400, param });
        expect(res.body.error.message).toMatch(/looks like a masked value.*send the real (secret|password) or omit the field/);
      }
    }
    expect(await Promise.all(['keyed-1', 'proxy-1'].map(modelRow))).toEqual(before);

    // A new model has nothing for a mask to stand for; a copy of another model's answer is refused the same way.
    const copy = (await info('keyed-1')).litellm_params;
    const creations: [string, object][] = [
      ['litellm_params.api_key', { ...copy, extra_headers: undefined }],
      ['litellm_params.extra_headers.x-upstream-token', { ...copy, api_key: API_KEY }],
      ['litellm_params.api_base', { model: 'openai/up-c', api_base: `${masked(proxied.url)}/v1` }],
    ];
    for (const [param, litellm_params] of creations) {
      const res = await admin(gw, 'POST', '/model/new', { model_name: 'copy', litellm_params, model_info: { id: 'copy-1' } });
      expect({ status: res.status, param: res.body.error?.param }).toEqual({ status: 400, param });
      expect(res.body.error.message).toContain('looks like a masked value; send the real secret or omit the field');
      expectNoSecrets(res.text);
    }
    expect((await admin(gw, 'GET', '/model/info?litellm_model_id=copy-1')).status).toBe(404);
    expect((await store.rows('models')).map((r) => r.id).sort()).toEqual(['keyed-1', 'proxy-1']);
  });

  it('a masked password follows a new host for the same user name; another user name is refused', async () => {
    const view = await info('proxy-1');
    const newBase = `${masked(moved.url)}/v2`;
    const res = await admin(gw, 'POST', '/model/update', {
      model_name: view.model_name,
      litellm_params: { ...view.litellm_params, api_base: newBase },
      model_info: { id: 'proxy-1' },
    });
    expect(res.status).toBe(200);
    expect(res.body.litellm_params.api_base).toBe(newBase);
    expectNoSecrets(res.text);
    expect((await chat('proxied')).model).toBe('proxied');
    expect(moved.last().path).toBe('/v2/chat/completions');
    expect(proxied.requests).toHaveLength(0);
    expect((await unsealed('proxy-1')).api_base).toBe(`${withPassword(moved.url)}/v2`);
    expectNoSecrets(JSON.stringify(await store.rows('models')));

    const before = await modelRow('proxy-1');
    const other = await admin(gw, 'PATCH', '/model/proxy-1', { litellm_params: { api_base: `${masked(proxied.url, 'admin')}/v1` } });
    expect(other.status).toBe(400);
    expect(other.body.error.param).toBe('litellm_params.api_base');
    expect(other.body.error.message).toContain('a masked password keeps the stored one only for the same user name');
    expect(await modelRow('proxy-1')).toEqual(before);
  });

  it('os.environ references are shown as written and round-trip unchanged', async () => {
    const created = await admin(gw, 'POST', '/model/new', {
      model_name: 'env',
      litellm_params: {
        model: 'openai/up-e',
        api_base: `${fromEnv.url}/v1`,
        api_key: 'os.environ/MASKTEST_API_KEY',
        extra_headers: { 'x-api-key': 'os.environ/MASKTEST_HEADER_API_KEY' },
      },
      model_info: { id: 'env-1' },
    });
    expect(created.status).toBe(200);
    const view = await info('env-1');
    expect(view.litellm_params).toMatchObject({ api_key: 'os.environ/MASKTEST_API_KEY', extra_headers: { 'x-api-key': 'os.environ/MASKTEST_HEADER_API_KEY' } });
    const res = await admin(gw, 'POST', '/model/update', {
      model_name: view.model_name,
      litellm_params: { ...view.litellm_params, timeout: 30 },
      model_info: { id: 'env-1' },
    });
    expect(res.status).toBe(200);
    expect(res.body.litellm_params).toMatchObject({ api_key: 'os.environ/MASKTEST_API_KEY', timeout: 30 });
    expectNoSecrets(res.text);
    expect((await chat('env')).model).toBe('env');

    const row = await modelRow('env-1');
    expect(row.api_key_enc).toBeNull();
    expect(row.secrets_enc).toBeNull();
    expect(JSON.parse(String(row.litellm_params))).toMatchObject({
      api_key: 'os.environ/MASKTEST_API_KEY',
      extra_headers: { 'x-api-key': 'os.environ/MASKTEST_HEADER_API_KEY' },
      timeout: 30,
    });
  });
});
