import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { cleanEnv, CliRun, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { admin, MASTER_KEY } from './helpers/store-backends.js';
import { describeWithServices, REQUIRE_TEST_SERVICES, testService, withClient } from './helpers/test-services.js';

/**
 * Replicas that miss an invalidation still converge. Three gateway processes share one PostgreSQL
 * database but never hear each other over pub/sub:
 *  - A (no Redis) makes every admin change;
 *  - B listens on the shared test Redis under its own prefix (connected, but A's changes never
 *    arrive: a lost message) and resyncs every second;
 *  - C has periodic resync off and talks to a throw-away redis-server this test restarts, so only
 *    the reconnect resync can bring it up to date.
 */
const services = [await testService('PostgreSQL'), await testService('Redis')];
const [pgUrl, redisUrl] = services.map((s) => s.url);
const redisServer = findRedisServer();

interface Replica {
  run: CliRun;
  url: string;
}

describeWithServices('replicas that miss invalidations resync from the store', services, () => {
  const dbName = `sb_resync_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let dbUrl: string;
  let up: FakeUpstream;
  let a: Replica;
  let b: Replica;

  const yaml = (general: string) =>
    writeTempConfig(`
model_list:
  - model_name: shared
    litellm_params: { model: openai/shared-up, api_base: ${up.url}/v1, api_key: sk-up-000000000000 }
router_settings: { num_retries: 0 }
general_settings:
  master_key: ${MASTER_KEY}
  ${general}
`);

  async function start(configPath: string, env: Record<string, string>): Promise<Replica> {
    const port = await freePort();
    const run = runCli(['--config', configPath, '--port', String(port), '--host', '127.0.0.1'], cleanEnv({ DATABASE_URL: dbUrl, LOG_LEVEL: 'info', ...env }));
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(run, url, 30_000);
    return { run, url };
  }

  beforeAll(async () => {
    await withClient(pgUrl!, (c) => c.query(`CREATE DATABASE ${dbName}`));
    const u = new URL(pgUrl!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    up = await FakeUpstream.start();
    a = await start(yaml('store_resync_interval_seconds: 0'), {});
    b = await start(yaml('store_resync_interval_seconds: 1'), { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: `sbtest:${dbName}:b:` });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.run.stop(), b?.run.stop()]);
    await up?.close();
    await withClient(pgUrl!, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
  }, 30_000);

  const chatStatus = async (r: Replica, key: string, model = 'shared'): Promise<number> => {
    const res = await fetch(`${r.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  /**
   * Authenticates with the key without recording spend: a served chat request would make the
   * replica re-read the key after its spend write, which would hide a missing resync.
   */
  const listModels = async (r: Replica, key: string): Promise<{ status: number; ids: string[] }> => {
    const res = await fetch(`${r.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { data?: { id: string }[] };
    return { status: res.status, ids: (body.data ?? []).map((m) => m.id) };
  };
  async function generate(r: Replica): Promise<{ key: string; token: string }> {
    const res = await admin(r, 'POST', '/key/generate', {});
    expect(res.status).toBe(200);
    return { key: res.body.key, token: res.body.token };
  }
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not true within ${ms} ms`);
      await sleep(50);
    }
    return Date.now() - started;
  }
  const addModel = async (name: string) => {
    const res = await admin(a, 'POST', '/model/new', {
      model_name: name,
      litellm_params: { model: `openai/${name}-up`, api_base: `${up.url}/v1`, api_key: 'sk-up-000000000000' },
    });
    expect(res.status).toBe(200);
    return res.body.model_info.id as string;
  };

  it('a key deleted on A is refused by B within seconds; a model added on A is served by B, and gone once deleted', async () => {
    const { key, token } = await generate(a);
    expect((await listModels(b, key)).status).toBe(200);
    expect((await admin(a, 'POST', '/key/delete', { keys: [token] })).status).toBe(200);
    await within(4000, async () => (await listModels(b, key)).status === 401);

    const id = await addModel('resync-added');
    await within(4000, async () => (await chatStatus(b, MASTER_KEY, 'resync-added')) === 200);
    expect(up.last().body.model).toBe('resync-added-up');
    expect((await admin(a, 'POST', '/model/delete', { id })).status).toBe(200);
    await within(4000, async () => (await chatStatus(b, MASTER_KEY, 'resync-added')) === 404);
  }, 30_000);

  it('a key restricted on A is restricted on B within seconds', async () => {
    const { key, token } = await generate(a);
    expect((await listModels(b, key)).ids).toContain('shared');
    expect((await admin(a, 'POST', '/key/update', { key: token, models: ['nothing-else'] })).status).toBe(200);
    await within(4000, async () => !(await listModels(b, key)).ids.includes('shared'));
    expect(await chatStatus(b, key)).toBe(403);
  }, 30_000);

  const reconnectTitle = 'with periodic resync off, a replica catches up when its Redis subscriber reconnects';
  if (!redisServer) {
    if (REQUIRE_TEST_SERVICES) {
      it(reconnectTitle, () => {
        throw new Error('redis-server is not on PATH (SWITCHBOARD_REQUIRE_TEST_SERVICES=1): install it or unset the variable.');
      });
    } else {
      console.warn(`\n*** SKIPPED '${reconnectTitle}': redis-server is not on PATH ***\n`);
      it.skip(reconnectTitle, () => undefined);
    }
    return;
  }

  it(reconnectTitle, async () => {
    const port = await freePort();
    let redis = await startRedis(redisServer, port);
    let c: Replica | undefined;
    try {
      c = await start(yaml('store_resync_interval_seconds: 0'), { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: 'sbtest:c:' });
      const { key, token } = await generate(a);
      expect((await listModels(c, key)).status).toBe(200);
      expect((await admin(a, 'POST', '/key/delete', { keys: [token] })).status).toBe(200);
      await addModel('resync-reconnect');
      // Nothing tells C: it keeps serving the deleted key and does not know the model.
      await sleep(1500);
      expect((await listModels(c, key)).status).toBe(200);
      expect(await chatStatus(c, MASTER_KEY, 'resync-reconnect')).toBe(404);

      await stopRedis(redis);
      redis = await startRedis(redisServer, port);
      await within(10_000, async () => (await listModels(c!, key)).status === 401);
      await within(4000, async () => (await chatStatus(c!, MASTER_KEY, 'resync-reconnect')) === 200);
    } finally {
      await c?.run.stop();
      await stopRedis(redis);
    }
    // Read after exit: the log is written asynchronously and may still be buffered before that.
    expect(c.run.stdout()).toContain('subscriber reconnected: re-reading models, aliases and keys');
  }, 60_000);
});

function findRedisServer(): string | undefined {
  try {
    return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A throw-away, non-persistent redis-server on `port`, so the shared test Redis is never disturbed. */
async function startRedis(bin: string, port: number): Promise<ChildProcess> {
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await answersPing(port)) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start within 10 s');
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => done(chunk.toString('utf8').includes('+PONG')));
  });
}
