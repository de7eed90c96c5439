import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/bootstrap.js';
import { parseConfigText } from '../src/config/config-loader.js';
import { MIGRATIONS } from '../src/store/migrations/index.js';
import { StoreService } from '../src/store/store.service.js';
import { admin, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

describeBackends('store lifecycle', (backend) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await backend.create();
  });

  afterAll(async () => {
    await store?.dispose();
  });

  it('applies migrations once, records them, and answers ping(); a second start is a no-op', async () => {
    for (let i = 0; i < 2; i++) {
      const gw = await startAdminGateway('model_list: []\n', store.location);
      try {
        const service = gw.app.get(StoreService);
        expect(service.dialect).toBe(backend.name);
        await expect(service.ping()).resolves.toBeUndefined();
      } finally {
        await gw.close();
      }
    }
    const applied = (await store.rows('kysely_migration')).map((r) => r.name);
    expect(applied).toEqual(Object.keys(MIGRATIONS)); // each exactly once, in order
    expect(applied[0]).toBe('0001-models-and-aliases');
  });

  it('ping() rejects once the store is closed', async () => {
    const gw = await startAdminGateway('model_list: []\n', store.location);
    const service = gw.app.get(StoreService);
    await gw.close();
    await expect(service.ping()).rejects.toThrow();
  });

  it('refuses to start when a stored entry no longer fits the config file, naming it', async () => {
    const yaml = (name: string) =>
      `model_list:\n  - model_name: ${name}\n    litellm_params: { model: openai/x, api_base: http://127.0.0.1:9/v1 }\ngeneral_settings: { master_key: ${MASTER_KEY} }\n`;
    const gw = await startAdminGateway(yaml('base'), store.location);
    expect((await admin(gw, 'PUT', '/alias/needs-base', { model: 'base' })).status).toBe(200);
    await gw.close();
    await expect(startAdminGateway(yaml('renamed'), store.location)).rejects.toThrow(/needs-base.*alias target 'base'/s);
    const again = await startAdminGateway(yaml('base'), store.location);
    expect((await admin(again, 'DELETE', '/alias/needs-base')).status).toBe(200);
    await again.close();
  });
});

describe('store location', () => {
  it('creates <data-dir>/switchboard.db on first start', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sb-datadir-')), 'nested', 'data');
    try {
      const app = await createApp({ loaded: parseConfigText('model_list: []\n'), store: { dataDir: dir } }, false);
      await app.init();
      expect(existsSync(join(dir, 'switchboard.db'))).toBe(true);
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails start-up on an unreachable PostgreSQL without printing the password', async () => {
    const app = await createApp(
      { loaded: parseConfigText('model_list: []\n'), store: { databaseUrl: 'postgres://u:hunter2-secret@127.0.0.1:1/db' } },
      false,
    );
    const error = await app.init().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain('127.0.0.1:1');
    expect(error!.message).not.toContain('hunter2-secret');
    await app.close().catch(() => undefined);
  });

  it('rejects a database_url that is not PostgreSQL', async () => {
    const app = await createApp({ loaded: parseConfigText('general_settings: { database_url: "mysql://x@h/db" }\n') }, false);
    await expect(app.init()).rejects.toThrow(/postgres:\/\//);
    await app.close().catch(() => undefined);
  });
});
