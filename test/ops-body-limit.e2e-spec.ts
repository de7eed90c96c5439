import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { cleanEnv, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';

/**
 * A client that sends a body over the limit must read the 413, not a socket error: the gateway
 * answers with `Connection: close` only after it has read (and discarded) what the client is
 * still writing, within a bound.
 */
describe('ops: an oversized body is answered with a readable 413', () => {
  let upstream: FakeUpstream;
  let gw: OpsGateway;
  const LIMIT = 1024 * 1024;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startOpsGateway(
      `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-upstream }
`,
      { bodyLimitBytes: LIMIT },
    );
  });
  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  // The client asks for keep-alive: the gateway must still close after a refused body.
  const keepAlive = new http.Agent({ keepAlive: true });
  afterAll(() => keepAlive.destroy());

  const bigBody = (bytes: number) => JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(bytes) }] });

  /** A plain node:http POST that writes the whole body in 64 KiB pieces, as a real client does. */
  function rawPost(body: string, chunked: boolean): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const url = new URL(`${gw.url}/v1/chat/completions`);
      const headers: Record<string, string | number> = { 'content-type': 'application/json' };
      if (!chunked) headers['content-length'] = Buffer.byteLength(body);
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent: keepAlive }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      const buf = Buffer.from(body);
      let offset = 0;
      const writeMore = () => {
        while (offset < buf.length) {
          const piece = buf.subarray(offset, offset + 64 * 1024);
          offset += piece.length;
          if (!req.write(piece)) return void req.once('drain', writeMore);
        }
        req.end();
      };
      writeMore();
    });
  }

  it.each([
    ['a declared content-length', false],
    ['a chunked body', true],
  ])('%s 3× over the limit: 20 raw node:http clients in a row all read the 413 body', async (_label, chunked) => {
    const body = bigBody(3 * LIMIT);
    for (let i = 0; i < 20; i++) {
      const res = await rawPost(body, chunked as boolean);
      expect(res.status).toBe(413);
      expect(res.headers.connection).toBe('close');
      expect(JSON.parse(res.text)).toEqual({
        error: { message: expect.stringContaining(`${LIMIT} bytes`), type: 'invalid_request_error', param: null, code: 'payload_too_large' },
      });
    }
  });

  it('the openai SDK gets the 413 as an APIError, 20 times in a row, without retrying', async () => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'x', maxRetries: 2 });
    const before = upstream.requests.length;
    const content = 'x'.repeat(8 * LIMIT);
    for (let i = 0; i < 20; i++) {
      const err = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('payload_too_large');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('discarded bodies are not kept: 20 × 3.5 MB leave memory far below their sum', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const body = bigBody(3.5 * LIMIT);
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    gc();
    const before = used();
    for (let i = 0; i < 20; i++) expect((await rawPost(body, i % 2 === 0)).status).toBe(413);
    gc();
    // The 20 bodies are 70 MB; keeping them (or buffering each whole) would show here.
    expect(used() - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('a body far beyond the drain bound is cut off: the gateway stops reading and closes', async () => {
    // 4× the limit is read and discarded at most; past that the connection is closed, so a client
    // that keeps writing sees its socket end (an error or a 413, never a hang).
    const outcome = await rawPost(bigBody(40 * LIMIT), false).then(
      (r) => `status ${r.status}`,
      (e: NodeJS.ErrnoException) => `error ${e.code}`,
    );
    expect(outcome).toMatch(/^(status 413|error (EPIPE|ECONNRESET))$/);
  });

  it('the connection after a 413 is not reused: the next request on a fresh one is served', async () => {
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
  });

  it('the gateway in its own process (node dist/main.js): the openai SDK and raw clients read 20 × 413', async () => {
    const port = await freePort();
    const run = runCli(
      ['--config', writeTempConfig(`model_list:\n  - model_name: m\n    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: sk-upstream }\n`),
        '--port', String(port), '--host', '127.0.0.1', '--data-dir', mkdtempSync(join(tmpdir(), 'switchboard-413-')), '--body-limit', '1mb'],
      cleanEnv(),
    );
    try {
      await waitUntilServing(run, `http://127.0.0.1:${port}`);
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0 });
      const content = 'x'.repeat(3 * LIMIT);
      for (let i = 0; i < 20; i++) {
        const err = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] }).catch((e: unknown) => e);
        expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
      }
      const body = Buffer.from(bigBody(3 * LIMIT));
      for (let i = 0; i < 20; i++) {
        const status = await new Promise<string>((resolve) => {
          const req = http.request(
            { host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/json', 'content-length': body.length } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(`${res.statusCode} ${res.headers.connection}`));
            },
          );
          req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
          req.end(body);
        });
        expect(status).toBe('413 close');
      }
    } finally {
      await run.stop();
    }
  });
});
