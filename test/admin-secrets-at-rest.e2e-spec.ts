import OpenAI from 'openai';
import { StoreService } from '../src/store/store.service.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { admin, AdminGateway, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * Credentials a model written over REST carries besides api_key — a password in api_base,
 * credential headers in extra_headers — are sealed in the store like the api_key, on SQLite and
 * PostgreSQL: the raw row never holds them, the upstream still gets them, admin answers mask
 * them, and a new app on the same store serves them.
 */
const PASSWORD = 'proxy-pw-7Hq2Lm9Xr4Zt';
const BASIC = `Basic ${Buffer.from(`proxyuser:${PASSWORD}`).toString('base64')}`;
const HEADER_TOKEN = 'hdr-token-5Kd8Pz1Wq6Yv';
const BEARER_TOKEN = 'hdr-bearer-3Nf7Tb2Gs9Jc';
const SECRET_FORMS = [PASSWORD, BASIC.slice('Basic '.length), HEADER_TOKEN, BEARER_TOKEN];

const YAML = `model_list: []\ngeneral_settings:\n  master_key: ${MASTER_KEY}\n`;

function expectNoSecrets(text: string): void {
  for (const secret of SECRET_FORMS) expect(text).not.toContain(secret);
}

describeBackends('secrets at rest besides api_key', (backend) => {
  let store: TestStore;
  /** An auth proxy: 401 unless the Basic credentials from api_base arrive. */
  let proxied: FakeUpstream;
  /** A provider reached with a bearer token configured as an extra header. */
  let bearer: FakeUpstream;
  let gw: AdminGateway;

  const withPassword = (url: string) => url.replace('http://', `http://proxyuser:${PASSWORD}@`);
  const masked = (url: string) => url.replace('http://', 'http://proxyuser:***@');
  const client = () => new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
  const chat = (model: string) => client().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  const modelRow = async (id: string) => (await store.rows('models')).find((r) => r.id === id)!;

  async function restart(logs?: string[]): Promise<void> {
    await gw.close();
    gw = await startAdminGateway(YAML, store.location, { logs });
  }

  beforeAll(async () => {
    store = await backend.create();
    proxied = await FakeUpstream.start();
    proxied.requireAuthorization = BASIC;
    bearer = await FakeUpstream.start();
    bearer.requireAuthorization = `Bearer ${BEARER_TOKEN}`;
    gw = await startAdminGateway(YAML, store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await proxied?.close();
    await bearer?.close();
    await store?.dispose();
  });

  beforeEach(() => {
    proxied.reset();
    bearer.reset();
  });

  it('an api_base password and credential headers are sealed at rest, sent upstream, masked in answers, and served after a restart', async () => {
    const proxiedBody = {
      model_name: 'proxied',
      litellm_params: { model: 'openai/up-p', api_base: `${withPassword(proxied.url)}/v1`, extra_headers: { 'x-proxy-token': HEADER_TOKEN, 'x-team': 'blue' } },
      model_info: { id: 'proxy-1' },
    };
    const bearerBody = {
      model_name: 'bearer',
      litellm_params: { model: 'openai/up-b', api_base: `${bearer.url}/v1`, extra_headers: { Authorization: `Bearer ${BEARER_TOKEN}` } },
      model_info: { id: 'bearer-1' },
    };
    try {
      for (const body of [proxiedBody, bearerBody]) {
        const created = await admin(gw, 'POST', '/model/new', body);
        expect(created.status).toBe(200);
        expectNoSecrets(created.text);
      }
      const info = await admin(gw, 'GET', '/model/info?litellm_model_id=proxy-1');
      expect(info.body.data[0].litellm_params.api_base).toBe(`${masked(proxied.url)}/v1`);
      expect(info.body.data[0].litellm_params.extra_headers).toEqual({ 'x-proxy-token': 'hdr-...q6Yv', 'x-team': 'blue' });

      // At rest: the sealed column holds them; the clear JSON keeps the masked base and the harmless header.
      const raw = await store.rows('models');
      expectNoSecrets(JSON.stringify(raw));
      const proxyRow = raw.find((r) => r.id === 'proxy-1')!;
      expect(String(proxyRow.secrets_enc)).toMatch(/^v1:/);
      expect(JSON.parse(String(proxyRow.litellm_params))).toMatchObject({ api_base: `${masked(proxied.url)}/v1`, extra_headers: { 'x-team': 'blue' } });
      const bearerRow = raw.find((r) => r.id === 'bearer-1')!;
      expect(String(bearerRow.secrets_enc)).toMatch(/^v1:/);
      expect(JSON.parse(String(bearerRow.litellm_params))).toEqual({ model: 'openai/up-b', api_base: `${bearer.url}/v1` });

      // The fakes answer 401 to anything but the real credentials.
      expect((await chat('proxied')).model).toBe('proxied');
      expect(proxied.last().headers['x-proxy-token']).toBe(HEADER_TOKEN);
      expect(proxied.last().headers['x-team']).toBe('blue');
      expect((await chat('bearer')).model).toBe('bearer');

      for (const path of ['/model/info', '/v1/model/info', '/model_group/info', '/model/resolve?model=proxied', '/model/resolve?model=bearer']) {
        const res = await admin(gw, 'GET', path);
        expect(res.status).toBe(200);
        expectNoSecrets(res.text);
      }

      // A write that does not touch them keeps the real values, not their masks.
      const patched = await admin(gw, 'PATCH', '/model/proxy-1', { litellm_params: { timeout: 30 } });
      expect(patched.status).toBe(200);
      expectNoSecrets(patched.text);
      expectNoSecrets(JSON.stringify(await store.rows('models')));
      await chat('proxied');

      await restart();
      expect((await chat('proxied')).model).toBe('proxied');
      expect(proxied.last().headers['x-proxy-token']).toBe(HEADER_TOKEN);
      expect((await chat('bearer')).model).toBe('bearer');
      expect(proxied.requests.every((r) => r.headers.authorization === BASIC)).toBe(true);
    } finally {
      await admin(gw, 'POST', '/model/delete', { id: 'proxy-1' });
      await admin(gw, 'POST', '/model/delete', { id: 'bearer-1' });
    }
  });

  it('a row an older version wrote with those values in clear is still served, and sealed by the next write', async () => {
    const now = new Date().toISOString();
    // The shape earlier versions wrote: everything but the api_key as plain JSON.
    await gw.app
      .get(StoreService)
      .db.insertInto('models')
      .values({
        id: 'legacy-1',
        model_name: 'legacy',
        litellm_params: JSON.stringify({ model: 'openai/up-l', api_base: `${withPassword(proxied.url)}/v1`, extra_headers: { 'x-proxy-token': HEADER_TOKEN } }),
        api_key_enc: null,
        model_info: JSON.stringify({ id: 'legacy-1' }),
        deleted: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const logs: string[] = [];
    await restart(logs);
    try {
      const log = logs.join('');
      expect(log).toContain(
        "stored model 'legacy-1': litellm_params.api_base, litellm_params.extra_headers.x-proxy-token are stored in clear by an older version; " +
          'the next write to the model encrypts them (an empty PATCH /model/legacy-1 will do)',
      );
      expectNoSecrets(log);
      expect((await chat('legacy')).model).toBe('legacy');
      expect(proxied.last().headers['x-proxy-token']).toBe(HEADER_TOKEN);

      expect((await admin(gw, 'PATCH', '/model/legacy-1', {})).status).toBe(200);
      const row = await modelRow('legacy-1');
      expectNoSecrets(JSON.stringify(row));
      expect(String(row.secrets_enc)).toMatch(/^v1:/);

      const after: string[] = [];
      await restart(after);
      expect(after.join('')).not.toContain('stored in clear');
      expect((await chat('legacy')).model).toBe('legacy');
      expect(proxied.last().headers['x-proxy-token']).toBe(HEADER_TOKEN);
    } finally {
      await admin(gw, 'POST', '/model/delete', { id: 'legacy-1' });
    }
  });

  it('sealed values that no longer open (the salt key changed) stop the deployment with the reason; the mask is never sent', async () => {
    const bodies = [
      { model_name: 'resealed', litellm_params: { model: 'openai/up-r', api_base: `${withPassword(proxied.url)}/v1`, extra_headers: { 'x-proxy-token': HEADER_TOKEN } }, model_info: { id: 'resealed-1' } },
      { model_name: 'rekeyed', litellm_params: { model: 'openai/up-k', api_base: `${bearer.url}/v1`, api_key: BEARER_TOKEN }, model_info: { id: 'rekeyed-1' } },
    ];
    for (const body of bodies) expect((await admin(gw, 'POST', '/model/new', body)).status).toBe(200);
    const failure = (model: string) =>
      chat(model).then(
        () => undefined,
        (e: unknown) => e as { status: number; code: string; message: string },
      );
    const saved = process.env.SWITCHBOARD_SALT_KEY;
    process.env.SWITCHBOARD_SALT_KEY = 'a-different-salt-key-6f5e4d3c';
    const logs: string[] = [];
    try {
      await restart(logs);
      const sealed = await failure('resealed');
      expect(sealed?.status).toBe(502);
      expect(sealed?.code).toBe('deployment_misconfigured');
      expect(sealed?.message).toContain("Deployment 'resealed-1' of model 'resealed' (openai) cannot be used: stored api_base / extra_headers credentials cannot be decrypted");
      expect(sealed?.message).toContain('was SWITCHBOARD_SALT_KEY or the master key changed? Restore the previous key, or write the credentials again (PATCH /model/resealed-1).');
      const keyed = await failure('rekeyed');
      expect(keyed?.status).toBe(502);
      expect(keyed?.code).toBe('deployment_misconfigured');
      expect(keyed?.message).toContain("Deployment 'rekeyed-1' of model 'rekeyed' (openai) cannot be used: stored api_key cannot be decrypted");
      // Nothing went out with a masked password or without the key.
      expect(proxied.requests).toHaveLength(0);
      expect(bearer.requests).toHaveLength(0);
      const log = logs.join('');
      expect(log).toContain("stored model 'resealed-1': stored api_base / extra_headers credentials cannot be decrypted");
      expect(log).toContain("stored model 'rekeyed-1': stored api_key cannot be decrypted");
      expectNoSecrets(log);

      const info = await admin(gw, 'GET', '/model/info');
      const byId = new Map<string, any>(info.body.data.map((m: any) => [m.model_info.id, m]));
      expect(byId.get('resealed-1').model_info.misconfigured).toContain('cannot be decrypted');
      expect(byId.get('rekeyed-1').model_info.misconfigured).toContain('cannot be decrypted');
      expect(byId.get('rekeyed-1').litellm_params.api_key).toBe('<undecryptable>');
      expectNoSecrets(info.text);
      const resolved = await admin(gw, 'GET', '/model/resolve?model=resealed');
      expect(resolved.body.candidates[0].misconfigured).toContain('cannot be decrypted');

      // An update that leaves them out would seal the masks as the real values: refused, the row is untouched.
      const before = await modelRow('resealed-1');
      const partial = await admin(gw, 'PATCH', '/model/resealed-1', { litellm_params: { timeout: 5 } });
      expect(partial.status).toBe(400);
      expect(partial.body.error.param).toBe('litellm_params.api_base');
      expect(partial.body.error.message).toContain('Send litellm_params.api_base and litellm_params.extra_headers again in this update');
      expect((await admin(gw, 'PATCH', '/model/rekeyed-1', { litellm_params: { api_base: `${bearer.url}/v1` } })).body.error.param).toBe('litellm_params.api_key');
      expect(await modelRow('resealed-1')).toEqual(before);
    } finally {
      if (saved === undefined) delete process.env.SWITCHBOARD_SALT_KEY;
      else process.env.SWITCHBOARD_SALT_KEY = saved;
    }
    await restart();
    try {
      await chat('resealed');
      expect(proxied.last().headers['x-proxy-token']).toBe(HEADER_TOKEN);
      await chat('rekeyed');
      expect(bearer.requests).toHaveLength(1);
    } finally {
      for (const id of ['resealed-1', 'rekeyed-1']) await admin(gw, 'POST', '/model/delete', { id });
    }
  });
});
