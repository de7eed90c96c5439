import OpenAI from 'openai';
import { cleanEnv, CliRun, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { admin, MASTER_KEY } from './helpers/store-backends.js';
import { describeWithServices, testService, withClient } from './helpers/test-services.js';

/**
 * Two gateway processes (`node dist/main.js`) sharing one PostgreSQL database and one Redis:
 * limits are counted once for both, and an admin change on one replica is served by the other
 * within a second. Needs TEST_DATABASE_URL and TEST_REDIS_URL (.ci/run sets both).
 */
const services = [await testService('PostgreSQL'), await testService('Redis')];
const [pgUrl, redisUrl] = services.map((s) => s.url);

interface Replica {
  run: CliRun;
  url: string;
}

describeWithServices('two replicas on PostgreSQL + Redis', services, () => {
  const dbName = `sb_replicas_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let dbUrl: string;
  let up: FakeUpstream;
  let a: Replica;
  let b: Replica;
  const issued: string[] = [];

  async function start(configPath: string, env: NodeJS.ProcessEnv): Promise<Replica> {
    const port = await freePort();
    const run = runCli(['--config', configPath, '--port', String(port), '--host', '127.0.0.1'], env);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(run, url, 20_000);
    return { run, url };
  }

  beforeAll(async () => {
    await withClient(pgUrl!, (c) => c.query(`CREATE DATABASE ${dbName}`));
    const u = new URL(pgUrl!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    up = await FakeUpstream.start();
    const config = writeTempConfig(`
model_list:
  - model_name: shared
    litellm_params: { model: openai/shared-up, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
router_settings: { num_retries: 0 }
general_settings:
  master_key: ${MASTER_KEY}
`);
    // A unique prefix keeps this run's counters and channel apart from any other on the same Redis.
    const env = cleanEnv({ DATABASE_URL: dbUrl, REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: `sbtest:${dbName}:`, LOG_LEVEL: 'info' });
    a = await start(config, env);
    b = await start(config, env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.run.stop(), b?.run.stop()]);
    for (const r of [a, b]) {
      if (!r) continue;
      const output = r.run.stdout() + r.run.stderr();
      for (const key of issued) expect(output).not.toContain(key);
    }
    await up?.close();
    await withClient(pgUrl!, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
  }, 30_000);

  beforeEach(() => up.reset());

  const client = (r: Replica, key: string) => new OpenAI({ baseURL: `${r.url}/v1`, apiKey: key, maxRetries: 0 });
  const chatStatus = async (r: Replica, key: string, model = 'shared'): Promise<number> => {
    const res = await fetch(`${r.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  async function generate(r: Replica, body: Record<string, unknown>): Promise<{ key: string; token: string }> {
    const res = await admin(r, 'POST', '/key/generate', body);
    expect(res.status).toBe(200);
    issued.push(res.body.key);
    return { key: res.body.key, token: res.body.token };
  }
  /** Polls until `check` holds; returns the milliseconds it took. */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not true within ${ms} ms`);
      await sleep(25);
    }
    return Date.now() - started;
  }

  it('both replicas report Redis in readiness', async () => {
    for (const r of [a, b]) {
      const res = await fetch(`${r.url}/health/readiness`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { checks: unknown }).checks).toMatchObject({ redis: 'ok', store: 'ok' });
    }
  });

  it("a key's rpm limit holds across both replicas", async () => {
    const { key } = await generate(a, { rpm_limit: 6 });
    const statuses = await Promise.all(Array.from({ length: 16 }, (_, i) => chatStatus(i % 2 === 0 ? a : b, key)));
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(7);
    expect(up.requests).toHaveLength(ok);
    // Both replicas refuse from now on.
    expect([await chatStatus(a, key), await chatStatus(b, key)]).toEqual([429, 429]);
  });

  it("a key's tpm_limit holds across both replicas", async () => {
    const { key } = await generate(a, { tpm_limit: 15 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(await chatStatus(i % 2 === 0 ? a : b, key));
      // Tokens are counted once the answer is known, off the response path: let them reach Redis.
      await sleep(200);
    }
    // The fake upstream reports 11 tokens a request: one on A and one on B use 22 of the 15, so
    // both refuse from then on. Counters per replica would let each serve two (11 < 15 at the start).
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
    expect(statuses.slice(4)).toEqual([429, 429]);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });

  it("a key's max_parallel_requests holds across both replicas", async () => {
    const { key } = await generate(a, { max_parallel_requests: 1 });
    up.enqueue({ hang: true });
    const controller = new AbortController();
    const held = fetch(`${a.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'shared', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await within(5000, async () => up.requests.length === 1);
    expect([await chatStatus(b, key), await chatStatus(a, key)]).toEqual([429, 429]);
    expect(up.requests).toHaveLength(1);
    // The slot comes back (on both) once A sees its client go.
    controller.abort();
    await held;
    await within(3000, async () => (await chatStatus(b, key)) === 200);
    expect(up.requests).toHaveLength(2);
  });

  it('a model and an alias added on replica A are served by replica B within 1 s', async () => {
    const created = await admin(a, 'POST', '/model/new', {
      model_name: 'added-on-a',
      litellm_params: { model: 'openai/added-up', api_base: `${up.url}/v1`, api_key: 'sk-up-000000000000' },
    });
    expect(created.status).toBe(200);
    const ms = await within(1000, async () => (await chatStatus(b, MASTER_KEY, 'added-on-a')) === 200);
    expect(ms).toBeLessThan(1000);
    expect(up.last().body.model).toBe('added-up');

    expect((await admin(a, 'PUT', '/alias/alias-on-a', { model: 'added-on-a' })).status).toBe(200);
    await within(1000, async () => (await chatStatus(b, MASTER_KEY, 'alias-on-a')) === 200);

    expect((await admin(a, 'DELETE', '/alias/alias-on-a')).status).toBe(200);
    await within(1000, async () => (await chatStatus(b, MASTER_KEY, 'alias-on-a')) === 404);
    expect((await admin(a, 'POST', '/model/delete', { id: created.body.model_info.id })).status).toBe(200);
    await within(1000, async () => (await chatStatus(b, MASTER_KEY, 'added-on-a')) === 404);
  });

  it('a key created on A works on B; restricted on A → 403 on B; deleted on A → 401 on B, within 1 s', async () => {
    const { key, token } = await generate(a, {});
    expect((await client(b, key).chat.completions.create({ model: 'shared', messages: [{ role: 'user', content: 'hi' }] })).model).toBe('shared');
    expect((await admin(a, 'POST', '/key/update', { key: token, models: ['nothing-else'] })).status).toBe(200);
    await within(1000, async () => (await chatStatus(b, key)) === 403);
    expect((await admin(a, 'POST', '/key/delete', { keys: [token] })).status).toBe(200);
    const ms = await within(1000, async () => (await chatStatus(b, key)) === 401);
    expect(ms).toBeLessThan(1000);
    expect(await chatStatus(a, key)).toBe(401);
  });

  it('spend recorded on one replica counts against the budget on the other', async () => {
    const { key, token } = await generate(a, { max_budget: 0.0001 });
    // A priced model (added over REST, so both replicas have it): 11 tokens x 0.0001.
    const created = await admin(a, 'POST', '/model/new', {
      model_name: 'priced-shared',
      litellm_params: { model: 'openai/priced-up', api_base: `${up.url}/v1`, api_key: 'sk-up-000000000000' },
      model_info: { input_cost_per_token: 0.0001, output_cost_per_token: 0.0001 },
    });
    expect(created.status).toBe(200);
    await within(1000, async () => (await chatStatus(b, MASTER_KEY, 'priced-shared')) === 200);
    expect(await chatStatus(b, key, 'priced-shared')).toBe(200); // spends 0.0011 > budget
    // B writes within a second, then A re-reads the key.
    await within(2500, async () => (await chatStatus(a, key, 'priced-shared')) === 429);
    const info = await admin(a, 'GET', `/key/info?key=${token}`);
    expect(info.body.info.spend).toBeCloseTo(0.0011, 9);
  });

  it('spend still queued when a replica gets SIGTERM is written before it exits', async () => {
    const { key, token } = await generate(a, {});
    expect(await chatStatus(b, key)).toBe(200);
    expect(await b.run.stop()).toBe(0);
    const rows = await withClient(dbUrl, async (c) => (await c.query('select * from spend_logs where api_key = $1', [token])).rows);
    expect(rows).toHaveLength(1);
  });
});
