import OpenAI, { APIError } from 'openai';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/** Issue 17: a LiteLLM config.yaml and LiteLLM-style clients behave here as they did there. */

function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('LiteLLM compatibility over HTTP', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startGateway(
      `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-x, api_base: "${upstream.url}/v1", api_key: sk-x }
  # An unset variable in api_base: the deployment must never fall back to api.openai.com with the key.
  - model_name: unset-base
    litellm_params: { model: openai/gpt-x, api_base: os.environ/SB_COMPAT_UNSET_BASE, api_key: sk-secret-compat }
  - model_name: unset-key
    litellm_params: { model: openai/gpt-x, api_base: "${upstream.url}/v1", api_key: os.environ/SB_COMPAT_UNSET_KEY }
`,
      { ...process.env, SB_COMPAT_UNSET_BASE: '', SB_COMPAT_UNSET_KEY: '' },
    );
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  // What `curl -d '{...}'` sends (form-encoded), no type at all, and text/plain: LiteLLM reads JSON anyway.
  it.each([
    ['curl -d (form-encoded)', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content-type', {} as Record<string, string>],
    ['text/plain', { 'content-type': 'text/plain' }],
  ])('a JSON body sent as %s is served', async (_name, headers) => {
    const reply = await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }), headers);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text).choices[0].message.content).toBe('Hello from the fake upstream');
  });

  it.each([
    ['unset-base', 'SB_COMPAT_UNSET_BASE'],
    ['unset-key', 'SB_COMPAT_UNSET_KEY'],
  ])('%s: 502 deployment_misconfigured naming %s, x-should-retry: false, nothing sent upstream', async (model, variable) => {
    const before = upstream.requests.length;
    const reply = await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }), { 'content-type': 'application/json' });
    expect(reply.status).toBe(502);
    expect(reply.headers['x-should-retry']).toBe('false');
    const body = JSON.parse(reply.text);
    expect(body.error.code).toBe('deployment_misconfigured');
    expect(body.error.message).toContain(variable);
    expect(reply.text).not.toContain('sk-secret-compat');
    expect(upstream.requests.length).toBe(before);
  });

  it('the openai SDK (maxRetries 2) makes one attempt on a deployment_misconfigured 502', async () => {
    const before = upstream.requests.length;
    let attempts = 0;
    const client = new OpenAI({
      apiKey: 'unused',
      baseURL: `${gw.url}/v1`,
      maxRetries: 2,
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        attempts += 1;
        return fetch(url, init);
      },
    });
    const err = await client.chat.completions.create({ model: 'unset-base', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(502);
    expect(attempts).toBe(1);
    expect(upstream.requests.length).toBe(before);
  });
});

describe("the README's TypeScript snippet with the bundled config", () => {
  let gw: RunningGateway;
  const env = { ...process.env };
  delete env.SWITCHBOARD_MASTER_KEY;
  delete env.OPENROUTER_API_KEY;

  beforeAll(async () => {
    gw = await startGateway(readFileSync(join(ROOT, 'config', 'example.yaml'), 'utf8'), env);
  });
  afterAll(() => gw.close());

  it('constructs, authenticates and reaches the model as written (no master key needed locally)', async () => {
    // The snippet verbatim but for the port; OPENROUTER_API_KEY is unset so nothing leaves the machine.
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: env.SWITCHBOARD_MASTER_KEY ?? 'sk-local', maxRetries: 0 });
    const err = await client.responses.create({ model: 'mymodel', input: 'Hello' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    // Past authentication and resolution: the answer names the one thing left to set.
    expect((err as APIError).status).toBe(502);
    expect((err as APIError).message).toContain('OPENROUTER_API_KEY');
  });
});
