import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { cleanEnv, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { rawPost } from './helpers/gateway.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';

/** Behind an ingress: base path, body limit, trusted proxies, CORS, keep-alive timeouts. */
describe('ops: behind an ingress', () => {
  let upstream: FakeUpstream;
  const config = () => `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-upstream }
`;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
  });
  afterAll(() => upstream.close());

  describe('base path /llm', () => {
    let gw: OpsGateway;
    beforeAll(async () => {
      gw = await startOpsGateway(config(), { basePath: '/llm' });
    });
    afterAll(() => gw.close());

    it.each(['/health/liveliness', '/health/readiness', '/v1/models', '/models', '/metrics'])(
      'GET /llm%s is served',
      async (path) => {
        const res = await fetch(`${gw.origin}/llm${path}`);
        expect(res.status).toBe(200);
      },
    );

    it('GET /llm/model/info is served (admin routes need a master key)', async () => {
      const admin = await startOpsGateway(`${config()}general_settings: { master_key: sk-ingress-master-0000 }\n`, { basePath: '/llm' });
      try {
        const res = await fetch(`${admin.origin}/llm/model/info`, { headers: { authorization: 'Bearer sk-ingress-master-0000' } });
        expect(res.status).toBe(200);
        expect(((await res.json()) as any).data.map((m: any) => m.model_name)).toEqual(['m']);
      } finally {
        await admin.close();
      }
    });

    it('inference works through the SDK with the prefixed base URL', async () => {
      const client = new OpenAI({ baseURL: `${gw.origin}/llm/v1`, apiKey: 'x', maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.model).toBe('m');
      expect(upstream.last().path).toBe('/v1/chat/completions');
    });

    it.each(['/health/liveliness', '/v1/models', '/metrics', '/llmx/health/liveliness'])(
      'GET %s outside the base path is a JSON 404',
      async (path) => {
        const res = await fetch(`${gw.origin}${path}`);
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
        const body = (await res.json()) as any;
        expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'not_found' });
      },
    );

    it('an unknown route inside the base path is the gateway 404 too', async () => {
      const res = await fetch(`${gw.origin}/llm/nope`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('not_found');
    });
  });

  describe('request body limit', () => {
    let small: OpsGateway;
    let defaults: OpsGateway;
    beforeAll(async () => {
      small = await startOpsGateway(config(), { bodyLimitBytes: 1024 });
      defaults = await startOpsGateway(config());
    });
    afterAll(async () => {
      await small.close();
      await defaults.close();
    });

    const chatOfSize = (bytes: number) => ({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(bytes) }] });

    it('a body over the configured limit is a 413 with an OpenAI-shaped error', async () => {
      const res = await rawPost(`${small.url}/v1/chat/completions`, chatOfSize(2048));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        error: { message: expect.stringContaining('1024 bytes'), type: 'invalid_request_error', param: null, code: 'payload_too_large' },
      });
    });

    it('a chunked body (no content-length) over the limit is a 413 as well', async () => {
      const payload = JSON.stringify(chatOfSize(4096));
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(payload));
          controller.close();
        },
      });
      const res = await fetch(`${small.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(((await res.json()) as any).error.code).toBe('payload_too_large');
    });

    it('a body under the limit passes', async () => {
      const res = await rawPost(`${small.url}/v1/chat/completions`, chatOfSize(100));
      expect(res.status).toBe(200);
    });

    it('the default limit is 20 MB: 5 MB passes, 21 MB does not', async () => {
      expect((await rawPost(`${defaults.url}/v1/chat/completions`, chatOfSize(5 * 1024 * 1024))).status).toBe(200);
      const res = await rawPost(`${defaults.url}/v1/chat/completions`, chatOfSize(21 * 1024 * 1024));
      expect(res.status).toBe(413);
      expect(res.body.error.message).toContain(String(20 * 1024 * 1024));
    });
  });

  describe('trust proxy', () => {
    const lastRequestLog = (gw: OpsGateway, id: string) => gw.logs.find((l) => l.msg === 'request' && l.reqId === id);

    it('X-Forwarded-For is ignored by default', async () => {
      const gw = await startOpsGateway(config());
      try {
        await fetch(`${gw.url}/v1/models`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-request-id': 'xff-untrusted' } });
        await new Promise((r) => setTimeout(r, 20));
        expect(lastRequestLog(gw, 'xff-untrusted')?.clientIp).toBe('127.0.0.1');
      } finally {
        await gw.close();
      }
    });

    it('X-Forwarded-For gives the client address when the proxy is trusted', async () => {
      const gw = await startOpsGateway(config(), { trustProxy: 'loopback' });
      try {
        await fetch(`${gw.url}/v1/models`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-request-id': 'xff-trusted' } });
        await new Promise((r) => setTimeout(r, 20));
        expect(lastRequestLog(gw, 'xff-trusted')?.clientIp).toBe('203.0.113.7');
      } finally {
        await gw.close();
      }
    });
  });

  describe('CORS', () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });

    it('is off by default: no CORS headers', async () => {
      const gw = await startOpsGateway(config());
      try {
        const res = await preflight(gw.url, 'https://app.example.com');
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        const get = await fetch(`${gw.url}/v1/models`, { headers: { origin: 'https://app.example.com' } });
        expect(get.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await gw.close();
      }
    });

    it('allows only the configured origins', async () => {
      const gw = await startOpsGateway(config(), { corsOrigins: ['https://app.example.com'] });
      try {
        const ok = await preflight(gw.url, 'https://app.example.com');
        expect(ok.status).toBeLessThan(300);
        expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        const other = await preflight(gw.url, 'https://evil.example.com');
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
        const get = await fetch(`${gw.url}/v1/models`, { headers: { origin: 'https://app.example.com' } });
        expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        expect(get.headers.get('access-control-expose-headers')).toContain('x-request-id');
      } finally {
        await gw.close();
      }
    });
  });

  describe('keep-alive', () => {
    it('defaults above typical ingress idle timeouts (65 s / 66 s)', async () => {
      const gw = await startOpsGateway(config());
      try {
        const server = gw.app.getHttpServer();
        expect(server.keepAliveTimeout).toBe(65_000);
        expect(server.headersTimeout).toBe(66_000);
        const res = await fetch(`${gw.url}/health/liveliness`);
        expect(res.headers.get('keep-alive')).toBe('timeout=65');
      } finally {
        await gw.close();
      }
    });

    it('is configurable', async () => {
      const gw = await startOpsGateway(config(), { keepAliveTimeoutMs: 120_000, headersTimeoutMs: 125_000 });
      try {
        const server = gw.app.getHttpServer();
        expect(server.keepAliveTimeout).toBe(120_000);
        expect(server.headersTimeout).toBe(125_000);
        expect(server.requestTimeout).toBeGreaterThanOrEqual(125_000);
      } finally {
        await gw.close();
      }
    });
  });

  it('the CLI wires flags and environment into the server (dist/main.js)', async () => {
    const port = await freePort();
    const run = runCli(
      ['--config', writeTempConfig(config()), '--port', String(port), '--host', '127.0.0.1', '--data-dir', mkdtempSync(join(tmpdir(), 'switchboard-ingress-')), '--body-limit', '1kb', '--keep-alive-timeout', '70'],
      cleanEnv({ SERVER_ROOT_PATH: '/gw', TRUST_PROXY: 'loopback', CORS_ORIGINS: 'https://app.example.com' }),
    );
    try {
      const origin = `http://127.0.0.1:${port}`;
      await waitUntilServing(run, `${origin}/gw`);
      expect((await fetch(`${origin}/health/liveliness`)).status).toBe(404);
      const big = await rawPost(`${origin}/gw/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(2048) }] });
      expect(big.status).toBe(413);
      const live = await fetch(`${origin}/gw/health/liveliness`, {
        headers: { 'x-forwarded-for': '198.51.100.9', 'x-request-id': 'cli-wiring', origin: 'https://app.example.com' },
      });
      expect(live.headers.get('keep-alive')).toBe('timeout=70');
      expect(live.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      // Log lines are batched; the flush timer bounds the wait (250 ms).
      const findLine = () =>
        run
          .stdout()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l))
          .find((l) => l.reqId === 'cli-wiring');
      for (let i = 0; i < 40 && !findLine(); i++) await new Promise((r) => setTimeout(r, 50));
      const line = findLine();
      expect(line).toMatchObject({ route: '/health/liveliness', path: '/gw/health/liveliness', clientIp: '198.51.100.9' });
    } finally {
      await run.stop();
    }
  });
});
