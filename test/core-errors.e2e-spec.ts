import OpenAI, { APIError, AuthenticationError, BadRequestError } from 'openai';
import { closedPort, expectOpenAiError, parseSse } from './helpers/assertions.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';
import type { JsonObject, ProviderAdapter, UpstreamStream } from '../src/providers/provider-adapter.js';
import { ProviderRegistry } from '../src/providers/provider-registry.service.js';
import type { DeploymentTarget } from '../src/routing/routing-table.js';

/**
 * SPEC.md's error contract, row by row, through the real app and a real fake upstream.
 * (404 model_not_found is covered by seed-scenarios; 403 and the gateway's own 429 need
 * virtual keys and are tested with them.)
 */
const MASTER = 'sk-master-e2e-0123456789';
const UPSTREAM_KEY = 'sk-upstream-e2e-abcdefghij';

async function failure(call: Promise<unknown>): Promise<APIError> {
  const result = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(result).toBeInstanceOf(APIError);
  return result as APIError;
}

describe('error contract', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;
  const chat = (model = 'm', extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra } as never);

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    const dead = await closedPort();
    gw = await startGateway(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-x, api_base: "${upstream.url}/v1", api_key: ${UPSTREAM_KEY} }
  - model_name: slow
    litellm_params: { model: openai/slow, api_base: "${upstream.url}/v1", api_key: ${UPSTREAM_KEY}, timeout: 0.3 }
  - model_name: dead
    litellm_params: { model: openai/dead, api_base: "http://127.0.0.1:${dead}/v1", api_key: ${UPSTREAM_KEY} }
router_settings:
  num_retries: 0
  cooldown_time: 0
