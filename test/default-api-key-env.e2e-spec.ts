import type { Duplex } from 'node:stream';
import OpenAI from 'openai';
import { upstreamAgents } from '../src/providers/upstream-http.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * A deployment without api_key gets its provider's key from the environment, as LiteLLM reads it
 * (OPENAI_API_KEY, LLAMAFILE_API_KEY, ...), but only when it also has no api_base: the key must
 * never reach a host the config did not name.
 *
 * The provider default case needs the provider's default address. llamafile's is loopback
 * (http://127.0.0.1:8080/v1); the shared upstream agent is pointed from that port to the fake for
 * the duration of the test, so the request really goes to the default URL the gateway built.
 */
describe('default API key variables', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;
  const agent = upstreamAgents().http as unknown as { createConnection: (options: Record<string, unknown>, cb?: unknown) => Duplex };
  const original = agent.createConnection;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    const fakePort = Number(new URL(upstream.url).port);
    agent.createConnection = function (this: unknown, options: Record<string, unknown>, cb?: unknown) {
      const redirected = options.port === 8080 || options.port === '8080' ? { ...options, port: fakePort } : options;
      return original.call(this, redirected, cb);
    };
    const env = { LLAMAFILE_API_KEY: 'sk-llamafile-from-env', OPENAI_API_KEY: 'sk-openai-from-env' };
    gw = await startGateway(`
model_list:
  - model_name: local-default
    litellm_params: { model: llamafile/mistral-7b }
  - model_name: local-own-key
    litellm_params: { model: llamafile/mistral-7b, api_key: sk-configured-key }
  - model_name: openai-custom-base
    litellm_params: { model: openai/gpt-4o, api_base: "${upstream.url}/v1" }
  - model_name: llamafile-custom-base
    litellm_params: { model: llamafile/mistral-7b, api_base: "${upstream.url}/v1" }
router_settings:
  num_retries: 0
`, env);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    agent.createConnection = original;
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

  it('no api_key and no api_base: the provider default URL receives the key from LLAMAFILE_API_KEY', async () => {
    await ask('local-default');
    const req = upstream.last();
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.host).toBe('127.0.0.1:8080');
    expect(req.headers.authorization).toBe('Bearer sk-llamafile-from-env');
    expect(req.body.model).toBe('mistral-7b');
  });

  it('a configured api_key wins over the environment', async () => {
    await ask('local-own-key');
    expect(upstream.last().headers.authorization).toBe('Bearer sk-configured-key');
  });

  it('an api_base of its own never receives OPENAI_API_KEY', async () => {
    await ask('openai-custom-base');
    expect(upstream.last().headers.host).not.toBe('127.0.0.1:8080');
    expect(upstream.last().headers.authorization).toBeUndefined();
  });

  it('nor the same provider pointed at another host', async () => {
    await ask('llamafile-custom-base');
    expect(upstream.last().headers.authorization).toBeUndefined();
  });
});
