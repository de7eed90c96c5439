import Anthropic from '@anthropic-ai/sdk';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';

/**
 * /v1/messages refusals that the endpoint tests do not reach, in Anthropic's shape with the status
 * the same failure has on the OpenAI endpoints: 413 (body limit), 415 (multipart), 503
 * overloaded_error (every deployment cooling down), and failures of a bridged (OpenAI-family)
 * deployment: upstream 5xx → 502 api_error, and a stream broken mid-way → `event: error`.
 */
describe('/v1/messages errors in Anthropic shape (bridged deployments)', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let gw: OpsGateway;
  let client: Anthropic;
  const status500 = { status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } };

  beforeAll(async () => {
    [a, b] = [await FakeUpstream.start(), await FakeUpstream.start()];
    gw = await startOpsGateway(
      `
model_list:
  - model_name: frail
    litellm_params: { model: openai/frail-a, api_base: ${a.url}/v1, api_key: sk-a }
    model_info: { id: frail-a }
  - model_name: frail
    litellm_params: { model: openai/frail-b, api_base: ${b.url}/v1, api_key: sk-b }
    model_info: { id: frail-b }
  - model_name: solo
    litellm_params: { model: openai/solo, api_base: ${a.url}/v1, api_key: sk-a }
router_settings:
  num_retries: 1
  allowed_fails: 0
  cooldown_time: 30
  retry_after: 0.01
`,
      { bodyLimitBytes: 64 * 1024 },
    );
    client = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await gw.close();
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    a.reset();
    b.reset();
  });

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'content-type': contentType, 'anthropic-version': '2023-06-01' }, body });

  it('413 request_too_large for a body over the limit', async () => {
    const res = await post(JSON.stringify({ model: 'solo', max_tokens: 10, messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'request_too_large', message: expect.stringContaining('65536 bytes') } });
  });

  it('415 invalid_request_error for a multipart body', async () => {
    const res = await post('--x\r\n\r\n--x--', 'multipart/form-data; boundary=x');
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('multipart') } });
  });

  it('upstream 5xx after retries → 502 api_error; then every deployment cooling down → 503 overloaded_error with retry-after', async () => {
    a.always = status500;
    b.always = status500;
    const first = await client.messages.create({ model: 'frail', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Anthropic.APIError);
    expect((first as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect((first as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'api_error' } });

    const res = await post(JSON.stringify({ model: 'frail', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: expect.stringMatching(/cooling down/) } });
  });

  it('a bridged stream broken mid-way ends with an Anthropic `event: error`, never a silent end', async () => {
    const chunk = (content: string) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'solo', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    a.enqueue({ sse: [chunk('Hel'), chunk('lo'), chunk(' there')], resetAfterEvents: 2, chunkDelayMs: 50 });
    const res = await post(JSON.stringify({ model: 'solo', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('event: message_start');
    expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
    expect(text).not.toContain('event: message_stop');
  });
});
