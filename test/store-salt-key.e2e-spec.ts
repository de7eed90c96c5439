import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SALT_KEY_ENV } from '../src/store/store-secrets.service.js';
import { expectOpenAiError } from './helpers/assertions.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { admin, startAdminGateway } from './helpers/store-backends.js';

/**
 * Stored model api_keys are encrypted with SWITCHBOARD_SALT_KEY, else with the master key. The
 * same SQLite store restarted with another master key: with a salt key nothing changes; without
 * one the keys cannot be read back, and the gateway says so without printing anything secret.
 */
describe('stored api_keys across a master-key change', () => {
  const OLD_MASTER = 'sk-master-old-0123456789';
  const NEW_MASTER = 'sk-master-new-9876543210';
  const SALT = 'salt-for-this-test-abcdef012345';
  const UPSTREAM_SECRET = 'sk-upstream-stored-secret-777';
  let upstream: FakeUpstream;
  let dir: string;
  const savedSalt = process.env[SALT_KEY_ENV];

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-salt-'));
    upstream.reset();
  });
  afterEach(() => {
    if (savedSalt === undefined) delete process.env[SALT_KEY_ENV];
    else process.env[SALT_KEY_ENV] = savedSalt;
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => upstream.close());

  const yaml = (master: string) => `general_settings: { master_key: ${master} }\n`;

  /** First run: store a model with a literal api_key, then stop. */
  async function storeModel(): Promise<void> {
    const gw = await startAdminGateway(yaml(OLD_MASTER), { dataDir: dir });
    try {
      const res = await admin(gw, 'POST', '/model/new', {
        model_name: 'stored',
        litellm_params: { model: 'openai/stored-up', api_base: `${upstream.url}/v1`, api_key: UPSTREAM_SECRET },
        model_info: { id: 'stored-1' },
      }, OLD_MASTER);
      expect(res.status).toBe(200);
    } finally {
      await gw.close();
    }
  }

  const chat = (url: string, key: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stored', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('with SWITCHBOARD_SALT_KEY the stored key still decrypts and is used after the master key changes', async () => {
    process.env[SALT_KEY_ENV] = SALT;
    await storeModel();
    const logs: string[] = [];
    const gw = await startAdminGateway(yaml(NEW_MASTER), { dataDir: dir }, { logs });
    try {
      const res = await chat(gw.url, NEW_MASTER);
      expect(res.status).toBe(200);
      expect(upstream.last().headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
      expect(logs.join('')).not.toContain('cannot be decrypted');
    } finally {
      await gw.close();
    }
  });

  it('without it the key was sealed with the old master key: start-up names the model and the likely cause, requests fail with 502 saying why', async () => {
    delete process.env[SALT_KEY_ENV];
    await storeModel();
    const logs: string[] = [];
    const gw = await startAdminGateway(yaml(NEW_MASTER), { dataDir: dir }, { logs });
    try {
      const text = logs.join('');
      expect(text).toContain("stored model 'stored-1': stored api_key cannot be decrypted");
      expect(text).toContain('was SWITCHBOARD_SALT_KEY or the master key changed?');
      // The model is still served, but never sent upstream without its key (an opaque 401 there).
      const res = await chat(gw.url, NEW_MASTER);
      const body = await res.text();
      expect(res.status).toBe(502);
      const error = expectOpenAiError(JSON.parse(body));
      expect(error.code).toBe('deployment_misconfigured');
      expect(error.message).toContain("Deployment 'stored-1' of model 'stored' (openai) cannot be used: stored api_key cannot be decrypted");
      expect(error.message).toContain('was SWITCHBOARD_SALT_KEY or the master key changed?');
      expect(error.message).toContain('write the credentials again (PATCH /model/stored-1)');
      expect(upstream.requests).toHaveLength(0);
      const view = await admin(gw, 'GET', '/model/info', undefined, NEW_MASTER);
      expect(view.body.data[0].litellm_params.api_key).toBe('<undecryptable>');

      // Re-entering the key under the new master key repairs it.
      const fixed = await admin(gw, 'PATCH', '/model/stored-1', { litellm_params: { api_key: UPSTREAM_SECRET } }, NEW_MASTER);
      expect(fixed.status).toBe(200);
      expect((await chat(gw.url, NEW_MASTER)).status).toBe(200);
      expect(upstream.last().headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);
      for (const secret of [UPSTREAM_SECRET, OLD_MASTER, NEW_MASTER]) {
        expect(logs.join('')).not.toContain(secret);
        expect(body).not.toContain(secret);
        expect(view.text).not.toContain(secret);
      }
    } finally {
      await gw.close();
    }
  });
});
