import OpenAI from 'openai';
import { parseSse } from './helpers/assertions.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * What goes over the wire to a provider: Azure's URL/header scheme, per-deployment headers,
 * unknown fields untouched, and the client's model name in everything that comes back.
 */
describe('upstream wire format', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startGateway(`
model_list:
  - model_name: az
    litellm_params:
      model: azure/my-gpt4o-deployment
      api_base: "${upstream.url}"
      api_version: "2024-10-21"
      api_key: az-secret-key-123456
      extra_headers: { X-Team: blue, x-ms-client-request-id: fixed }
  - model_name: az-base-with-openai
    litellm_params:
      model: azure/dep2
      api_base: "${upstream.url}/openai"
      api_version: "2025-01-01-preview"
      api_key: az-secret-key-123456
  - model_name: oai
    litellm_params:
      model: openai/gpt-4o
      api_base: "${upstream.url}/v1"
      api_key: sk-oai-123456789
      organization: org-acme
      extra_headers: { HTTP-Referer: "https://example.test", X-Title: Switchboard }
router_settings:
  model_group_alias: { azalias: az }
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  describe('azure', () => {
    it('chat: deployment URL, api-version, api-key header, no Authorization', async () => {
      const completion = await client.chat.completions.create({ model: 'az', messages: [{ role: 'user', content: 'hi' }] });
      const req = upstream.last();
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
      expect(req.query).toBe('api-version=2024-10-21');
      expect(req.headers['api-key']).toBe('az-secret-key-123456');
      expect(req.headers.authorization).toBeUndefined();
      expect(req.headers['x-team']).toBe('blue');
      expect(req.headers['x-ms-client-request-id']).toBe('fixed');
      expect(completion.model).toBe('az');
      expect(completion.choices[0].message.content).toBe('Hello from the fake upstream');
    });

    it('an api_base that already ends in /openai is not doubled', async () => {
      await client.chat.completions.create({ model: 'az-base-with-openai', messages: [{ role: 'user', content: 'hi' }] });
      expect(upstream.last().path).toBe('/openai/deployments/dep2/chat/completions');
      expect(upstream.last().query).toBe('api-version=2025-01-01-preview');
    });

    it('responses: the resource-level Responses API with the deployment as model', async () => {
      const response = await client.responses.create({ model: 'azalias', input: 'hi' });
      const req = upstream.last();
      expect(req.path).toBe('/openai/responses');
      expect(req.query).toBe('api-version=2024-10-21');
      expect(req.body.model).toBe('my-gpt4o-deployment');
      expect(req.headers['api-key']).toBe('az-secret-key-123456');
      expect(req.headers.authorization).toBeUndefined();
      expect(response.model).toBe('azalias');
    });

    it('streamed chat: every chunk carries the client model name, and [DONE] is kept', async () => {
      const res = await rawPost(`${gw.baseURL}/chat/completions`, { model: 'azalias', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = parseSse(res.text);
      expect(events[events.length - 1].data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) expect(chunk.model).toBe('azalias');
      expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('Hello!');
      expect(upstream.last().body.stream).toBe(true);
      expect(upstream.last().path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
    });

    it('streamed responses: every event carrying a response names the client model', async () => {
      const stream = await client.responses.create({ model: 'az', input: 'hi', stream: true });
      const models: string[] = [];
      for await (const event of stream) if ('response' in event) models.push(event.response.model);
      expect(models.length).toBeGreaterThan(1);
      expect(new Set(models)).toEqual(new Set(['az']));
    });
  });

  describe('openai-compatible', () => {
    it('sends the organization and extra_headers, and the key as a Bearer token', async () => {
      await client.chat.completions.create({ model: 'oai', messages: [{ role: 'user', content: 'hi' }] });
      const req = upstream.last();
      expect(req.path).toBe('/v1/chat/completions');
      expect(req.headers.authorization).toBe('Bearer sk-oai-123456789');
      expect(req.headers['openai-organization']).toBe('org-acme');
      expect(req.headers['http-referer']).toBe('https://example.test');
      expect(req.headers['x-title']).toBe('Switchboard');
      expect(req.headers['api-key']).toBeUndefined();
    });
  });

  describe('unknown request fields reach the upstream untouched', () => {
    const extras = {
      seed: 7,
      logit_bias: { '50256': -100 },
      user: 'user-1',
      metadata: { team: 'a', nested: { deep: [1, 'two', null, { x: true }] } },
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object', properties: {} } } },
      some_future_parameter: { anything: ['goes', 1.5, false] },
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } }],
      tool_choice: 'auto',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":"b"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'result' },
      ],
    };

    it.each(['az', 'oai'])('chat on %s', async (model) => {
      const body = { model, ...extras };
      const res = await rawPost(`${gw.baseURL}/chat/completions`, body);
      expect(res.status).toBe(200);
      const sent = upstream.last().body;
      expect(sent).toEqual({ ...body, model: model === 'az' ? 'my-gpt4o-deployment' : 'gpt-4o' });
    });

    it('responses', async () => {
      const body = {
        model: 'oai',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
        instructions: 'be brief',
        previous_response_id: 'resp_123',
        store: false,
        include: ['reasoning.encrypted_content'],
        reasoning: { effort: 'low', summary: 'auto' },
        text: { format: { type: 'text' }, verbosity: 'low' },
        some_future_parameter: [1, { a: null }],
      };
      const res = await rawPost(`${gw.baseURL}/responses`, body);
      expect(res.status).toBe(200);
      expect(upstream.last().body).toEqual({ ...body, model: 'gpt-4o' });
      expect(res.body.model).toBe('oai');
    });
  });
});
