import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { APIError } from 'openai';
import { cleanEnv, CliRun, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * Deployment keys and the master key never reach a client or a log. Real providers echo the key
 * they were given in their 401s (whole, or masked like OpenAI's "sk-abc***xyz"); this fake does
 * the same, in every way it can, so the gateway has to cut them out.
 */
const UPSTREAM_KEY = 'sk-proj-UPSTREAMsecretAbCdEfGhIjKlMnOp9876';
const MASTER_KEY = 'sk-master-MASTERsecretQrStUvWxYz5432';
const HEADER_SECRET = 'hdr-token-HEADERsecret0123456789';

/** Recognisable pieces of each secret: none may appear anywhere a client or operator can read. */
const FRAGMENTS = [UPSTREAM_KEY, MASTER_KEY, HEADER_SECRET, 'UPSTREAMsecret', 'MASTERsecret', 'HEADERsecret', 'MnOp9876', 'WxYz5432', '0123456789'];

function expectNoSecret(text: string): void {
  for (const f of FRAGMENTS) expect(text).not.toContain(f);
}

/** Echoes credentials back in its errors, per path. */
async function startEchoingUpstream(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '');
      const key = auth.replace(/^Bearer /, '');
      const masked = `${key.slice(0, 8)}${'*'.repeat(20)}${key.slice(-4)}`;
      const mode = (req.url ?? '').split('/')[1];
      const messages: Record<string, [number, string]> = {
        full: [401, `Incorrect API key provided: ${key}.`],
        header: [401, `Bad header Authorization: ${auth}; also x-custom-token=${String(req.headers['x-custom-token'])}`],
        masked: [401, `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`],
        server: [500, `Internal error while checking key ${key}`],
        plain: [403, `forbidden for ${auth}`],
      };
      const [status, message] = messages[mode] ?? [404, 'unknown mode'];
      const body = mode === 'plain' ? message : JSON.stringify({ error: { message, type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
      res.writeHead(status, { 'content-type': mode === 'plain' ? 'text/plain' : 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const MODES = ['full', 'header', 'masked', 'server', 'plain'];

const configYaml = (upstreamUrl: string, keyRef: string, masterRef: string) => `
model_list:
${MODES.map(
  (mode) => `  - model_name: ${mode}
    litellm_params:
      model: openai/gpt-x
      api_base: "${upstreamUrl}/${mode}/v1"
      api_key: ${keyRef}
      extra_headers: { x-custom-token: ${HEADER_SECRET} }
`,
).join('')}router_settings: { num_retries: 0, cooldown_time: 0 }
general_settings: { master_key: ${masterRef} }
`;

describe('secrets', () => {
  let upstream: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    upstream = await startEchoingUpstream();
  });

  afterAll(() => upstream.close());

  describe('in responses to clients', () => {
    let gw: RunningGateway;
    let client: OpenAI;

    beforeAll(async () => {
      gw = await startGateway(configYaml(upstream.url, UPSTREAM_KEY, MASTER_KEY));
      client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
    });

    afterAll(() => gw.close());

    it.each(MODES)('an upstream error that echoes the key (%s) reaches the client without it', async (mode) => {
      const err = await client.chat.completions.create({ model: mode, messages: [{ role: 'user', content: 'hi' }] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(APIError);
      const e = err as APIError;
      expect(e.status).toBe(mode === 'server' ? 502 : mode === 'plain' ? 403 : 401);
      expectNoSecret(JSON.stringify(e.error));
      expectNoSecret(e.message);
      // Still useful: the upstream's explanation survives, with the key cut out.
      expect(e.message).toMatch(/Incorrect API key provided|Bad header|Internal error|forbidden/);
      expect(e.message).toContain('[redacted]');
    });

    it('streaming requests too', async () => {
      const err = await client.chat.completions.create({ model: 'masked', messages: [{ role: 'user', content: 'hi' }], stream: true }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as APIError).status).toBe(401);
      expectNoSecret(JSON.stringify((err as APIError).error));
    });

    it('responses endpoint too', async () => {
      const err = await client.responses.create({ model: 'full', input: 'hi' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as APIError).status).toBe(401);
      expectNoSecret(JSON.stringify((err as APIError).error));
    });

    it("the gateway's own 401 does not echo a presented key", async () => {
      const almost = `${MASTER_KEY.slice(0, -1)}X`;
      const res = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${almost}` },
        body: JSON.stringify({ model: 'full', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain(almost);
      expectNoSecret(text);
    });

    it('/v1/models does not reveal keys', async () => {
      const res = await fetch(`${gw.baseURL}/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
      expect(res.status).toBe(200);
      expectNoSecret(await res.text());
    });
  });

  describe('in logs (the built CLI, stdout and stderr)', () => {
    let run: CliRun;
    let url: string;

    beforeAll(async () => {
      const port = await freePort();
      const config = writeTempConfig(configYaml(upstream.url, 'os.environ/SB_TEST_UPSTREAM_KEY', 'os.environ/SB_TEST_MASTER_KEY'));
      run = runCli(['--config', config, '--port', String(port), '--host', '127.0.0.1'], cleanEnv({ SB_TEST_UPSTREAM_KEY: UPSTREAM_KEY, SB_TEST_MASTER_KEY: MASTER_KEY }));
      url = `http://127.0.0.1:${port}`;
      await waitUntilServing(run, url);
    });

    afterAll(() => run.stop());

    it('never contain a key, whatever the requests do', async () => {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
      const attempts: Promise<unknown>[] = [];
      for (const mode of MODES) {
        attempts.push(client.chat.completions.create({ model: mode, messages: [{ role: 'user', content: 'hi' }] }));
        attempts.push(client.chat.completions.create({ model: mode, messages: [{ role: 'user', content: 'hi' }], stream: true }));
        attempts.push(client.responses.create({ model: mode, input: 'hi' }));
      }
      for (const key of [`${MASTER_KEY}x`, MASTER_KEY.slice(0, -2), UPSTREAM_KEY]) {
        const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
        attempts.push(wrong.chat.completions.create({ model: 'full', messages: [{ role: 'user', content: 'hi' }] }));
        attempts.push(wrong.models.list());
      }
      attempts.push(fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'x-api-key': MASTER_KEY, 'content-type': 'application/json' }, body: `{"model": "${UPSTREAM_KEY}"` }));
      attempts.push(fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'x-api-key': MASTER_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'nope', messages: [] }) }));
      attempts.push(fetch(`${url}/v1/models`, { headers: { 'x-api-key': MASTER_KEY, 'x-request-id': 'log-trace-4242' } }));
      const outcomes = await Promise.allSettled(attempts);
      // The requests really failed in all the ways intended (and were answered, not dropped).
      expect(outcomes.filter((o) => o.status === 'rejected').length).toBeGreaterThanOrEqual(MODES.length * 3 + 6);
      await run.stop();
      const logs = run.stdout() + run.stderr();
      // The logs did record these requests and their upstream failures; they just hold no key.
      expect(logs).toMatch(/upstream_rejected/);
      expect(logs).toMatch(/unauthorized/);
      // The caller's request id is in the log line, so a request can be traced through the ingress.
      expect(logs).toContain('log-trace-4242');
      expectNoSecret(logs);
    });
  });
});
