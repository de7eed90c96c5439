import OpenAI, { APIError } from 'openai';
import { FakeAnthropic, fullMessage, messageEvents } from './helpers/fake-anthropic.js';
import { chatStream, FakeUpstream, responsesStream } from './helpers/fake-upstream.js';
import type { ScriptedReply } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * Streams: retries and fallbacks apply until the first event reaches the client; after that a
 * failure is a final SSE error event and the stream closes. Never a silent truncated 200, never
 * a hang, and a client that leaves takes the upstream request down with it.
 */

const messages = [{ role: 'user' as const, content: 'hi' }];

function deployment(name: string, fake: FakeUpstream, id: string, extra = ''): string {
  return `
  - model_name: ${name}
    litellm_params:
      model: openai/${id}-model
      api_base: ${fake.url}/v1
      api_key: sk-test${extra ? `\n${extra.replace(/^/gm, '      ')}` : ''}
    model_info: { id: ${id} }`;
}

/** Raw SSE over fetch, to see exactly what went on the wire. */
async function rawStream(url: string, body: object): Promise<{ status: number; contentType: string | null; text: string; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text(), headers: res.headers };
}

describe('router: streams', () => {
  const fakes: FakeUpstream[] = [];
  let gw: RunningGateway | undefined;
  let client: OpenAI;

  async function fake(): Promise<FakeUpstream> {
    const f = await FakeUpstream.start();
    fakes.push(f);
    return f;
  }

  async function gateway(yaml: string): Promise<void> {
    gw = await startGateway(yaml);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  }

  afterEach(async () => {
    gw?.app.getHttpServer().closeAllConnections();
    await gw?.close();
    gw = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  async function chatText(model: string): Promise<string> {
    const stream = await client.chat.completions.create({ model, messages, stream: true });
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.model).toBe(model);
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    return text;
  }

  it('a group of 3 with one deployment failing before the first byte streams 30 requests cleanly', async () => {
    const [a, b, bad] = [await fake(), await fake(), await fake()];
    bad.always = { status: 503, body: { error: { message: 'overloaded' } } };
    await gateway(`model_list:${deployment('pool', a, 'pool-a')}${deployment('pool', b, 'pool-b')}${deployment('pool', bad, 'pool-bad')}
router_settings:\n  num_retries: 2\n  allowed_fails: 1\n  retry_after: 0.01\n`);
    for (let i = 0; i < 30; i++) expect(await chatText('pool')).toBe('Hello!');
    expect(a.requests.length + b.requests.length).toBe(30);
    expect(bad.requests.length).toBeLessThanOrEqual(2);
  });

  it('a stream that resets before its first event is retried; the client sees one clean stream', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 1\n  retry_after: 0.01\n`);
    f.enqueue({ ...chatStream('x'), firstEventDelayMs: 1, resetAfterEvents: 0 });
    expect(await chatText('solo')).toBe('Hello!');
    expect(f.requests).toHaveLength(2);
  });

  it('a slow first byte (beyond stream_timeout) is abandoned, its socket closed, and retried', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1', 'stream_timeout: 0.2')}\nrouter_settings:\n  num_retries: 1\n  retry_after: 0.01\n`);
    f.enqueue({ ...chatStream('x'), firstEventDelayMs: 3000 });
    const started = Date.now();
    expect(await chatText('solo')).toBe('Hello!');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(f.requests).toHaveLength(2);
    await f.waitForClientAborts(1);
  });

  it('an error status whose body never comes is bounded by stream_timeout and retried', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1', 'stream_timeout: 0.2')}\nrouter_settings:\n  num_retries: 1\n  retry_after: 0.01\n`);
    f.enqueue({ status: 500, sse: ['never sent'], firstEventDelayMs: 5000 });
    const started = Date.now();
    expect(await chatText('solo')).toBe('Hello!');
    expect(Date.now() - started).toBeLessThan(1500);
    await f.waitForClientAborts(1);
  });

  it('every attempt failing before the first byte is a JSON error with the right status, never a 200', async () => {
    const f = await fake();
    f.always = { status: 500, body: { error: { message: 'down' } } };
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 1\n  retry_after: 0.01\n  allowed_fails: 10\n`);
    const res = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
    expect(res.status).toBe(502);
    expect(res.contentType).toMatch(/application\/json/);
    expect(JSON.parse(res.text).error.code).toBe('upstream_error');
    expect(f.requests).toHaveLength(2);
  });

  it('a hung stream request times out → 504 JSON', async () => {
    const f = await fake();
    f.always = { hang: true };
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 0\n  stream_timeout: 0.2\n`);
    const res = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
    expect(res.status).toBe(504);
    expect(JSON.parse(res.text).error.type).toBe('timeout_error');
    await f.waitForClientAborts(1);
  });

  it('chat: a reset mid-stream ends with an SSE error data line (not a silent truncation), and is not retried', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 3\n  retry_after: 0.01\n`);
    f.enqueue({ ...chatStream('x'), resetAfterEvents: 2, chunkDelayMs: 30 });
    const res = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/text\/event-stream/);
    const lines = res.text.trim().split('\n\n');
    expect(lines).toHaveLength(3);
    const last = JSON.parse(lines[2].replace(/^data: /, ''));
    expect(last.error).toMatchObject({ type: 'api_error', code: 'upstream_error' });
    expect(last.error.message).toMatch(/closed the stream unexpectedly/);
    expect(res.text).not.toContain('[DONE]');
    expect(f.requests).toHaveLength(1);

    f.enqueue({ ...chatStream('x'), resetAfterEvents: 2, chunkDelayMs: 30 });
    const stream = await client.chat.completions.create({ model: 'solo', messages, stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(seen).toHaveLength(2);
  });

  it('chat: a stall mid-stream beyond stream_timeout ends with an SSE timeout error and closes the upstream socket', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1', 'stream_timeout: 0.2')}\n`);
    f.enqueue({ ...chatStream('x', ['a', 'b', 'c', 'd']), chunkDelayMs: 1000 });
    const started = Date.now();
    const res = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
    expect(Date.now() - started).toBeLessThan(1900);
    expect(res.status).toBe(200);
    const last = JSON.parse(res.text.trim().split('\n\n').pop()!.replace(/^data: /, ''));
    expect(last.error).toMatchObject({ type: 'timeout_error', code: 'upstream_timeout' });
    await f.waitForClientAborts(1);
  });

  it('responses: a reset mid-stream ends with response.failed and an error event', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 3\n`);
    f.enqueue({ ...responsesStream('x'), resetAfterEvents: 3, chunkDelayMs: 30 });
    const res = await rawStream(`${gw!.url}/v1/responses`, { model: 'solo', input: 'hi' });
    expect(res.status).toBe(200);
    const events = res.text
      .trim()
      .split('\n\n')
      .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) }));
    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.failed',
      'error',
    ]);
    const failed = events[3].data;
    expect(failed.type).toBe('response.failed');
    expect(failed.sequence_number).toBe(3);
    expect(failed.response).toMatchObject({ id: 'resp_fake', status: 'failed', model: 'solo' });
    expect(failed.response.error).toMatchObject({ code: 'server_error' });
    expect(events[4].data).toMatchObject({ type: 'error', code: 'upstream_error', sequence_number: 4 });
    expect(f.requests).toHaveLength(1);

    f.enqueue({ ...responsesStream('x'), resetAfterEvents: 3, chunkDelayMs: 30 });
    // The SDK surfaces both events (the error event is OpenAI's wire shape: code/message at the top).
    const stream = await client.responses.create({ model: 'solo', input: 'hi', stream: true });
    const seen: { type: string; [k: string]: unknown }[] = [];
    for await (const e of stream) seen.push(e as never);
    expect(seen.map((e) => e.type).slice(-2)).toEqual(['response.failed', 'error']);
    expect(seen[seen.length - 1]).toMatchObject({ code: 'upstream_error' });
  });

  it('a client that disconnects mid-stream cancels the upstream request at once', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\n`);
    f.enqueue({ ...chatStream('x', Array.from({ length: 50 }, (_, i) => `p${i}`)), chunkDelayMs: 100 });
    const controller = new AbortController();
    const res = await fetch(`${gw!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo', messages, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    // The upstream stream still had ~5 s to go: closing within a second means the abort propagated.
    await f.waitForClientAborts(1, 1000);
  });

  it('a client that disconnects while the stream waits for its first event cancels the upstream request', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1')}\n`);
    f.enqueue({ ...chatStream('x'), firstEventDelayMs: 5000 });
    const controller = new AbortController();
    const pending = fetch(`${gw!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'solo', messages, stream: true }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    while (f.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await pending;
    await f.waitForClientAborts(1, 1000);
    expect(f.requests).toHaveLength(1);
  });

  it('fallbacks apply to streams before the first byte; every chunk carries the alias', async () => {
    const [primary, backup] = [await fake(), await fake()];
    primary.always = { status: 500, body: { error: { message: 'down' } } };
    await gateway(`model_list:${deployment('primary', primary, 'primary-1')}${deployment('backup', backup, 'backup-1')}
router_settings:
  num_retries: 0
  model_group_alias: { gpt4: primary }
  fallbacks: [{ primary: [backup] }]
`);
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt4', messages, stream: true }).withResponse();
    expect(response.headers.get('x-switchboard-deployment')).toBe('backup-1');
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.model).toBe('gpt4');
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hello!');

    const responses = await client.responses.create({ model: 'gpt4', input: 'hi', stream: true });
    const models = new Set<string>();
    for await (const e of responses) if ('response' in e) models.add(e.response.model);
    expect([...models]).toEqual(['gpt4']);
    expect(backup.last().path).toBe('/v1/responses');
  });

  it('after the first byte, a failure is final: no fallback, an error event', async () => {
    const [primary, backup] = [await fake(), await fake()];
    await gateway(`model_list:${deployment('primary', primary, 'primary-1')}${deployment('backup', backup, 'backup-1')}
router_settings:\n  fallbacks: [{ primary: [backup] }]\n`);
    primary.enqueue({ ...chatStream('x'), resetAfterEvents: 1, chunkDelayMs: 30 });
    const res = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'primary', messages });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/"error":\{/);
    expect(backup.requests).toHaveLength(0);
  });

  it('non-stream requests are unaffected by stream_timeout; rawPost sanity', async () => {
    const f = await fake();
    await gateway(`model_list:${deployment('solo', f, 'solo-1', 'stream_timeout: 0.05')}\n`);
    f.enqueue({ body: { id: 'x', object: 'chat.completion', model: 'm', choices: [] }, delayMs: 200 });
    const res = await rawPost(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
    expect(res.status).toBe(200);
  });
  describe('in-band errors (200, then an error object as an SSE event)', () => {
    const rateLimited = { error: { message: 'Rate limit exceeded upstream', code: 429 } };
    const inBand = (error: object = rateLimited): ScriptedReply => ({ sse: [error, '[DONE]'] });

    async function apiError(call: () => Promise<AsyncIterable<unknown>>): Promise<APIError> {
      const err = await (async () => {
        for await (const _ of await call());
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(APIError);
      return err as APIError;
    }

    it('as the first event it is a failed attempt: the next deployment of the group serves the stream', async () => {
      const [limited, healthy] = [await fake(), await fake()];
      limited.always = inBand();
      await gateway(`model_list:${deployment('pair', limited, 'pair-limited', 'order: 1')}${deployment('pair', healthy, 'pair-healthy', 'order: 2')}
router_settings:\n  num_retries: 1\n  allowed_fails: 10\n  retry_after: 0.01\n`);
      const { data: stream, response } = await client.chat.completions.create({ model: 'pair', messages, stream: true }).withResponse();
      expect(response.status).toBe(200);
      expect(response.headers.get('x-switchboard-deployment')).toBe('pair-healthy');
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text).toBe('Hello!');
      expect(limited.requests).toHaveLength(1);
      expect(healthy.requests).toHaveLength(1);
    });

    it('as the first event on a lone deployment: a JSON error with the status it carried (429), after the retries', async () => {
      const f = await fake();
      f.always = inBand();
      await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 1\n  retry_after: 0.01\n`);
      const err = await apiError(() => client.chat.completions.create({ model: 'solo', messages, stream: true }));
      expect(err.status).toBe(429);
      expect(err.error).toMatchObject({ type: 'rate_limit_error', message: expect.stringContaining('Rate limit exceeded upstream') });
      expect(f.requests).toHaveLength(2);

      const raw = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
      expect(raw.status).toBe(429);
      expect(raw.contentType).toMatch(/application\/json/);
      expect(Object.keys(JSON.parse(raw.text).error).sort()).toEqual(['code', 'message', 'param', 'type']);
    });

    it('an error code that is not an HTTP status is a 502 upstream_error', async () => {
      const f = await fake();
      f.always = inBand({ error: { message: 'model backend crashed', code: 'internal_failure' } });
      await gateway(`model_list:${deployment('solo', f, 'solo-1')}\nrouter_settings:\n  num_retries: 0\n`);
      const err = await apiError(() => client.chat.completions.create({ model: 'solo', messages, stream: true }));
      expect(err.status).toBe(502);
      expect(err.error).toMatchObject({ type: 'api_error', code: 'upstream_error', message: expect.stringContaining('model backend crashed') });
    });

    it('/v1/responses, bridged (hosted_vllm) and native: the same JSON 429 instead of a 200 with response.failed', async () => {
      const [vllm, native] = [await fake(), await fake()];
      vllm.always = inBand();
      native.always = inBand();
      await gateway(`model_list:
  - model_name: bridged
    litellm_params: { model: hosted_vllm/some-model, api_base: ${vllm.url}/v1 }
${deployment('native', native, 'native-1')}
router_settings:\n  num_retries: 0\n`);
      for (const model of ['bridged', 'native']) {
        const err = await apiError(() => client.responses.create({ model, input: 'hi', stream: true }));
        expect(err.status).toBe(429);
        expect(err.error).toMatchObject({ type: 'rate_limit_error', message: expect.stringContaining('Rate limit exceeded upstream') });
      }
      expect(vllm.last().path).toBe('/v1/chat/completions');
      expect(native.last().path).toBe('/v1/responses');
    });

    it('after chunks were sent: the gateway’s own error line, key redacted, no [DONE], not retried', async () => {
      const f = await fake();
      const key = 'sk-live-abcdef0123456789';
      await gateway(`model_list:
  - model_name: solo
    litellm_params: { model: openai/solo-model, api_base: ${f.url}/v1, api_key: ${key} }
router_settings:\n  num_retries: 3\n  retry_after: 0.01\n`);
      const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model: 'solo-model' };
      const upstreamError = { error: { message: `Provider failed mid-generation (key ${key})`, code: 503, metadata: { raw: key } } };
      const reply = (): ScriptedReply => ({
        sse: [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
          upstreamError,
          '[DONE]',
        ],
      });
      f.enqueue(reply());
      const res = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
      expect(res.status).toBe(200);
      const lines = res.text.trim().split('\n\n');
      expect(lines).toHaveLength(3);
      const last = JSON.parse(lines[2].replace(/^data: /, ''));
      expect(last).toEqual({
        error: { type: 'api_error', code: 'upstream_error', param: null, message: expect.stringContaining('Provider failed mid-generation') },
      });
      expect(res.text).not.toContain(key);
      expect(res.text).not.toContain('metadata');
      expect(res.text).not.toContain('[DONE]');
      expect(f.requests).toHaveLength(1);

      f.enqueue(reply());
      const seen: string[] = [];
      const err = await apiError(async () => {
        const stream = await client.chat.completions.create({ model: 'solo', messages, stream: true });
        return (async function* () {
          for await (const chunk of stream) {
            seen.push(chunk.choices[0]?.delta?.content ?? '');
            yield chunk;
          }
        })();
      });
      expect(seen).toEqual(['Hel', 'lo']);
      expect(err.message).not.toContain(key);
    });
  });
  describe('in-band errors in other shapes: OpenRouter mid-stream chunks, vLLM ErrorResponse, native Responses events', () => {
    const key = 'sk-or-live-0123456789abcdef';
    const chunkBase = { id: 'gen-fake', object: 'chat.completion.chunk', created: 1700000000, model: 'solo-model', provider: 'SomeHost' };
    const piece = (content: string) => ({ ...chunkBase, choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    /** OpenRouter's shape for a failure during generation: the error beside choices, finish_reason "error". */
    const openRouterError = (code: number | string, message: string) => ({
      ...chunkBase,
      error: { code, message, metadata: { raw: `upstream said ${key}` } },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });
    const vllmError = (code: number, message: string) => ({ object: 'error', message, type: 'BadRequestError', param: null, code });

    function solo(f: FakeUpstream, retries = 0): string {
      return `model_list:
  - model_name: solo
    litellm_params: { model: openai/solo-model, api_base: ${f.url}/v1, api_key: ${key} }
router_settings:\n  num_retries: ${retries}\n  retry_after: 0.01\n  allowed_fails: 10\n`;
    }

    function sseBlocks(text: string): { event?: string; data: any }[] {
      return text
        .trim()
        .split('\n\n')
        .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) }));
    }

    it('OpenRouter error chunk as the first event: the group\u2019s second deployment serves the stream (200, its content)', async () => {
      const [failing, healthy] = [await fake(), await fake()];
      failing.always = { sse: [openRouterError(502, 'Provider returned error'), '[DONE]'] };
      await gateway(`model_list:${deployment('pair', failing, 'pair-failing', 'order: 1')}${deployment('pair', healthy, 'pair-healthy', 'order: 2')}
router_settings:\n  num_retries: 1\n  allowed_fails: 10\n  retry_after: 0.01\n`);
      const { data: stream, response } = await client.chat.completions.create({ model: 'pair', messages, stream: true }).withResponse();
      expect(response.status).toBe(200);
      expect(response.headers.get('x-switchboard-deployment')).toBe('pair-healthy');
      let text = '';
      const finishes: unknown[] = [];
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      }
      expect(text).toBe('Hello!');
      expect(finishes).toEqual(['stop']);
      expect(failing.requests).toHaveLength(1);
      expect(healthy.requests).toHaveLength(1);
    });

    it('OpenRouter error chunk after tokens: chat gets the gateway\u2019s redacted error line, no [DONE], no retry', async () => {
      const f = await fake();
      await gateway(solo(f, 3));
      const reply = (): ScriptedReply => ({
        sse: [piece('Hel'), piece('lo'), openRouterError('server_error', `Provider disconnected (key ${key})`), '[DONE]'],
      });
      f.enqueue(reply());
      const res = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
      expect(res.status).toBe(200);
      const blocks = sseBlocks(res.text);
      expect(blocks.map((b) => b.data.choices?.[0]?.delta?.content)).toEqual(['Hel', 'lo', undefined]);
      expect(blocks[2].data).toEqual({
        error: { type: 'api_error', code: 'upstream_error', param: null, message: expect.stringContaining('Provider disconnected (key [redacted])') },
      });
      expect(res.text).not.toContain(key);
      expect(res.text).not.toContain('finish_reason":"error');
      expect(res.text).not.toContain('[DONE]');
      expect(f.requests).toHaveLength(1);

      f.enqueue(reply());
      const seen: string[] = [];
      const stream = await client.chat.completions.create({ model: 'solo', messages, stream: true });
      const err = await (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).message).toContain('Provider disconnected');
      expect((err as APIError).message).not.toContain(key);
      expect(seen).toEqual(['Hel', 'lo']);
    });

    it('OpenRouter error chunk after tokens, through the Responses bridge: response.failed then error, redacted', async () => {
      const f = await fake();
      await gateway(`model_list:
  - model_name: bridged
    litellm_params: { model: hosted_vllm/solo-model, api_base: ${f.url}/v1, api_key: ${key} }
router_settings:\n  num_retries: 3\n`);
      f.enqueue({ sse: [piece('Hel'), openRouterError(502, `Upstream died, key ${key}`), '[DONE]'] });
      const stream = await client.responses.create({ model: 'bridged', input: 'hi', stream: true });
      const seen: { type: string; [k: string]: any }[] = [];
      for await (const e of stream) seen.push(e as never);
      expect(seen.map((e) => e.type).slice(-2)).toEqual(['response.failed', 'error']);
      const failed = seen[seen.length - 2];
      expect(failed.response.status).toBe('failed');
      expect(failed.response.error.message).toContain('Upstream died, key [redacted]');
      expect(seen.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta)).toEqual(['Hel']);
      expect(JSON.stringify(seen)).not.toContain(key);
      expect(f.last().path).toBe('/v1/chat/completions');
      expect(f.requests).toHaveLength(1);
    });

    it('vLLM ErrorResponse: first event is a JSON error with its status (400, not retried); later, an error line', async () => {
      const f = await fake();
      await gateway(solo(f, 2));
      f.always = { sse: [vllmError(400, `This model's maximum context length is 4096 tokens (${key})`)] };
      const raw = await rawStream(`${gw!.url}/v1/chat/completions`, { model: 'solo', messages });
      expect(raw.status).toBe(400);
      expect(raw.contentType).toMatch(/application\/json/);
      expect(JSON.parse(raw.text).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('maximum context length') });
      expect(raw.text).not.toContain(key);
      // A request error fails everywhere: not retried.
      expect(f.requests).toHaveLength(1);

      f.always = undefined;
      f.enqueue({ sse: [piece('Hel'), vllmError(503, 'engine dead'), '[DONE]'] });
      const stream = await client.chat.completions.create({ model: 'solo', messages, stream: true });
      const seen: string[] = [];
      const err = await (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
      })().catch((e: unknown) => e);
      expect(seen).toEqual(['Hel']);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).message).toContain('engine dead');
    });

    describe('native /v1/responses', () => {
      const created = responsesStream('solo-model').sse!.slice(0, 3) as string[];
      const errorEvent = (code: string, message: string) =>
        `event: error\ndata: ${JSON.stringify({ type: 'error', code, message, param: null, sequence_number: 0 })}`;
      const failedEvent = (code: string, message: string, sequence = 0) =>
        `event: response.failed\ndata: ${JSON.stringify({
          type: 'response.failed',
          sequence_number: sequence,
          response: { id: 'resp_fake', object: 'response', status: 'failed', model: 'solo-model', output: [], error: { code, message } },
        })}`;

      it('an error event first is a failed attempt: the second deployment serves (200, its content)', async () => {
        const [failing, healthy] = [await fake(), await fake()];
        failing.always = { sse: [errorEvent('server_error', 'The server had an error')] };
        await gateway(`model_list:${deployment('pair', failing, 'pair-failing', 'order: 1')}${deployment('pair', healthy, 'pair-healthy', 'order: 2')}
router_settings:\n  num_retries: 1\n  allowed_fails: 10\n  retry_after: 0.01\n`);
        const { data: stream, response } = await client.responses.create({ model: 'pair', input: 'hi', stream: true }).withResponse();
        expect(response.status).toBe(200);
        expect(response.headers.get('x-switchboard-deployment')).toBe('pair-healthy');
        let text = '';
        let completed = false;
        for await (const e of stream) {
          if (e.type === 'response.output_text.delta') text += e.delta;
          if (e.type === 'response.completed') completed = true;
        }
        expect(text).toBe('Hello');
        expect(completed).toBe(true);
        expect(failing.requests).toHaveLength(1);
        expect(failing.last().path).toBe('/v1/responses');
        expect(healthy.requests).toHaveLength(1);
      });

      it('response.failed first on a lone deployment: a JSON error with the status its code means, after the retries', async () => {
        const f = await fake();
        f.always = { sse: [failedEvent('rate_limit_exceeded', `Rate limit reached for ${key}`)] };
        await gateway(solo(f, 1));
        const err = await client.responses.create({ model: 'solo', input: 'hi', stream: true }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(APIError);
        expect((err as APIError).status).toBe(429);
        expect((err as APIError).message).toContain('Rate limit reached for [redacted]');
        expect(f.requests).toHaveLength(2);

        f.always = { sse: [failedEvent('server_error', 'boom')] };
        const raw = await rawStream(`${gw!.url}/v1/responses`, { model: 'solo', input: 'hi' });
        expect(raw.status).toBe(502);
        expect(raw.contentType).toMatch(/application\/json/);
        expect(JSON.parse(raw.text).error.code).toBe('upstream_error');
      });

      it('an error event after the first byte: the gateway\u2019s response.failed and error events, redacted, not retried', async () => {
        const f = await fake();
        await gateway(solo(f, 3));
        f.enqueue({ sse: [...created, errorEvent('server_error', `Stream broke for ${key}`), failedEvent('server_error', 'after', 4)] });
        const res = await rawStream(`${gw!.url}/v1/responses`, { model: 'solo', input: 'hi' });
        expect(res.status).toBe(200);
        const events = sseBlocks(res.text);
        expect(events.map((e) => e.event)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.failed', 'error']);
        expect(events[3].data).toMatchObject({
          type: 'response.failed',
          sequence_number: 3,
          response: { id: 'resp_fake', status: 'failed', model: 'solo', error: { code: 'server_error', message: expect.stringContaining('Stream broke for [redacted]') } },
        });
        expect(events[4].data).toMatchObject({ type: 'error', code: 'upstream_error', sequence_number: 4 });
        expect(res.text).not.toContain(key);
        expect(f.requests).toHaveLength(1);
      });
    });
  });

  describe('Anthropic in-band error events', () => {
    const key = 'sk-ant-api03-live-0123456789abcdef';
    const password = 'basic-pa55word-xyz';
    let anthropic: FakeAnthropic;

    afterEach(async () => {
      await anthropic?.close();
    });

    it('a key (and api_base password) echoed in an `event: error` never reaches the openai SDK client, first event or mid-stream', async () => {
      anthropic = await FakeAnthropic.start([key]);
      await gateway(`model_list:
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: http://gateway:${password}@${anthropic.url.replace('http://', '')}
      api_key: ${key}
router_settings:\n  num_retries: 0\n`);
      const echoed = { type: 'error', error: { type: 'authentication_error', message: `key ${key} (sk-ant-api03-live-0123****cdef) via gateway:${password} was revoked` } };
      anthropic.enqueue({ events: [['error', echoed]] });
      const first = await client.chat.completions.create({ model: 'claude', messages, stream: true }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(first).toBeInstanceOf(APIError);
      expect((first as APIError).status).toBe(401);
      expect((first as APIError).message).toContain('was revoked');
      for (const secret of [key, 'sk-ant-api03-live-0123', password]) expect(JSON.stringify((first as APIError).error)).not.toContain(secret);

      const events = messageEvents(fullMessage({ content: [{ type: 'text', text: 'partial answer' }] }, 'claude-sonnet-4-5'));
      const cut = events.findIndex(([name]) => name === 'content_block_stop');
      anthropic.enqueue({ events: [...events.slice(0, cut), ['error', { ...echoed, error: { ...echoed.error, type: 'overloaded_error' } }]] });
      const stream = await client.chat.completions.create({ model: 'claude', messages, stream: true });
      let text = '';
      const mid = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })().catch((e: unknown) => e);
      expect(text).toBe('partial answer');
      expect(mid).toBeInstanceOf(APIError);
      expect((mid as APIError).message).toContain('was revoked');
      for (const secret of [key, 'sk-ant-api03-live-0123', password]) expect((mid as APIError).message).not.toContain(secret);
      expect(anthropic.requests).toHaveLength(2);
      expect(anthropic.last().headers.authorization).toBe(`Basic ${Buffer.from(`gateway:${password}`).toString('base64')}`);
    });
  });
});
