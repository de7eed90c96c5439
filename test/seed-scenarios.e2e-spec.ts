import Anthropic, { NotFoundError as AnthropicNotFoundError } from '@anthropic-ai/sdk';
import OpenAI, { NotFoundError } from 'openai';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * The two bugs Switchboard exists to make impossible: an alias that sends a different model id
 * on /v1/responses than on /chat/completions, and an unknown model answered with HTTP 200.
 */
describe('seed scenarios', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startGateway(`
model_list:
  - model_name: mymodel
    litellm_params:
      model: openrouter/openai/gpt-4o
      api_base: ${upstream.url}/api/v1
      api_key: sk-or-test
  - model_name: openrouter/*
    litellm_params:
      model: openrouter/*
      api_base: ${upstream.url}/api/v1
      api_key: sk-or-test
router_settings:
  model_group_alias:
    gpt4: mymodel
    secret: { model: mymodel, hidden: true }
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  const names = ['mymodel', 'gpt4', 'secret', 'openrouter/openai/gpt-4o'];

  it.each(names)('%s: /chat/completions sends openai/gpt-4o upstream and echoes the alias', async (name) => {
    const completion = await client.chat.completions.create({ model: name, messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream.last().path).toBe('/api/v1/chat/completions');
    expect(upstream.last().body.model).toBe('openai/gpt-4o');
    expect(upstream.last().headers.authorization).toBe('Bearer sk-or-test');
    expect(completion.model).toBe(name);
  });

  it.each(names)('%s: /v1/responses sends openai/gpt-4o upstream and echoes the alias', async (name) => {
    const response = await client.responses.create({ model: name, input: 'hi' });
    expect(upstream.last().path).toBe('/api/v1/responses');
    expect(upstream.last().body.model).toBe('openai/gpt-4o');
    expect(response.model).toBe(name);
    expect(response.output_text).toBe('Hello from the fake upstream');
  });

  it.each(names)('%s: /v1/messages sends openai/gpt-4o upstream and echoes the alias', async (name) => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
    const message = await anthropic.messages.create({ model: name, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream.last().path).toBe('/api/v1/chat/completions');
    expect(upstream.last().body.model).toBe('openai/gpt-4o');
    expect(message.model).toBe(name);
  });

  it.each(names)('%s: streamed responses carry the alias in every event', async (name) => {
    const stream = await client.responses.create({ model: name, input: 'hi', stream: true });
    const models: string[] = [];
    let text = '';
    for await (const event of stream) {
      if ('response' in event) models.push(event.response.model);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(upstream.last().body.model).toBe('openai/gpt-4o');
    expect(text).toBe('Hello');
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set([name]));
  });

  it.each(names)('%s: streamed chat carries the alias in every chunk', async (name) => {
    const stream = await client.chat.completions.create({ model: name, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.model).toBe(name);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hello!');
    expect(upstream.last().body.model).toBe('openai/gpt-4o');
  });

  describe('unknown model is a 404 on every endpoint, never a 200', () => {
    const expectNotFound = async (call: Promise<unknown>) => {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NotFoundError);
      const e = err as NotFoundError;
      expect(e.status).toBe(404);
      expect(e.code).toBe('model_not_found');
      expect(e.type).toBe('invalid_request_error');
      expect(upstream.requests).toHaveLength(0);
    };

    it('chat', () => expectNotFound(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] })));
    it('chat, streaming', () =>
      expectNotFound(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }], stream: true })));
    it('responses', () => expectNotFound(client.responses.create({ model: 'nope', input: 'hi' })));
    it('responses, streaming', () => expectNotFound(client.responses.create({ model: 'nope', input: 'hi', stream: true })));
    it.each([false, true])('messages (stream: %s): 404 not_found_error in Anthropic shape', async (stream) => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
      const err = await anthropic.messages.create({ model: 'nope', max_tokens: 5, stream, messages: [{ role: 'user', content: 'hi' }] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AnthropicNotFoundError);
      expect((err as AnthropicNotFoundError).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      expect(upstream.requests).toHaveLength(0);
    });
    it('models.retrieve', () => expectNotFound(client.models.retrieve('nope')));
    it.each(['/v1/rerank', '/rerank', '/v2/rerank'])('rerank (%s)', async (path) => {
      const res = await rawPost(`${gw.url}${path}`, { model: 'nope', query: 'q', documents: ['d'] });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
      expect(upstream.requests).toHaveLength(0);
    });
  });

  it('lists groups and visible aliases, not hidden ones or wildcard patterns', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(['gpt4', 'mymodel']);
  });
});
