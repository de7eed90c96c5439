import OpenAI, { BadRequestError } from 'openai';
import { FakeAnthropic } from './helpers/fake-anthropic.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * `litellm_settings.drop_params: true` — the file-wide switch, as opposed to a deployment's own
 * `litellm_params.drop_params` — end to end: the openai SDK against two gateways in front of one
 * fake Anthropic, one without the setting (a 400 naming the parameter, nothing sent upstream) and
 * one with it (the parameter is dropped and the call succeeds).
 */
describe('litellm_settings.drop_params (e2e, openai SDK → gateway → fake Anthropic)', () => {
  let fake: FakeAnthropic;
  let strict: RunningGateway;
  let dropping: RunningGateway;
  let strictClient: OpenAI;
  let droppingClient: OpenAI;

  const models = (url: string) => `
model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-haiku-4-5, api_base: ${url}, api_key: sk-ant-test }
  # The deployment's own setting wins over the file-wide one.
  - model_name: claude-strict
    litellm_params: { model: anthropic/claude-haiku-4-5, api_base: ${url}, api_key: sk-ant-test, drop_params: false }
router_settings:
  num_retries: 0
`;

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    strict = await startGateway(models(fake.url), {});
    dropping = await startGateway(`${models(fake.url)}litellm_settings:\n  drop_params: true\n`, {});
    strictClient = new OpenAI({ baseURL: strict.baseURL, apiKey: 'unused', maxRetries: 0 });
    droppingClient = new OpenAI({ baseURL: dropping.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await strict?.close();
    await dropping?.close();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  const messages = [{ role: 'user' as const, content: 'hi' }];

  describe('/v1/chat/completions', () => {
    it.each([
      ['logprobs', { logprobs: true }],
      ['n', { n: 2 }],
    ])('without the setting, %s is a 400 naming it and Anthropic is not called', async (param, extra) => {
      const err = await strictClient.chat.completions.create({ model: 'claude', messages, ...extra }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).status).toBe(400);
      expect((err as BadRequestError).param).toBe(param);
      expect((err as BadRequestError).message).toContain(`'${param}'`);
      expect(fake.requests).toHaveLength(0);
    });

    it('with the setting, both are dropped and the call succeeds', async () => {
      const completion = await droppingClient.chat.completions.create({ model: 'claude', messages, logprobs: true, n: 2 });
      expect(fake.requests).toHaveLength(1);
      const sent = fake.last().body;
      expect(sent).toMatchObject({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
      expect(sent).not.toHaveProperty('logprobs');
      expect(sent).not.toHaveProperty('n');
      expect(completion.model).toBe('claude');
      expect(completion.choices).toHaveLength(1);
      expect(completion.choices[0].message.content).toBe('Echo: hi');
    });

    it('with the setting, a streamed call drops them too', async () => {
      const stream = await droppingClient.chat.completions.create({ model: 'claude', messages, logprobs: true, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe('Echo: hi');
      expect(fake.last().body).not.toHaveProperty('logprobs');
    });

    it("a deployment's drop_params: false overrides the file-wide true", async () => {
      const err = await droppingClient.chat.completions.create({ model: 'claude-strict', messages, logprobs: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).param).toBe('logprobs');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('/v1/responses (bridged to chat: Anthropic has no Responses API)', () => {
    it.each([
      ['top_logprobs', { top_logprobs: 2 }],
      ['tools[0]', { tools: [{ type: 'web_search_preview' as const }] }],
    ])('without the setting, %s is a 400 naming it and Anthropic is not called', async (param, extra) => {
      const err = await strictClient.responses.create({ model: 'claude', input: 'hi', ...extra }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).param).toBe(param);
      expect((err as BadRequestError).message).toContain(`'${param}'`);
      expect((err as BadRequestError).message).toContain('drop_params: true');
      expect(fake.requests).toHaveLength(0);
    });

    it('with the setting, both are dropped and the response completes', async () => {
      const response = await droppingClient.responses.create({
        model: 'claude',
        input: 'hi',
        top_logprobs: 2,
        tools: [{ type: 'web_search_preview' }],
      });
      expect(fake.requests).toHaveLength(1);
      const sent = fake.last().body;
      expect(sent).toMatchObject({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
      expect(sent).not.toHaveProperty('tools');
      expect(sent).not.toHaveProperty('top_logprobs');
      expect(response.status).toBe('completed');
      expect(response.model).toBe('claude');
      expect(response.output_text).toBe('Echo: hi');
    });

    it("a deployment's drop_params: false overrides the file-wide true", async () => {
      const err = await droppingClient.responses.create({ model: 'claude-strict', input: 'hi', top_logprobs: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).param).toBe('top_logprobs');
      expect(fake.requests).toHaveLength(0);
    });
  });
});
