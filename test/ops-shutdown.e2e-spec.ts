import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { ShutdownService } from '../src/health/shutdown.service.js';
import { cleanEnv, freePort, MAIN, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { chatStream, FakeUpstream } from './helpers/fake-upstream.js';
import { startOpsGateway } from './helpers/ops-gateway.js';

/**
 * SIGTERM against the built gateway (`node dist/main.js`): readiness fails at once, open
 * streams finish, new connections are refused, the process exits 0.
 */
describe('ops: graceful shutdown', () => {
  let upstream: FakeUpstream;
  const pieces = Array.from({ length: 8 }, (_, i) => `p${i} `);

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    upstream = await FakeUpstream.start();
  });
  afterAll(() => upstream.close());

  async function start(flags: string[]) {
    const config = writeTempConfig(`
model_list:
  - model_name: slow
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-test }
`);
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-shutdown-'));
    const run = runCli(['--config', config, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, ...flags], cleanEnv());
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(run, url);
    return { run, url, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 }) };
  }

  it('SIGTERM mid-stream: readiness fails, the stream completes, new connections are refused, exit 0', async () => {
    const { run, url, client } = await start(['--shutdown-grace', '10', '--shutdown-delay', '0.4']);
    try {
      upstream.enqueue({ ...chatStream('gpt-4o', pieces), chunkDelayMs: 200 });
      const stream = await client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'hi' }], stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      let text = '';
      const first = await iterator.next();
      text += first.value?.choices[0]?.delta?.content ?? '';

      const signalledAt = Date.now();
      run.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      // Within --shutdown-delay the instance still answers, but says it is going away.
      const ready = await fetch(`${url}/health/readiness`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as any).error.code).toBe('shutting_down');

      const rest = (async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) text += r.value.choices[0]?.delta?.content ?? '';
      })();
      await new Promise((r) => setTimeout(r, 700));
      // After the delay the listener is closed while the stream is still running.
      expect(run.child.exitCode).toBeNull();
      await expect(fetch(`${url}/health/liveliness`)).rejects.toThrow();

      await rest;
      expect(text).toBe(pieces.join(''));
      expect(await run.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeGreaterThan(1000);

      const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.some((l) => l.msg === 'shutdown started')).toBe(true);
      expect(lines.find((l) => l.msg === 'request' && l.route === '/v1/chat/completions')).toMatchObject({ status: 200, stream: true });
      expect(lines.find((l) => l.msg === 'requests drained')).toMatchObject({ cut: 0 });
    } finally {
      await run.stop();
    }
  });

  it('a stream longer than the grace period is cut when it ends, and the process still exits 0', async () => {
    const { run, client } = await start(['--shutdown-grace', '1']);
    try {
      upstream.enqueue({ ...chatStream('gpt-4o', Array.from({ length: 30 }, () => 'x')), chunkDelayMs: 200 });
      const stream = await client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'hi' }], stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      const signalledAt = Date.now();
      run.child.kill('SIGTERM');
      let chunks = 1;
      let failed = false;
      try {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) chunks++;
      } catch {
        failed = true;
      }
      const code = await run.exited;
      if (code !== 0) console.log(run.stdout(), run.stderr());
      expect(code).toBe(0);
      const took = Date.now() - signalledAt;
      expect(took).toBeGreaterThan(800);
      expect(took).toBeLessThan(4000);
      expect(failed || chunks < 32).toBe(true);
      expect(run.stdout()).toContain('grace period over');
    } finally {
      await run.stop();
    }
  });

  it('flush hooks run after in-flight streams have finished', async () => {
    const gw = await startOpsGateway(`
model_list:
  - model_name: slow
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-test }
`);
    const order: string[] = [];
    const shutdown = gw.app.get(ShutdownService);
    shutdown.onShutdown('spend', async () => {
      await new Promise((r) => setTimeout(r, 50));
      order.push('spend flushed');
    });
    shutdown.onShutdown('broken', () => {
      throw new Error('disk full');
    });
    shutdown.onShutdown('logs', () => order.push('logs flushed'));
    try {
      upstream.enqueue({ ...chatStream('gpt-4o', ['a', 'b', 'c']), chunkDelayMs: 100 });
      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'x', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'hi' }], stream: true });
      const consumed = (async () => {
        for await (const _ of stream) void _;
        order.push('stream done');
      })();
      expect(shutdown.inFlight).toBe(1);
      const result = await shutdown.drain(gw.app.getHttpServer(), { graceMs: 5000 });
      await consumed;
      expect(result).toEqual({ cut: 0, flushFailures: ['broken'] });
      expect(order).toEqual(['stream done', 'spend flushed', 'logs flushed']);
    } finally {
      await gw.close();
    }
  });
});
