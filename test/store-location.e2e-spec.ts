import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, CliRun, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { describeWithServices, testService, withClient } from './helpers/test-services.js';

/**
 * Where `node dist/main.js` keeps its store: DATA_DIR, --data-dir (which wins), ./data relative to
 * the working directory by default, and PostgreSQL when general_settings.database_url is set.
 */
const postgres = await testService('PostgreSQL');
const DB_FILE = 'switchboard.db';

const running: CliRun[] = [];
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-location-'));
  dirs.push(dir);
  return dir;
};

afterAll(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts the CLI, waits until it serves, stops it; returns everything it logged. */
async function serveOnce(args: string[], env: Record<string, string>, cwd?: string, general = ''): Promise<string> {
  const port = await freePort();
  const config = writeTempConfig(`model_list: []\ngeneral_settings: {${general}}\n`);
  const run = runCli(['--config', config, '--port', String(port), '--host', '127.0.0.1', ...args], cleanEnv({ LOG_LEVEL: 'info', ...env }), cwd);
  running.push(run);
  await waitUntilServing(run, `http://127.0.0.1:${port}`, 30_000);
  expect(await run.stop()).toBe(0);
  return run.stdout() + run.stderr();
}

describe('store location (CLI)', () => {
  it('DATA_DIR puts the SQLite file there', async () => {
    const dataDir = join(tempDir(), 'from-env');
    const cwd = tempDir();
    const log = await serveOnce([], { DATA_DIR: dataDir }, cwd);
    expect(existsSync(join(dataDir, DB_FILE))).toBe(true);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    expect(log).toContain(`store ready: sqlite ${join(dataDir, DB_FILE)}`);
  }, 40_000);

  it('--data-dir wins over DATA_DIR', async () => {
    const fromEnv = join(tempDir(), 'from-env');
    const fromFlag = join(tempDir(), 'from-flag');
    await serveOnce(['--data-dir', fromFlag], { DATA_DIR: fromEnv }, tempDir());
    expect(existsSync(join(fromFlag, DB_FILE))).toBe(true);
    expect(existsSync(fromEnv)).toBe(false);
  }, 40_000);

  it('defaults to ./data relative to the working directory', async () => {
    const cwd = tempDir();
    await serveOnce([], {}, cwd);
    expect(existsSync(join(cwd, 'data', DB_FILE))).toBe(true);
  }, 40_000);
});

describeWithServices('store location: general_settings.database_url', [postgres], () => {
  const dbName = `sb_location_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let dbUrl: string;

  beforeAll(async () => {
    await withClient(postgres.url!, (c) => c.query(`CREATE DATABASE ${dbName}`));
    const u = new URL(postgres.url!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  });
  afterAll(async () => {
    await withClient(postgres.url!, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
  });

  it('selects PostgreSQL (migrated there, no SQLite file written, password not logged)', async () => {
    const cwd = tempDir();
    const dataDir = join(tempDir(), 'unused');
    const log = await serveOnce([], { DATA_DIR: dataDir }, cwd, ` database_url: "${dbUrl}" `);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    expect(log).toContain('store ready: postgres');
    const password = new URL(dbUrl).password;
    if (password) expect(log).not.toContain(`:${password}@`);
    const tables = await withClient(dbUrl, async (c) => (await c.query(`select table_name from information_schema.tables where table_schema = 'public'`)).rows.map((r) => r.table_name));
    expect(tables).toEqual(expect.arrayContaining(['models', 'aliases', 'virtual_keys']));
  }, 40_000);
});
