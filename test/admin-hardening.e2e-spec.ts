import OpenAI, { NotFoundError } from 'openai';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { admin, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

const SECRET = 'sk-never-log-me-9f8e7d6c5b4a3210';

describeBackends('admin hardening', (backend) => {
  let store: TestStore;
  let up: FakeUpstream;

  beforeAll(async () => {
    store = await backend.create();
    up = await FakeUpstream.start();
  });

  afterAll(async () => {
    await up?.close();
    await store?.dispose();
  });

  it('an api_key never appears in logs, responses or errors', async () => {
    const logs: string[] = [];
    const gw = await startAdminGateway(`general_settings: { master_key: ${MASTER_KEY} }\n`, store.location, { logs });
    try {
      const seen: string[] = [];
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await admin(gw, method, path, body);
        seen.push(res.text);
        return res;
      };
      expect((await call('POST', '/model/new', { model_name: 'quiet', litellm_params: { model: 'openai/q', api_base: `${up.url}/v1`, api_key: SECRET }, model_info: { id: 'quiet-1' } })).status).toBe(200);
      // Rejected writes carrying the key: unknown field, bad provider, bad type next to the key.
      expect((await call('POST', '/model/new', { model_name: 'x', litellm_params: { model: 'openai/q', api_key: SECRET, bogus: SECRET } })).status).toBe(400);
      expect((await call('POST', '/model/new', { model_name: 'x', litellm_params: { model: 'nosuch/q', api_key: SECRET } })).status).toBe(400);
      expect((await call('PATCH', '/model/quiet-1', { litellm_params: { api_key: SECRET, timeout: -1 } })).status).toBe(400);
      expect((await call('PATCH', '/model/quiet-1', { litellm_params: { api_key: SECRET } })).status).toBe(200);
      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
      await client.chat.completions.create({ model: 'quiet', messages: [{ role: 'user', content: 'hi' }] });
      expect(up.last().headers.authorization).toBe(`Bearer ${SECRET}`);
      up.enqueue({ status: 401, body: { error: { message: 'bad key', type: 'authentication_error' } } });
      await expect(client.chat.completions.create({ model: 'quiet', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
      await call('GET', '/model/info');
      await call('GET', '/model/resolve?model=quiet');
      expect((await call('POST', '/model/delete', { id: 'quiet-1' })).status).toBe(200);

      for (const text of seen) expect(text).not.toContain(SECRET);
      expect(logs.join('').length).toBeGreaterThan(0); // the capture works: the admin writes were logged
      expect(logs.join('')).toContain("model 'quiet-1' created");
      expect(logs.join('')).not.toContain(SECRET);
    } finally {
      await gw.close();
    }
  });

  it('with allow_file_model_edits, file models can be overridden and deleted, and that survives a restart', async () => {
    const yaml = `
model_list:
  - model_name: from-file
    litellm_params: { model: openai/file-up, api_base: ${up.url}/v1, api_key: sk-file-secret-00000000 }
    model_info: { id: ff-1 }
  - model_name: other
    litellm_params: { model: openai/other-up, api_base: ${up.url}/v1 }
    model_info: { id: ff-2 }
router_settings:
  model_group_alias: { file-alias: other }
general_settings:
  master_key: ${MASTER_KEY}
  allow_file_model_edits: true
`;
    let gw = await startAdminGateway(yaml, store.location);
    let client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
    const chat = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    try {
      const info = await admin(gw, 'GET', '/model/info?litellm_model_id=ff-1');
      expect(info.body.data[0].model_info).toMatchObject({ source: 'file', editable: true });

      const patched = await admin(gw, 'PATCH', '/model/ff-1', { litellm_params: { model: 'openai/override-up' } });
      expect(patched.status).toBe(200);
      expect(patched.body.model_info).toMatchObject({ id: 'ff-1', source: 'db' });
      await chat('from-file');
      expect(up.last().body.model).toBe('override-up');
      expect(up.last().headers.authorization).toBe('Bearer sk-file-secret-00000000'); // merged onto the file entry

      expect((await admin(gw, 'POST', '/model/delete', { id: 'ff-2' })).status).toBe(400); // file-alias still points at it
      expect((await admin(gw, 'DELETE', '/alias/file-alias')).status).toBe(200);
      expect((await admin(gw, 'POST', '/model/delete', { id: 'ff-2' })).status).toBe(200);
      await expect(chat('other')).rejects.toBeInstanceOf(NotFoundError);
      await expect(chat('file-alias')).rejects.toBeInstanceOf(NotFoundError);

      await gw.close();
      gw = await startAdminGateway(yaml, store.location);
      client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
      await chat('from-file');
      expect(up.last().body.model).toBe('override-up');
      await expect(chat('other')).rejects.toBeInstanceOf(NotFoundError);
      await expect(chat('file-alias')).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await gw.close();
    }
  });
});

describeBackends('admin without any encryption key', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await backend.create();
  });

  afterAll(async () => {
    await store?.dispose();
  });

  // Without a master key there is no encryption key either (SWITCHBOARD_SALT_KEY unset), and the
  // admin API is disabled: neither a literal key nor a reference can be stored.
  it('stores nothing, literal api_key or os.environ/ reference: the admin API is disabled', async () => {
    const saved = process.env.SWITCHBOARD_SALT_KEY;
    delete process.env.SWITCHBOARD_SALT_KEY;
    const gw = await startAdminGateway('model_list: []\n', store.location);
    try {
      for (const apiKey of ['sk-literal-000000000000', 'os.environ/SOME_API_KEY']) {
        const res = await admin(gw, 'POST', '/model/new', { model_name: 'm', litellm_params: { model: 'openai/m', api_key: apiKey } }, null);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain('admin API disabled: set general_settings.master_key');
        expect(res.text).not.toContain('sk-literal-000000000000');
      }
      expect(await store.rows('models')).toEqual([]);
    } finally {
      await gw.close();
      if (saved !== undefined) process.env.SWITCHBOARD_SALT_KEY = saved;
    }
  });
});
