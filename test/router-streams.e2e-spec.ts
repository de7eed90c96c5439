import OpenAI, { APIError } from 'openai';
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
});
