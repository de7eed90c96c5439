import OpenAI, { BadRequestError } from 'openai';
import type { Response, ResponseCreateParamsStreaming, ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { FakeAnthropic } from './helpers/fake-anthropic.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { admin, AdminGateway, BACKENDS, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * Conversation state on bridged /v1/responses (one replica, in-process store): previous_response_id
 * and item_reference rebuild the whole conversation for a chat-only upstream (a fake Anthropic
 * that rejects malformed conversations), per virtual key, honouring store: false. The Redis
 * backend and several replicas are covered in bridge-conversation-replicas.e2e-spec.ts.
 */
/** The SDK's Response type has no `store`, though the API returns it. */
const storeOf = (response: object): unknown => (response as { store?: unknown }).store;

describe('Responses bridge conversation state (e2e, in-process store)', () => {
  let fake: FakeAnthropic;
  let native: FakeUpstream;
  let store: TestStore;
  let gw: AdminGateway;
  let k1: OpenAI;
  let k2: OpenAI;

  const getWeather = {
    type: 'function' as const,
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: false,
  };

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    native = await FakeUpstream.start();
    store = await BACKENDS[0].create();
    gw = await startAdminGateway(
      `
model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: ${fake.url}, api_key: sk-ant-test }
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o, api_base: ${native.url}/v1, api_key: sk-up-000000000000 }
router_settings:
  num_retries: 0
general_settings:
  master_key: ${MASTER_KEY}
`,
      store.location,
    );
    const key = async () => {
      const res = await admin(gw, 'POST', '/key/generate', {});
      expect(res.status).toBe(200);
      return new OpenAI({ baseURL: gw.baseURL, apiKey: res.body.key, maxRetries: 0 });
    };
    k1 = await key();
    k2 = await key();
  });

  afterAll(async () => {
    await gw?.close();
    await store?.dispose();
    await fake?.close();
    await native?.close();
  });

  beforeEach(() => {
    fake.reset();
    native.reset();
  });

  async function streamed(client: OpenAI, body: Record<string, unknown>): Promise<Response> {
    const stream = await client.responses.create({ model: 'claude', ...body, stream: true } as ResponseCreateParamsStreaming);
    const events: ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const last = events[events.length - 1];
    if (last.type !== 'response.completed') throw new Error(`expected response.completed, got ${last.type}`);
    return last.response;
  }

  async function badRequest(promise: Promise<unknown>): Promise<BadRequestError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadRequestError);
    return err as BadRequestError;
  }

  it('previous_response_id: the upstream gets the previous input and output before the new input; instructions do not carry over', async () => {
    const first = await k1.responses.create({ model: 'claude', instructions: 'Be terse.', input: 'Capital of France?' });
    expect(storeOf(first)).toBe(true);
    expect(first.output_text).toBe('Echo: Capital of France?');

    const second = await k1.responses.create({ model: 'claude', previous_response_id: first.id, input: 'And of Spain?' });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toBe('Echo: And of Spain?');
    const upstreamSecond = fake.last().body;
    expect(upstreamSecond.system).toBeUndefined();
    expect(upstreamSecond.messages).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Echo: Capital of France?' },
      { role: 'user', content: 'And of Spain?' },
    ]);

    // A chain: the third turn sees all of it, with its own instructions in front.
    await k1.responses.create({ model: 'claude', previous_response_id: second.id, instructions: 'Answer in French.', input: 'And Italy?' });
    expect(fake.last().body.system).toBe('Answer in French.');
    expect(fake.last().body.messages).toEqual([
      ...upstreamSecond.messages,
      { role: 'assistant', content: 'Echo: And of Spain?' },
      { role: 'user', content: 'And Italy?' },
    ]);
    expect(fake.requests).toHaveLength(3);
  });

  it('streamed turns are stored too, and continue streamed or not', async () => {
    const first = await streamed(k1, { input: 'Tell me a story' });
    expect(storeOf(first)).toBe(true);
    const second = await streamed(k1, { previous_response_id: first.id, input: 'Go on' });
    expect(fake.last().body.stream).toBe(true);
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'Tell me a story' },
      { role: 'assistant', content: 'Echo: Tell me a story' },
      { role: 'user', content: 'Go on' },
    ]);
    await k1.responses.create({ model: 'claude', previous_response_id: second.id, input: 'The end' });
    expect(fake.last().body.stream).toBeUndefined();
    expect(fake.last().body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(fake.last().body.messages[3]).toEqual({ role: 'assistant', content: 'Echo: Go on' });
  });

  it('an agent loop sends only the tool output with previous_response_id; tool_use and tool_result stay paired', async () => {
    fake.enqueue({
      message: { content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo' } }] },
    });
    const first = await k1.responses.create({ model: 'claude', input: 'Weather in Oslo?', tools: [getWeather] });
    expect(first.output.map((o) => o.type)).toEqual(['message', 'function_call']);
    const second = await k1.responses.create({
      model: 'claude',
      previous_response_id: first.id,
      tools: [getWeather],
      input: [{ type: 'function_call_output', call_id: 'toolu_01', output: '18C' }],
    });
    // The fake rejects a tool_result without its tool_use: reaching it means the pairing held.
    expect(second.output_text).toBe('The tools said: 18C');
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '18C' }] },
    ]);
  });

  it('item_reference resolves output items of an earlier response, streamed or not', async () => {
    const first = await streamed(k1, { input: 'Hello' });
    const input: ResponseInputItem[] = [
      { role: 'user', content: 'Hello' },
      { type: 'item_reference', id: first.output[0].id! },
      { role: 'user', content: 'Again' },
    ];
    await k1.responses.create({ model: 'claude', input });
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Echo: Hello' },
      { role: 'user', content: 'Again' },
    ]);
  });

  it('another key cannot continue or reference a response: it is not found for them', async () => {
    const first = await k1.responses.create({ model: 'claude', input: 'Secret plans' });
    fake.reset();

    const err = await badRequest(k2.responses.create({ model: 'claude', previous_response_id: first.id, input: 'Tell me' }));
    expect(err.status).toBe(400);
    expect(err.code).toBe('previous_response_not_found');
    expect(err.param).toBe('previous_response_id');
    const ref = await badRequest(k2.responses.create({ model: 'claude', input: [{ type: 'item_reference', id: first.output[0].id! }] }));
    expect(ref.param).toBe('input[0]');
    expect(ref.message).toContain(`item_reference '${first.output[0].id}'`);
    // Nor can the master key: it is a caller like any other.
    const master = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
    expect((await badRequest(master.responses.create({ model: 'claude', previous_response_id: first.id, input: 'x' }))).code).toBe('previous_response_not_found');
    expect(fake.requests).toHaveLength(0);

    await k1.responses.create({ model: 'claude', previous_response_id: first.id, input: 'Tell me' });
    expect(fake.last().body.messages).toHaveLength(3);
  });

  it('an unknown previous_response_id → 400 previous_response_not_found, nothing sent upstream', async () => {
    const err = await badRequest(k1.responses.create({ model: 'claude', previous_response_id: 'resp_never_issued', input: 'hi' }));
    expect(err.status).toBe(400);
    expect(err.type).toBe('invalid_request_error');
    expect(err.code).toBe('previous_response_not_found');
    expect(err.param).toBe('previous_response_id');
    expect(err.message).toContain("'resp_never_issued'");
    expect(fake.requests).toHaveLength(0);

    const streamedErr = await badRequest(k1.responses.create({ model: 'claude', previous_response_id: 'resp_never_issued', input: 'hi', stream: true }));
    expect(streamedErr.code).toBe('previous_response_not_found');
  });

  it('store: false is answered with store: false and cannot be continued or referenced', async () => {
    const first = await k1.responses.create({ model: 'claude', input: 'Forget me', store: false });
    expect(storeOf(first)).toBe(false);
    expect((await badRequest(k1.responses.create({ model: 'claude', previous_response_id: first.id, input: 'x' }))).code).toBe(
      'previous_response_not_found',
    );
    const ref = await badRequest(k1.responses.create({ model: 'claude', input: [{ type: 'item_reference', id: first.output[0].id! }] }));
    expect(ref.param).toBe('input[0]');

    const streamedFirst = await streamed(k1, { input: 'Forget me too', store: false });
    expect(storeOf(streamedFirst)).toBe(false);
    expect((await badRequest(k1.responses.create({ model: 'claude', previous_response_id: streamedFirst.id, input: 'x' }))).code).toBe(
      'previous_response_not_found',
    );

    // store: false on the continuation itself: it continues, and is not kept in turn.
    const kept = await k1.responses.create({ model: 'claude', input: 'Keep me' });
    const unkept = await k1.responses.create({ model: 'claude', previous_response_id: kept.id, input: 'Next', store: false });
    expect(fake.last().body.messages).toHaveLength(3);
    expect((await badRequest(k1.responses.create({ model: 'claude', previous_response_id: unkept.id, input: 'x' }))).code).toBe(
      'previous_response_not_found',
    );
  });

  it('native Responses deployments get previous_response_id as sent; their ids are unknown to bridged models', async () => {
    const nativeResponse = await k1.responses.create({ model: 'gpt', previous_response_id: 'resp_at_openai', input: 'hi' });
    expect(native.last().path).toBe('/v1/responses');
    expect(native.last().body.previous_response_id).toBe('resp_at_openai');

    const err = await badRequest(k1.responses.create({ model: 'claude', previous_response_id: nativeResponse.id, input: 'hi' }));
    expect(err.code).toBe('previous_response_not_found');
    expect(err.message).toContain('native Responses API');
    expect(fake.requests).toHaveLength(0);
  });
});
