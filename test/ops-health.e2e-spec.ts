import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ReadinessService } from '../src/health/readiness.service.js';
import { StoreService } from '../src/store/store.service.js';
import { cleanEnv, CliRun, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';
import { BACKENDS, TestStore } from './helpers/store-backends.js';
import { describeWithServices, testService } from './helpers/test-services.js';

const MASTER = 'sk-master-health-test';
const postgres = await testService('PostgreSQL');

describe('ops: health', () => {
  let upstream: FakeUpstream;
  let broken: FakeUpstream;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    broken = await FakeUpstream.start();
  });
  afterAll(async () => {
    await upstream.close();
    await broken.close();
  });

  const simpleConfig = () => `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-upstream-a }
`;

  describe('readiness', () => {
    let gw: OpsGateway;
    beforeEach(async () => {
      gw = await startOpsGateway(simpleConfig());
    });
    afterEach(() => gw.close());

    it('is 200 with every registered check named (config and the store)', async () => {
      const res = await fetch(`${gw.url}/health/readiness`);
      expect(res.status).toBe(200);
      expect((await res.json()) as any).toEqual({ status: 'ok', checks: { config: 'ok', store: 'ok' } });
    });

    it('is 503 naming the failing check when a registered check throws, and recovers', async () => {
      const readiness = gw.app.get(ReadinessService);
      let redisUp = false;
      readiness.register('redis', () => {
        if (!redisUp) throw new Error('connect ECONNREFUSED 10.1.2.3:6379');
      });
      const res = await fetch(`${gw.url}/health/readiness`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as any;
      expect(body.error).toMatchObject({ type: 'api_error', code: 'not_ready', param: 'redis' });
      expect(body.error.message).toContain('redis');
      // The reason (an internal address) goes to the log, not to the unauthenticated probe.
      expect(body.error.message).not.toContain('10.1.2.3');
      expect(gw.logText()).toContain('10.1.2.3');

      redisUp = true;
      const again = await fetch(`${gw.url}/health/readiness`);
      expect(again.status).toBe(200);
      expect(((await again.json()) as any).checks).toEqual({ config: 'ok', store: 'ok', redis: 'ok' });
    });

    it('a check that never answers fails after its timeout', async () => {
      gw.app.get(ReadinessService).register('slow', () => new Promise(() => {}));
      const started = Date.now();
      const res = await fetch(`${gw.url}/health/readiness`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.param).toBe('slow');
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('is 503 when the embedded store is gone', async () => {
      await gw.app.get(StoreService).db.destroy();
      const res = await fetch(`${gw.url}/health/readiness`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error).toMatchObject({ code: 'not_ready', param: 'store' });
      // Liveliness stays up: restarting would not bring a database back.
      expect((await fetch(`${gw.url}/health/liveliness`)).status).toBe(200);
    });

    it('is 503 shutting_down once shutdown has begun', async () => {
      gw.app.get(ReadinessService).markShuttingDown();
      const res = await fetch(`${gw.url}/health/readiness`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.code).toBe('shutting_down');
    });
  });

  describe('readiness with REDIS_URL pointing at a port nothing listens on (the real Redis connection)', () => {
    let run: CliRun;
    let url: string;
    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const config = writeTempConfig(simpleConfig());
      run = runCli(
        ['--config', config, '--port', String(port), '--host', '127.0.0.1', '--data-dir', mkdtempSync(join(tmpdir(), 'sb-health-'))],
        cleanEnv({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
      );
      await waitUntilServing(run, url);
    });
    afterAll(() => run?.stop());

    it('is 503 naming redis, while liveliness and inference keep answering', async () => {
      const res = await fetch(`${url}/health/readiness`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as any;
      expect(body.error).toMatchObject({ type: 'api_error', code: 'not_ready', param: 'redis' });
      expect(body.error.message).toContain('redis');
      expect((await fetch(`${url}/health/liveliness`)).status).toBe(200);

      // Rate-limit counters fall back to memory; routing and errors do not depend on Redis.
      const unknown = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as any).error.code).toBe('model_not_found');
      const ok = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as any).model).toBe('m');
    });
  });

  describeWithServices('readiness with PostgreSQL behind a connection we can cut', [postgres], () => {
    // A database of its own: the shared one may carry migrations from other branches' runs.
    let store: TestStore;
    beforeAll(async () => {
      store = await BACKENDS.find((b) => b.name === 'postgres')!.create();
    });
    afterAll(() => store?.dispose());

    it('turns 503 naming the store while PostgreSQL is unreachable, and 200 when it is back', async () => {
      const pgUrl = store.location.databaseUrl;
      const target = new URL(pgUrl!);
      const sockets = new Set<net.Socket>();
      let open = true;
      const proxy = net.createServer((client) => {
        if (!open) return client.destroy();
        const server = net.connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(server);
        client.pipe(server).pipe(client);
        const drop = () => {
          client.destroy();
          server.destroy();
        };
        client.on('error', drop).on('close', drop);
        server.on('error', drop).on('close', drop);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const proxied = new URL(pgUrl!);
      proxied.hostname = '127.0.0.1';
      proxied.port = String((proxy.address() as AddressInfo).port);
      const gw = await startOpsGateway(simpleConfig(), {}, { store: { databaseUrl: proxied.toString() } });
      try {
        expect((await fetch(`${gw.url}/health/readiness`)).status).toBe(200);
        open = false;
        for (const s of sockets) s.destroy();
        const res = await fetch(`${gw.url}/health/readiness`);
        expect(res.status).toBe(503);
        expect(((await res.json()) as any).error).toMatchObject({ code: 'not_ready', param: 'store' });
        open = true;
        let status = 0;
        for (let i = 0; i < 20 && status !== 200; i++) {
          status = (await fetch(`${gw.url}/health/readiness`)).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status).toBe(200);
      } finally {
        open = true;
        await gw.close();
        for (const s of sockets) s.destroy();
        await new Promise((r) => proxy.close(r));
      }
    });
  });

  describe('GET /health (deployment probes)', () => {
    let gw: OpsGateway;
    beforeAll(async () => {
      gw = await startOpsGateway(`
model_list:
  - model_name: good
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-good-secret-1111 }
  - model_name: bad
    litellm_params: { model: openai/gpt-4o-mini, api_base: ${broken.url}/v1, api_key: sk-bad-secret-2222 }
  - model_name: embedder
    litellm_params: { model: openai/text-embedding-3-small, api_base: ${upstream.url}/v1, api_key: sk-good-secret-1111 }
    model_info: { mode: embedding }
  - model_name: openrouter/*
    litellm_params: { model: openrouter/*, api_base: ${upstream.url}/api/v1, api_key: sk-or-secret-3333 }
general_settings:
  master_key: ${MASTER}
`);
    });
    afterAll(() => gw.close());
    beforeEach(() => {
      upstream.reset();
      broken.reset();
    });

    it('needs the master key', async () => {
      expect((await fetch(`${gw.url}/health`)).status).toBe(401);
    });

    it('probes every deployment with a tiny request and reports healthy/unhealthy without keys', async () => {
      broken.enqueue({
        status: 401,
        body: { error: { message: 'Incorrect API key provided: sk-bad-secret-2222', type: 'invalid_request_error', code: 'invalid_api_key' } },
      });
      const res = await fetch(`${gw.url}/health`, { headers: { authorization: `Bearer ${MASTER}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      const body = JSON.parse(text);
      expect(body.healthy_count).toBe(2);
      expect(body.unhealthy_count).toBe(1);
      expect(body.healthy_endpoints.map((e: any) => [e.model, e.mode]).sort()).toEqual([
        ['embedder', 'embedding'],
        ['good', 'chat'],
      ]);
      expect(body.unhealthy_endpoints[0]).toMatchObject({ model: 'bad', provider: 'openai', upstream_model: 'gpt-4o-mini' });
      expect(body.unhealthy_endpoints[0].error).toContain('401');
      expect(body.skipped).toEqual([{ model: 'openrouter/*', reason: expect.any(String) }]);
      for (const secret of ['sk-good-secret-1111', 'sk-bad-secret-2222', 'sk-or-secret-3333', MASTER]) {
        expect(text).not.toContain(secret);
      }
      const chat = upstream.requests.find((r) => r.path === '/v1/chat/completions');
      expect(chat?.body).toMatchObject({ model: 'gpt-4o', max_tokens: 1 });
      expect(upstream.requests.find((r) => r.path === '/v1/embeddings')?.body.model).toBe('text-embedding-3-small');
    });

    it('?model= probes one group; a slow deployment fails after timeout_ms', async () => {
      broken.enqueue({ delayMs: 1000, body: {} });
      const started = Date.now();
      const res = await fetch(`${gw.url}/health?model=bad&timeout_ms=300`, { headers: { authorization: `Bearer ${MASTER}` } });
      const body = (await res.json()) as any;
      expect(Date.now() - started).toBeLessThan(1500);
      expect(body.healthy_count + body.unhealthy_count).toBe(1);
      expect(body.unhealthy_endpoints[0]).toMatchObject({ model: 'bad', error: expect.stringContaining('timeout') });
      expect(upstream.requests).toHaveLength(0);
    });
  });
});