general_settings:
  master_key: ${MASTER}
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0, timeout: 10_000 });
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  describe('400 invalid_request_error', () => {
    it('malformed JSON', async () => {
      const res = await rawPost(`${gw.baseURL}/chat/completions`, '{"model": "m", "messages": [', {
        'content-type': 'application/json',
        authorization: `Bearer ${MASTER}`,
      });
      expect(res.status).toBe(400);
      expect(expectOpenAiError(res.body).type).toBe('invalid_request_error');
      expect(res.body.error.message).toContain('not valid JSON');
    });

    it('missing messages, through the SDK', async () => {
      const err = await failure(client.chat.completions.create({ model: 'm' } as never));
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.type).toBe('invalid_request_error');
      expect(err.param).toBe('messages');
    });

    it('an invalid field names it in param', async () => {
      const err = await failure(chat('m', { temperature: 'hot' }));
      expect(err.status).toBe(400);
      expect(err.param).toBe('temperature');
      expect(err.message).toContain('temperature');
    });

    it('a message with an unknown role', async () => {
      const err = await failure(client.chat.completions.create({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] } as never));
      expect(err.status).toBe(400);
      expect(err.param).toBe('messages[0].role');
    });

    it('responses with input of the wrong type', async () => {
      const err = await failure(client.responses.create({ model: 'm', input: 42 } as never));
      expect(err.status).toBe(400);
      expect(err.param).toBe('input');
    });

    it('nothing invalid reaches the upstream', () => {
      expect(upstream.requests).toHaveLength(0);
    });
  });

  describe('401 authentication_error / invalid_api_key', () => {
    it('missing key', async () => {
      const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(401);
      const error = expectOpenAiError(res.body);
      expect([error.type, error.code]).toEqual(['authentication_error', 'invalid_api_key']);
    });

    it('wrong key, through the SDK', async () => {
      const wrong = new OpenAI({ baseURL: gw.baseURL, apiKey: 'sk-wrong-key-000000', maxRetries: 0 });
      const err = await failure(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }));
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.code).toBe('invalid_api_key');
      expect(err.type).toBe('authentication_error');
      expect(err.message).not.toContain('sk-wrong-key-000000');
    });

    it.each([
      ['GET', '/v1/models'],
      ['GET', '/models'],
      ['POST', '/v1/responses'],
      ['POST', '/responses'],
      ['POST', '/chat/completions'],
      ['POST', '/v1/embeddings'],
      ['POST', '/embeddings'],
      ['GET', '/v1/models/m'],
      ['GET', '/models/m'],
    ])('%s %s needs the key', async (method, path) => {
      const res = await fetch(`${gw.url}${path}`, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
        body: method === 'POST' ? JSON.stringify({ model: 'm', input: 'x', messages: [{ role: 'user', content: 'x' }] }) : undefined,
      });
      expect(res.status).toBe(401);
      const error = expectOpenAiError(await res.json());
      expect(error.code).toBe('invalid_api_key');
    });

    it('a key is checked before the body is judged: no information for unauthenticated callers', async () => {
      const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'nope' });
      expect(res.status).toBe(401);
    });

    it.each([
      ['Authorization: Bearer', { authorization: `Bearer ${MASTER}` }],
      ['Authorization: bearer (any case)', { authorization: `bearer ${MASTER}` }],
      ['x-api-key', { 'x-api-key': MASTER }],
    ])('accepts the master key as %s', async (_how, headers) => {
      const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, {
        'content-type': 'application/json',
        ...headers,
      });
      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe('Hello from the fake upstream');
    });

    it.each(['/health/liveliness', '/health/readiness'])('%s is open without a key', async (path) => {
      const res = await fetch(`${gw.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok' });
    });

    it('the upstream never sees the master key', async () => {
      await chat();
      expect(upstream.last().headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(JSON.stringify(upstream.last())).not.toContain(MASTER);
    });
  });

  describe('upstream 4xx: same status, upstream message kept', () => {
    it.each([
      [400, 'invalid_request_error', 'Invalid value for temperature'],
      [401, 'authentication_error', 'Your upstream credentials are no good'],
      [403, 'permission_error', 'Region not supported'],
      [404, 'invalid_request_error', 'The model gpt-x does not exist'],
      [422, 'invalid_request_error', 'Unprocessable thing'],
      [429, 'rate_limit_error', 'Rate limit reached for gpt-x'],
    ])('%i', async (status, type, message) => {
      upstream.enqueue({ status, body: { error: { message, type: 'upstream_type', param: 'temperature', code: 'upstream_code' } } });
      const err = await failure(chat());
      expect(err.status).toBe(status);
      expect(err.type).toBe(type);
      expect(err.message).toContain(message);
      expect(err.code).toBe('upstream_code');
      expect(err.param).toBe('temperature');
      expect(upstream.requests).toHaveLength(1);
    });

    it('429 keeps Retry-After', async () => {
      upstream.enqueue({ status: 429, headers: { 'retry-after': '7' }, body: { error: { message: 'slow down', type: 'requests' } } });
      const err = await failure(chat());
      expect(err.status).toBe(429);
      expect(err.type).toBe('rate_limit_error');
      expect(err.headers?.get('retry-after')).toBe('7');
    });

    it('a non-JSON 4xx body is kept as the message', async () => {
      upstream.enqueue({ status: 403, body: 'Forbidden by upstream policy' });
      const err = await failure(chat());
      expect(err.status).toBe(403);
      expect(err.message).toContain('Forbidden by upstream policy');
    });

    it('streaming requests get the same JSON error, not a 200 event stream', async () => {
      upstream.enqueue({ status: 429, headers: { 'retry-after': '3' }, body: { error: { message: 'too many streams' } } });
      const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }, {
        'content-type': 'application/json',
        authorization: `Bearer ${MASTER}`,
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(res.headers.get('retry-after')).toBe('3');
      expect(expectOpenAiError(res.body).message).toContain('too many streams');
    });

    it("an upstream 401 is distinguishable from the gateway's own 401", async () => {
      upstream.enqueue({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } });
      const upstream401 = await failure(chat());
      const wrong = new OpenAI({ baseURL: gw.baseURL, apiKey: 'sk-nope-nope-nope', maxRetries: 0 });
      const own401 = await failure(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }));
      expect(upstream401.status).toBe(401);
      expect(own401.status).toBe(401);
      expect(upstream401.message).toMatch(/Upstream provider openai returned 401: Incorrect API key provided/);
      expect(own401.message).not.toMatch(/upstream/i);
      expect(own401.message).not.toBe(upstream401.message);
    });
  });

  describe('upstream 5xx or connection failure → 502 api_error / upstream_error', () => {
    it.each([500, 502, 503])('upstream %i', async (status) => {
      upstream.enqueue({ status, body: { error: { message: `boom ${status}` } } });
      const err = await failure(chat());
      expect([err.status, err.type, err.code]).toEqual([502, 'api_error', 'upstream_error']);
      expect(err.message).toContain(`boom ${status}`);
    });

    it('an HTML 500 page', async () => {
      upstream.enqueue({ status: 500, body: '<html><body>Internal Server Error</body></html>' });
      const err = await failure(chat());
      expect([err.status, err.code]).toEqual([502, 'upstream_error']);
    });

    it('connection refused', async () => {
      const err = await failure(chat('dead'));
      expect([err.status, err.type, err.code]).toEqual([502, 'api_error', 'upstream_error']);
      expect(err.message).toContain('Could not reach upstream provider openai');
    });

    it('connection reset without an answer', async () => {
      upstream.enqueue({ reset: true });
      const err = await failure(chat());
      expect([err.status, err.code]).toEqual([502, 'upstream_error']);
    });

    it('a 200 that is not JSON', async () => {
      upstream.enqueue({ status: 200, body: 'definitely not json' });
      const err = await failure(chat());
      expect([err.status, err.code]).toEqual([502, 'upstream_error']);
    });

    it('a 200 carrying an error body is not passed on as a success', async () => {
      upstream.enqueue({ status: 200, body: { error: { message: 'Provider returned error', code: 502 } } });
      const err = await failure(chat());
      expect(err.status).toBe(502);
      expect(err.message).toContain('Provider returned error');
    });

    it('a 200 carrying an in-band 429 keeps its status', async () => {
      upstream.enqueue({ status: 200, body: { error: { message: 'Rate limited by provider', code: 429 } } });
      const err = await failure(chat());
      expect(err.status).toBe(429);
      expect(err.type).toBe('rate_limit_error');
    });

    it('streaming: a 200 JSON error body instead of a stream keeps its in-band status', async () => {
      upstream.enqueue({ status: 200, body: { error: { message: 'Rate limited by provider', code: 429 } } });
      const err = await failure(chat('m', { stream: true }));
      expect([err.status, err.type]).toEqual([429, 'rate_limit_error']);
      expect(err.message).toContain('Rate limited by provider');
    });

    it('streaming: connection refused is a JSON 502', async () => {
      const err = await failure(chat('dead', { stream: true }));
      expect(err.status).toBe(502);
    });

    it('an error after the stream started is a final SSE error event', async () => {
      const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x' };
      upstream.enqueue({
        sse: [
          { ...base, choices: [{ index: 0, delta: { content: 'partial' }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { content: 'never' }, finish_reason: null }] },
        ],
        resetAfterEvents: 1,
        chunkDelayMs: 50,
      });
      const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }, {
        'content-type': 'application/json',
        authorization: `Bearer ${MASTER}`,
      });
      expect(res.status).toBe(200);
      const events = parseSse(res.text);
      expect(JSON.parse(events[0].data).choices[0].delta.content).toBe('partial');
      const last = JSON.parse(events[events.length - 1].data);
      expect(last.error).toMatchObject({ type: 'api_error', code: 'upstream_error' });
      expect(res.text).not.toContain('[DONE]');
    });
  });

  describe('the same contract on /v1/responses and /v1/embeddings', () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['responses', () => client.responses.create({ model: 'm', input: 'hi' })],
      ['responses, streaming', () => client.responses.create({ model: 'm', input: 'hi', stream: true })],
      ['embeddings', () => client.embeddings.create({ model: 'm', input: 'hi' })],
    ];
    const upstreamFailures: [string, object, number, string][] = [
      ['upstream 400', { status: 400, body: { error: { message: 'bad thing' } } }, 400, 'invalid_request_error'],
      ['upstream 401', { status: 401, body: { error: { message: 'bad key' } } }, 401, 'authentication_error'],
      ['upstream 429', { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'slow' } } }, 429, 'rate_limit_error'],
      ['upstream 500', { status: 500, body: { error: { message: 'boom' } } }, 502, 'api_error'],
      ['connection reset', { reset: true }, 502, 'api_error'],
    ];
    for (const [endpoint, call] of calls) {
      it.each(upstreamFailures)(`${endpoint}: %s → %i`, async (_what, reply, status, type) => {
        upstream.enqueue(reply);
        const err = await failure(call());
        expect([err.status, err.type]).toEqual([status, type]);
        if (status === 429) expect(err.headers?.get('retry-after')).toBe('2');
      });
    }
  });

  describe('upstream timeout → 504 timeout_error', () => {
    it('JSON', async () => {
      upstream.enqueue({ hang: true });
      const started = Date.now();
      const err = await failure(chat('slow'));
      expect([err.status, err.type]).toEqual([504, 'timeout_error']);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('streaming, before the first byte', async () => {
      upstream.enqueue({ hang: true });
      const err = await failure(chat('slow', { stream: true }));
      expect([err.status, err.type]).toEqual([504, 'timeout_error']);
    });

    it('responses', async () => {
      upstream.enqueue({ hang: true });
      const err = await failure(client.responses.create({ model: 'slow', input: 'hi' }));
      expect([err.status, err.type]).toEqual([504, 'timeout_error']);
    });
  });

  describe('x-request-id', () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${MASTER}` };

    it.each([
      ['a success', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, headers, 200],
      ['a 400', '{', headers, 400],
      ['a 401', { model: 'm' }, { 'content-type': 'application/json' }, 401],
      ['a 404 model', { model: 'nope', messages: [{ role: 'user', content: 'hi' }] }, headers, 404],
    ])('is generated on %s', async (_what, body, h, status) => {
      const res = await rawPost(`${gw.baseURL}/chat/completions`, body as object, h as Record<string, string>);
      expect(res.status).toBe(status);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('differs between requests', async () => {
      const a = await fetch(`${gw.url}/health/liveliness`);
      const b = await fetch(`${gw.url}/health/liveliness`);
      expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
    });

    it.each([
      ['a success', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, 200],
      ['an upstream error', { model: 'dead', messages: [{ role: 'user', content: 'hi' }] }, 502],
      ['a 404', { model: 'nope', messages: [{ role: 'user', content: 'hi' }] }, 404],
    ])('keeps the incoming id on %s', async (_what, body, status) => {
      const res = await rawPost(`${gw.baseURL}/chat/completions`, body, { ...headers, 'x-request-id': 'ingress-abc-123' });
      expect(res.status).toBe(status);
      expect(res.headers.get('x-request-id')).toBe('ingress-abc-123');
    });

    it('is on streams and unknown routes too', async () => {
      const stream = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }, {
        ...headers,
        'x-request-id': 'stream-1',
      });
      expect(stream.headers.get('x-request-id')).toBe('stream-1');
      const unknown = await fetch(`${gw.url}/v1/nothing-here`, { headers: { 'x-request-id': 'route-1', authorization: `Bearer ${MASTER}` } });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('x-request-id')).toBe('route-1');
      expectOpenAiError(await unknown.json());
    });

    it('replaces an unsafe incoming id instead of echoing it', async () => {
      const res = await fetch(`${gw.url}/health/liveliness`, { headers: { 'x-request-id': 'bad id <script>' } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});

/**
 * An unexpected exception deep in the request path (a provider adapter with a bug, registered
 * through the registry's public API — the filter and everything between are the real ones).
 */
describe('500 internal_error', () => {
  const SECRET = 'sk-groq-secret-do-not-leak-42';
  let upstream: FakeUpstream;
  let gw: RunningGateway;

  class BrokenAdapter implements ProviderAdapter {
    readonly name = 'groq';
    supports(): boolean {
      return true;
    }
    private boom(target: DeploymentTarget): never {
      // What a real bug looks like: a TypeError whose message happens to carry a credential.
      throw new TypeError(`Cannot read properties of undefined (reading 'choices') near ${target.credentials.apiKey}`);
    }
    chat = async (t: DeploymentTarget): Promise<JsonObject> => this.boom(t);
    chatStream = async (t: DeploymentTarget): Promise<UpstreamStream> => this.boom(t);
    responses = async (t: DeploymentTarget): Promise<JsonObject> => this.boom(t);
    responsesStream = async (t: DeploymentTarget): Promise<UpstreamStream> => this.boom(t);
    embeddings = async (t: DeploymentTarget): Promise<JsonObject> => this.boom(t);
  }

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startGateway(`
model_list:
  - model_name: broken
    litellm_params: { model: groq/llama, api_key: ${SECRET} }
  - model_name: fine
    litellm_params: { model: openai/gpt-x, api_base: "${upstream.url}/v1", api_key: ${UPSTREAM_KEY} }
router_settings: { num_retries: 2, fallbacks: [ { broken: [fine] } ] }
`);
    gw.app.get(ProviderRegistry).register(new BrokenAdapter());
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  it.each([
    ['chat', '/chat/completions', { model: 'broken', messages: [{ role: 'user', content: 'hi' }] }],
    ['a stream', '/chat/completions', { model: 'broken', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
    ['responses', '/responses', { model: 'broken', input: 'hi' }],
  ])('%s: 500 in the OpenAI shape, no stack or secret, not retried or failed over, and the gateway keeps serving', async (_what, path, body) => {
    upstream.reset();
    const res = await rawPost(`${gw.baseURL}${path}`, body);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const error = expectOpenAiError(res.body);
    expect([error.type, error.code]).toEqual(['api_error', 'internal_error']);
    expect(error.message).toBe('The gateway hit an internal error. It has been logged.');
    for (const leak of [SECRET, 'TypeError', 'choices', ' at ', '.ts:', '.js:']) expect(res.text).not.toContain(leak);
    // A bug is not an upstream failure: no fallback to 'fine' hides it.
    expect(upstream.requests).toHaveLength(0);

    const ok = new OpenAI({ baseURL: gw.baseURL, apiKey: 'none', maxRetries: 0 });
    expect((await ok.chat.completions.create({ model: 'fine', messages: [{ role: 'user', content: 'hi' }] })).model).toBe('fine');
  });
});
