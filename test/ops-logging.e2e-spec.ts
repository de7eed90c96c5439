import OpenAI from 'openai';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';

const MASTER = 'sk-master-logging-0123456789';
const PROVIDER_KEY = 'sk-provider-secret-9876543210';
const PROMPT = 'the quarterly numbers are confidential';

/** One JSON line per request, with the facts an operator needs and none of the secrets. */
describe('ops: structured request logs', () => {
  let upstream: FakeUpstream;
  const config = (extra = '') => `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${upstream.url}/v1, api_key: os.environ/TEST_PROVIDER_KEY }
    model_info: { id: dep-m-1 }
general_settings:
  master_key: os.environ/TEST_MASTER_KEY
${extra}
`;
  const env = { TEST_PROVIDER_KEY: PROVIDER_KEY, TEST_MASTER_KEY: MASTER };
  const settle = () => new Promise((r) => setTimeout(r, 30));
  const requestLine = (gw: OpsGateway, id: string) => gw.logs.find((l) => l.msg === 'request' && l.reqId === id);

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
  });
  afterAll(() => upstream.close());

  describe('with log_prompts off (default)', () => {
    let gw: OpsGateway;
    let client: OpenAI;
    beforeAll(async () => {
      gw = await startOpsGateway(config(), {}, { env });
      client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
    });
    afterAll(() => gw.close());

    it('logs request id, route, model, deployment, provider, status, latency and tokens', async () => {
      await client.chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: PROMPT }] },
        { headers: { 'x-request-id': 'req-log-json-1' } },
      );
      await settle();
      const line = requestLine(gw, 'req-log-json-1');
      expect(line).toMatchObject({
        level: 'info',
        msg: 'request',
        reqId: 'req-log-json-1',
        method: 'POST',
        route: '/v1/chat/completions',
        model: 'm',
        group: 'm',
        deployment: 'dep-m-1',
        provider: 'openai',
        status: 200,
        promptTokens: 5,
        completionTokens: 6,
        totalTokens: 11,
      });
      expect(typeof line!.latencyMs).toBe('number');
      expect(typeof line!.upstreamMs).toBe('number');
      expect(typeof line!.time).toBe('string');
    });

    it('logs streams with time to first token', async () => {
      const stream = await client.chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: PROMPT }], stream: true },
        { headers: { 'x-request-id': 'req-log-stream-1' } },
      );
      for await (const _ of stream) void _;
      await settle();
      expect(requestLine(gw, 'req-log-stream-1')).toMatchObject({ status: 200, stream: true, ttftMs: expect.any(Number), deployment: 'dep-m-1' });
    });

    it('logs failures with their error code', async () => {
      await expect(
        client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: PROMPT }] }, { headers: { 'x-request-id': 'req-log-404' } }),
      ).rejects.toThrow();
      const wrong = new OpenAI({ baseURL: gw.baseURL, apiKey: 'sk-wrong-key-presented-by-client', maxRetries: 0 });
      await expect(
        wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: PROMPT }] }, { headers: { 'x-request-id': 'req-log-401' } }),
      ).rejects.toThrow();
      await settle();
      expect(requestLine(gw, 'req-log-404')).toMatchObject({ status: 404, errorCode: 'model_not_found', model: 'nope' });
      expect(requestLine(gw, 'req-log-401')).toMatchObject({ status: 401, errorCode: 'unauthorized' });
    });

    it('never writes a key or the prompt text, in any line', async () => {
      await client.chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: PROMPT }] },
        { headers: { 'x-request-id': 'req-log-secret' } },
      );
      await settle();
      const text = gw.logText();
      expect(text).toContain('req-log-secret');
      for (const secret of [MASTER, PROVIDER_KEY, 'sk-wrong-key-presented-by-client', PROMPT]) {
        expect(text).not.toContain(secret);
      }
      expect(requestLine(gw, 'req-log-secret')).not.toHaveProperty('prompt');
    });

    it('every line is JSON, framework messages included', () => {
      expect(gw.logs.length).toBeGreaterThan(0);
      expect(gw.logs.some((l) => l.msg !== 'request' && typeof l.context === 'string')).toBe(true);
    });
  });

  it('includes the prompt only when general_settings.log_prompts is true', async () => {
    const gw = await startOpsGateway(config('  log_prompts: true'), {}, { env });
    try {
      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER, maxRetries: 0 });
      await client.chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: PROMPT }] },
        { headers: { 'x-request-id': 'req-log-prompt' } },
      );
      await settle();
      expect(requestLine(gw, 'req-log-prompt')?.prompt).toEqual([{ role: 'user', content: PROMPT }]);
      expect(gw.logText()).not.toContain(MASTER);
      expect(gw.logText()).not.toContain(PROVIDER_KEY);
    } finally {
      await gw.close();
    }
  });

  it('LOG_LEVEL warn drops request lines', async () => {
    const gw = await startOpsGateway(config(), { logLevel: 'warn' }, { env });
    try {
      await fetch(`${gw.url}/health/liveliness`, { headers: { 'x-request-id': 'req-quiet' } });
      await settle();
      expect(requestLine(gw, 'req-quiet')).toBeUndefined();
      expect(gw.logs.every((l) => l.level === 'warn' || l.level === 'error' || l.level === 'fatal')).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
