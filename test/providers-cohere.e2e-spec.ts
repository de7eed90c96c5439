import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { APIError, AuthenticationError, BadRequestError, RateLimitError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { FakeCohere, FakeVoyage, vector } from './helpers/fake-cohere.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * Cohere (v2 chat, embed, rerank) and Voyage AI (embeddings, rerank) end to end: the official
 * SDKs (or plain HTTP for rerank) talk to the gateway, which talks to fake Cohere and Voyage
 * servers that check the Bearer key and the request shape as the real APIs do.
 */
describe('Cohere and Voyage adapters (e2e)', () => {
  let cohere: FakeCohere;
  let voyage: FakeVoyage;
  let openaiFake: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  const weatherTool: ChatCompletionTool = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  };
  const MASTER_KEY = 'sk-master-cohere-e2e';
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` };

  beforeAll(async () => {
    cohere = await FakeCohere.start('co-test-key');
    voyage = await FakeVoyage.start('pa-voyage-key');
    openaiFake = await FakeUpstream.start();
    gw = await startGateway(`
model_list:
  - model_name: command
    litellm_params: { model: cohere/command-a-03-2025, api_base: ${cohere.url}, api_key: co-test-key }
  - model_name: command-old-prefix
    litellm_params: { model: cohere_chat/command-r-plus, api_base: ${cohere.url}/v1, api_key: co-test-key }
  - model_name: command-wrong-key
    litellm_params: { model: cohere/command-a-03-2025, api_base: ${cohere.url}, api_key: co-wrong-key }
  - model_name: co-embed
    litellm_params: { model: cohere/embed-english-v3.0, api_base: ${cohere.url}/v2, api_key: co-test-key }
  - model_name: co-rerank
    litellm_params: { model: cohere/rerank-v3.5, api_base: ${cohere.url}, api_key: co-test-key }
  - model_name: voyage-embed
    litellm_params: { model: voyage/voyage-3.5, api_base: ${voyage.url}/v1, api_key: pa-voyage-key }
  - model_name: voyage-rerank
    litellm_params: { model: voyage/rerank-2.5, api_base: ${voyage.url}, api_key: pa-voyage-key }
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_base: ${openaiFake.url}/v1, api_key: sk-test }
router_settings:
  num_retries: 1
  retry_after: 0.01
  allowed_fails: 1000
  model_group_alias:
    rr: co-rerank
    cmd: command
general_settings:
  master_key: ${MASTER_KEY}
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await Promise.all([cohere.close(), voyage.close(), openaiFake.close()]);
  });

  beforeEach(() => {
    cohere.reset();
    voyage.reset();
    openaiFake.reset();
  });

  describe('chat', () => {
    it('translates a chat call to POST /v2/chat with the Bearer key, and the answer back, alias echoed', async () => {
      const completion = await client.chat.completions.create({
        model: 'cmd',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hello there' },
        ],
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 50,
        stop: 'END',
        seed: 7,
        user: 'u-1',
      });
      expect(cohere.requests).toHaveLength(1);
      const sent = cohere.last();
      expect(sent.path).toBe('/v2/chat');
      expect(sent.headers.authorization).toBe('Bearer co-test-key');
      expect(sent.body).toEqual({
        model: 'command-a-03-2025',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hello there' },
        ],
        temperature: 0.2,
        p: 0.9,
        max_tokens: 50,
        stop_sequences: ['END'],
        seed: 7,
      });
      expect(completion.model).toBe('cmd');
      expect(completion.choices[0].message.content).toBe('Echo: Hello there');
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    });

    it("LiteLLM's cohere_chat/ prefix and an api_base ending in /v1 reach the same /v2/chat", async () => {
      await client.chat.completions.create({ model: 'command-old-prefix', messages: [{ role: 'user', content: 'hi' }] });
      expect(cohere.last().path).toBe('/v2/chat');
      expect(cohere.last().body.model).toBe('command-r-plus');
    });

    it('streams: text deltas, finish_reason and usage (include_usage) from message-end', async () => {
      const stream = await client.chat.completions.create({
        model: 'command',
        messages: [{ role: 'user', content: 'stream me' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let finish: string | null = null;
      let usage: unknown;
      for await (const chunk of stream) {
        expect(chunk.model).toBe('command');
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('Echo: stream me');
      expect(finish).toBe('stop');
      expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
      expect(cohere.last().body.stream).toBe(true);
      expect(cohere.last().body).not.toHaveProperty('stream_options');
    });

    it('tools over two turns: the tool call comes back in OpenAI shape, the tool result goes to Cohere as a tool message', async () => {
      const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Paris' }];
      const first = await client.chat.completions.create({ model: 'command', messages, tools: [weatherTool], tool_choice: 'required' });
      expect(cohere.last().body.tools).toEqual([{ type: 'function', function: weatherTool.function }]);
      expect(cohere.last().body.tool_choice).toBe('REQUIRED');
      const call = first.choices[0].message.tool_calls?.[0];
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(call).toMatchObject({ id: 'call_fake_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });

      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call!.id, content: '{"temp_c": 21}' });
      const second = await client.chat.completions.create({ model: 'command', messages, tools: [weatherTool] });
      expect(second.choices[0].message.content).toBe('The tools said: {"temp_c": 21}');
      expect(cohere.last().body.messages.slice(1)).toEqual([
        { role: 'assistant', tool_calls: [{ id: 'call_fake_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_fake_1', content: '{"temp_c": 21}' },
      ]);
    });

    it('streams a tool call: id and name first, then the arguments piece by piece', async () => {
      const stream = await client.chat.completions.create({ model: 'command', messages: [{ role: 'user', content: 'Oslo' }], tools: [weatherTool], stream: true });
      let id: string | undefined;
      let name: string | undefined;
      let args = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        const tc = chunk.choices[0]?.delta?.tool_calls?.[0];
        if (tc?.id) id = tc.id;
        if (tc?.function?.name) name = tc.function.name;
        args += tc?.function?.arguments ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect({ id, name, args: JSON.parse(args), finish }).toEqual({ id: 'call_fake_1', name: 'get_weather', args: { city: 'Oslo' }, finish: 'tool_calls' });
    });

    it('a generation Cohere ends with ERROR is a 502, never a 200', async () => {
      cohere.always = { message: { text: 'half an ans', finish_reason: 'ERROR' } };
      const err = await client.chat.completions.create({ model: 'command', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).status).toBe(502);
      expect((err as APIError).type).toBe('api_error');
    });

    it('a stream whose message-end reports ERROR ends in an error event, not a finish', async () => {
      cohere.always = { message: { text: 'partial', finish_reason: 'ERROR', error: 'internal failure' } };
      const stream = await client.chat.completions.create({ model: 'command', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let text = '';
      const err = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect(String((err as APIError).message)).toContain('internal failure');
      expect(text).toBe('partial');
    });

    it('Cohere errors keep their status and message: 401 for a wrong key, 400 for a refused request; the key never shows', async () => {
      const auth = await client.chat.completions.create({ model: 'command-wrong-key', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(auth).toBeInstanceOf(AuthenticationError);
      expect((auth as APIError).message).toContain('invalid api token');
      expect((auth as APIError).message).not.toContain('co-wrong-key');

      cohere.enqueue({ status: 400, message: 'invalid request: too many stop sequences' });
      const bad = await client.chat.completions.create({ model: 'command', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(BadRequestError);
      expect((bad as APIError).message).toContain('too many stop sequences');
    });

    it('a parameter Cohere has no counterpart for is a 400 naming it, before any upstream call', async () => {
      const err = await client.chat.completions.create({ model: 'command', messages: [{ role: 'user', content: 'hi' }], n: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as APIError).param).toBe('n');
      expect(cohere.requests).toHaveLength(0);
    });
  });

  describe('bridged endpoints', () => {
    it('/v1/responses is served through the chat bridge, same upstream id as /chat/completions', async () => {
      const response = await client.responses.create({ model: 'cmd', input: 'via responses', instructions: 'Be brief.' });
      expect(response.model).toBe('cmd');
      expect(response.output_text).toBe('Echo: via responses');
      expect(cohere.last().path).toBe('/v2/chat');
      expect(cohere.last().body.model).toBe('command-a-03-2025');
      expect(cohere.last().body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    });

    it('/v1/responses streams through the bridge', async () => {
      const stream = await client.responses.create({ model: 'command', input: 'streamed', stream: true });
      let text = '';
      for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
      expect(text).toBe('Echo: streamed');
    });

    it('/v1/messages (Anthropic SDK) is served through the Messages bridge', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: MASTER_KEY, maxRetries: 0 });
      const message = await anthropic.messages.create({ model: 'cmd', max_tokens: 20, messages: [{ role: 'user', content: 'via messages' }] });
      expect(message.model).toBe('cmd');
      expect(message.content).toEqual([{ type: 'text', text: 'Echo: via messages' }]);
      expect(cohere.last().body).toMatchObject({ model: 'command-a-03-2025', max_tokens: 20 });
    });
  });

  it('an alias resolves identically on every endpoint: the same upstream id on chat, responses, messages, embeddings and rerank, and in the dry-run', async () => {
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: MASTER_KEY, maxRetries: 0 });
    const chat = await client.chat.completions.create({ model: 'cmd', messages: [{ role: 'user', content: 'hi' }] });
    const response = await client.responses.create({ model: 'cmd', input: 'hi' });
    const message = await anthropic.messages.create({ model: 'cmd', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const embedding = await client.embeddings.create({ model: 'cmd', input: 'hi' });
    const rerank = await rawPost(`${gw.url}/v1/rerank`, { model: 'cmd', query: 'q', documents: ['d'] }, headers);
    expect([chat.model, response.model, message.model, embedding.model, rerank.status]).toEqual(['cmd', 'cmd', 'cmd', 'cmd', 200]);
    expect(cohere.requests.map((r) => [r.path, r.body.model])).toEqual([
      ['/v2/chat', 'command-a-03-2025'],
      ['/v2/chat', 'command-a-03-2025'],
      ['/v2/chat', 'command-a-03-2025'],
      ['/v2/embed', 'command-a-03-2025'],
      ['/v2/rerank', 'command-a-03-2025'],
    ]);
    for (const endpoint of ['chat', 'responses', 'messages', 'embeddings', 'rerank']) {
      const dry = (await (await fetch(`${gw.url}/model/resolve?model=cmd&endpoint=${endpoint}`, { headers })).json()) as { candidates: { upstream_model: string }[] };
      expect([endpoint, dry.candidates.map((c) => c.upstream_model)]).toEqual([endpoint, ['command-a-03-2025']]);
    }
  });

  it('GET /health probes each deployment as it is used: chat, embedding, rerank (Voyage never with chat)', async () => {
    const res = await fetch(`${gw.url}/health`, { headers });
    const body = (await res.json()) as { healthy_endpoints: { model: string; mode: string }[]; unhealthy_endpoints: { model: string }[] };
    const modes = Object.fromEntries(body.healthy_endpoints.map((e) => [e.model, e.mode]));
    expect(modes).toMatchObject({ command: 'chat', 'co-embed': 'embedding', 'co-rerank': 'rerank', 'voyage-embed': 'embedding', 'voyage-rerank': 'rerank' });
    expect(body.unhealthy_endpoints.map((e) => e.model)).toEqual(['command-wrong-key']);
    expect(voyage.requests.map((r) => r.path).sort()).toEqual(['/v1/embeddings', '/v1/rerank']);
  });

  describe('embeddings', () => {
    it('cohere: POST /v2/embed with texts, LiteLLM\'s default input_type and float types; base64 as the SDK asks', async () => {
      const res = await client.embeddings.create({ model: 'co-embed', input: ['a', 'bb'] });
      const sent = cohere.last();
      expect(sent.path).toBe('/v2/embed');
      expect(sent.headers.authorization).toBe('Bearer co-test-key');
      expect(sent.body).toEqual({ model: 'embed-english-v3.0', texts: ['a', 'bb'], input_type: 'search_document', embedding_types: ['float'] });
      expect(res.model).toBe('co-embed');
      expect(res.data.map((d) => d.embedding)).toEqual([vector('a', 0, 3), vector('bb', 1, 3)]);
      expect(res.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
    });

    it('cohere: encoding_format float, dimensions → output_dimension, input_type passed on', async () => {
      const res = await rawPost(`${gw.baseURL}/embeddings`, { model: 'co-embed', input: 'query text', encoding_format: 'float', dimensions: 4, input_type: 'search_query' }, headers);
      expect(res.status).toBe(200);
      expect(cohere.last().body).toMatchObject({ texts: ['query text'], input_type: 'search_query', output_dimension: 4 });
      expect(res.body.data[0]).toEqual({ object: 'embedding', index: 0, embedding: vector('query text', 0, 4) });
    });

    it('voyage: POST /v1/embeddings with output_dimension; answer in OpenAI shape, ordered by index, with usage', async () => {
      const res = await client.embeddings.create({ model: 'voyage-embed', input: ['one', 'three'], dimensions: 2 });
      const sent = voyage.last();
      expect(sent.path).toBe('/v1/embeddings');
      expect(sent.headers.authorization).toBe('Bearer pa-voyage-key');
      expect(sent.body).toEqual({ model: 'voyage-3.5', input: ['one', 'three'], output_dimension: 2 });
      expect(res.model).toBe('voyage-embed');
      expect(res.data.map((d) => [d.index, d.embedding])).toEqual([
        [0, vector('one', 0, 2)],
        [1, vector('three', 1, 2)],
      ]);
      expect(res.usage).toEqual({ prompt_tokens: 10, total_tokens: 10 });
    });

    it('voyage has no chat models: chat on it is a 400 naming the model', async () => {
      const err = await client.chat.completions.create({ model: 'voyage-embed', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as APIError).message).toContain("'voyage-embed'");
      expect(voyage.requests).toHaveLength(0);
    });
  });

  describe('rerank', () => {
    const docs = ['Berlin is the capital of Germany.', { text: 'Paris is the capital of France.' }, 'Bananas are yellow.'];

    it.each(['/v1/rerank', '/rerank', '/v2/rerank'])('%s with an alias: Cohere POST /v2/rerank, Cohere-shaped answer with documents', async (path) => {
      const res = await rawPost(`${gw.url}${path}`, { model: 'rr', query: 'capital of France', documents: docs, top_n: 2 }, headers);
      expect(res.status).toBe(200);
      const sent = cohere.last();
      expect(sent.path).toBe('/v2/rerank');
      expect(sent.headers.authorization).toBe('Bearer co-test-key');
      expect(sent.body).toEqual({
        model: 'rerank-v3.5',
        query: 'capital of France',
        documents: ['Berlin is the capital of Germany.', 'Paris is the capital of France.', 'Bananas are yellow.'],
        top_n: 2,
      });
      expect(res.body.id).toBe('rerank-fake');
      expect(res.body.results).toHaveLength(2);
      expect(res.body.results[0]).toEqual({ index: 1, relevance_score: expect.any(Number), document: { text: 'Paris is the capital of France.' } });
      expect(res.body.results[0].relevance_score).toBeGreaterThan(res.body.results[1].relevance_score);
      expect(res.body.meta).toMatchObject({ billed_units: { search_units: 1 } });
      expect(res.headers.get('x-switchboard-deployment')).toBeTruthy();
    });

    it('return_documents: false leaves the documents out', async () => {
      const res = await rawPost(`${gw.url}/v1/rerank`, { model: 'co-rerank', query: 'yellow', documents: docs, return_documents: false }, headers);
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toEqual({ index: 2, relevance_score: expect.any(Number) });
    });

    it('voyage: top_n → top_k on POST /v1/rerank, answered in Cohere shape', async () => {
      const res = await rawPost(`${gw.url}/v1/rerank`, { model: 'voyage-rerank', query: 'capital of Germany', documents: docs, top_n: 1 }, headers);
      expect(res.status).toBe(200);
      expect(voyage.last().path).toBe('/v1/rerank');
      expect(voyage.last().body).toMatchObject({ model: 'rerank-2.5', query: 'capital of Germany', top_k: 1 });
      expect(res.body.results).toEqual([{ index: 0, relevance_score: expect.any(Number), document: { text: docs[0] } }]);
      expect(res.body.meta).toEqual({ tokens: { input_tokens: 17, output_tokens: 0 } });
    });

    it('a model whose provider cannot rerank → 400, as embeddings on a chat-only provider', async () => {
      const res = await rawPost(`${gw.url}/v1/rerank`, { model: 'gpt', query: 'q', documents: ['d'] }, headers);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'model', message: "Model 'gpt' does not support rerank." });
      expect(openaiFake.requests).toHaveLength(0);
    });

    it('needs a key like every inference endpoint: none → 401', async () => {
      const res = await rawPost(`${gw.url}/v1/rerank`, { model: 'rr', query: 'q', documents: ['d'] });
      expect(res.status).toBe(401);
      expect(res.body.error.type).toBe('authentication_error');
      expect(cohere.requests).toHaveLength(0);
    });

    it('unknown model → 404 model_not_found', async () => {
      const res = await rawPost(`${gw.url}/v1/rerank`, { model: 'nope', query: 'q', documents: ['d'] }, headers);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    });

    it.each([
      [{ model: 'rr', documents: ['d'] }, 'query'],
      [{ model: 'rr', query: 'q', documents: [] }, 'documents'],
      [{ model: 'rr', query: 'q', documents: ['ok', { title: 'no text' }] }, 'documents[1]'],
      [{ model: 'rr', query: 'q', documents: ['d'], top_n: 0 }, 'top_n'],
    ])('a malformed body is a 400 naming the field (%j)', async (body, param) => {
      const res = await rawPost(`${gw.url}/v1/rerank`, body, headers);
      expect(res.status).toBe(400);
      expect(res.body.error.param).toBe(param);
      expect(cohere.requests).toHaveLength(0);
    });

    it("a virtual key's model allow-list applies to rerank (403), and a rerank call is recorded in its spend", async () => {
      const generate = async (models: string[]) => {
        const res = await rawPost(`${gw.url}/key/generate`, { models }, headers);
        expect(res.status).toBe(200);
        return res.body as { key: string; token: string };
      };
      const chatOnly = await generate(['command']);
      const denied = await rawPost(`${gw.url}/v1/rerank`, { model: 'rr', query: 'q', documents: ['d'] }, { ...headers, authorization: `Bearer ${chatOnly.key}` });
      expect(denied.status).toBe(403);
      expect(denied.body.error.type).toBe('permission_error');
      expect(cohere.requests).toHaveLength(0);

      const ranker = await generate(['co-rerank']);
      const ok = await rawPost(`${gw.url}/v1/rerank`, { model: 'rr', query: 'q', documents: ['d'] }, { ...headers, authorization: `Bearer ${ranker.key}` });
      expect(ok.status).toBe(200);
      let logs: { data: { call_type: string; model: string }[] } = { data: [] };
      for (let i = 0; i < 50 && logs.data.length === 0; i++) {
        logs = (await (await fetch(`${gw.url}/spend/logs?api_key=${ranker.token}`, { headers })).json()) as typeof logs;
        if (logs.data.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(logs.data).toEqual([expect.objectContaining({ call_type: 'rerank', model: 'rr' })]);
    });

    it('/model/resolve?endpoint=rerank names what the upstream then receives', async () => {
      const res = await fetch(`${gw.url}/model/resolve?model=rr&endpoint=rerank`, { headers });
      const dry = (await res.json()) as { candidates: { provider: string; upstream_model: string }[] };
      expect(res.status).toBe(200);
      expect(dry.candidates[0]).toMatchObject({ provider: 'cohere', upstream_model: 'rerank-v3.5' });
      await rawPost(`${gw.url}/v1/rerank`, { model: 'rr', query: 'q', documents: ['d'] }, headers);
      expect(cohere.last().body.model).toBe(dry.candidates[0].upstream_model);
      const refused = await fetch(`${gw.url}/model/resolve?model=gpt&endpoint=rerank`, { headers });
      expect(refused.status).toBe(400);
    });
  });
});

describe('Cohere upstream 429 (e2e)', () => {
  let busy: FakeCohere;
  let idle: FakeCohere;
  let gw: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    busy = await FakeCohere.start('co-test-key');
    idle = await FakeCohere.start('co-test-key');
    gw = await startGateway(`
model_list:
  - model_name: pair
    litellm_params: { model: cohere/command-a-03-2025, api_base: ${busy.url}, api_key: co-test-key, order: 1 }
    model_info: { id: pair-busy }
  - model_name: pair
    litellm_params: { model: cohere/command-a-03-2025, api_base: ${idle.url}, api_key: co-test-key, order: 2 }
    model_info: { id: pair-idle }
  - model_name: solo
    litellm_params: { model: cohere/command-a-03-2025, api_base: ${busy.url}, api_key: co-test-key }
    model_info: { id: solo-1 }
router_settings:
  num_retries: 1
  retry_after: 0.01
  allowed_fails: 0
  cooldown_time: 60
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await Promise.all([busy.close(), idle.close()]);
  });

  it('a 429 is retried on the other deployment at once, and the limited one is cooled down', async () => {
    busy.always = { status: 429, message: "You are using a Trial key, which is limited to 10 API calls / minute.", headers: { 'retry-after': '30' } };
    for (let i = 0; i < 3; i++) {
      const { data, response } = await client.chat.completions.create({ model: 'pair', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      expect(data.choices[0].message.content).toBe('Echo: hi');
      expect(response.headers.get('x-switchboard-deployment')).toBe('pair-idle');
    }
    expect(busy.requests).toHaveLength(1);
    expect(idle.requests).toHaveLength(3);
  });

  it('a 429 on the only deployment comes back as 429 rate_limit_error with Retry-After and the upstream message', async () => {
    busy.always = { status: 429, message: 'rate limited, slow down', headers: { 'retry-after': '3600' } };
    const err = await client.chat.completions.create({ model: 'solo', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as APIError).message).toContain('rate limited, slow down');
    expect((err as APIError).headers?.get('retry-after')).toBeTruthy();
  });
});
