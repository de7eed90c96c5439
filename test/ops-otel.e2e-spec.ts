import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { cleanEnv, freePort, MAIN, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { closedPort, parseSse } from './helpers/assertions.js';
import { FakeAnthropic } from './helpers/fake-anthropic.js';
import { chatStream, FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';
import { CLIENT, OtlpReceiver, SERVER } from './helpers/otlp-receiver.js';

/**
 * OpenTelemetry traces against a loopback OTLP/HTTP collector: one SERVER span per inference
 * request, one CLIENT child per upstream attempt, the W3C trace context in from the client and
 * out to the upstream, no content unless asked, and nothing at all when tracing is off.
 */

const PROMPT = 'the-secret-prompt-text-42';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

function deployment(name: string, fake: FakeUpstream, id: string, extra = ''): string {
  return `
  - model_name: ${name}
    litellm_params:
      model: openai/${id}-model
      api_base: ${fake.url}/v1
      api_key: sk-upstream-secret${extra ? `\n${extra.replace(/^/gm, '      ')}` : ''}
    model_info: { id: ${id} }`;
}

function otel(receiver: OtlpReceiver | string, extra = ''): string {
  const endpoint = typeof receiver === 'string' ? receiver : receiver.url;
  return `
general_settings:
  otel:
    endpoint: ${endpoint}
    service_name: sb-test${extra ? `\n${extra.replace(/^/gm, '    ')}` : ''}
`;
}

let seq = 0;
function rid(): string {
  return `otel-req-${process.pid}-${++seq}`;
}

describe('OpenTelemetry traces', () => {
  const fakes: FakeUpstream[] = [];
  const receivers: OtlpReceiver[] = [];
  let gw: RunningGateway | undefined;

  async function fake(): Promise<FakeUpstream> {
    const f = await FakeUpstream.start();
    fakes.push(f);
    return f;
  }
  async function receiver(): Promise<OtlpReceiver> {
    const r = await OtlpReceiver.start();
    receivers.push(r);
    return r;
  }
  async function gateway(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<RunningGateway> {
    gw = await startGateway(yaml, env);
    return gw;
  }
  function client(requestId: string, headers: Record<string, string> = {}): OpenAI {
    return new OpenAI({ baseURL: gw!.baseURL, apiKey: 'unused', maxRetries: 0, defaultHeaders: { 'x-request-id': requestId, ...headers } });
  }

  afterEach(async () => {
    gw?.app.getHttpServer().closeAllConnections();
    await gw?.close();
    gw = undefined;
    await Promise.all(fakes.splice(0).map((f) => f.close()));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('chat (JSON): a SERVER span with the GenAI attributes and one CLIENT child whose id reaches the upstream', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-a')}\n${otel(r)}`);
    const id = rid();
    const res = await client(id).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: PROMPT }], temperature: 0.3, max_tokens: 50 });
    expect(res.model).toBe('mymodel');

    const { server, clients } = await r.request(id, 2);
    expect(server.parentSpanId).toBeUndefined();
    expect(server.name).toBe('chat mymodel');
    expect(server.resource['service.name']).toBe('sb-test');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'mymodel',
      'gen_ai.response.model': 'dep-a-model',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 6,
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 50,
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'switchboard.group': 'mymodel',
      'switchboard.deployment_id': 'dep-a',
    });
    expect(server.attributes['error.type']).toBeUndefined();

    expect(clients).toHaveLength(1);
    const [c] = clients;
    expect(c.parentSpanId).toBe(server.spanId);
    expect(c.traceId).toBe(server.traceId);
    expect(c.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'dep-a-model',
      'gen_ai.response.model': 'dep-a-model',
      'gen_ai.provider.name': 'openai',
      'switchboard.attempt': 1,
      'switchboard.deployment_id': 'dep-a',
      'switchboard.outcome': 'success',
      'server.address': '127.0.0.1',
    });
    // The upstream saw this attempt's span as its parent.
    expect(up.last().headers.traceparent).toBe(`00-${server.traceId}-${c.spanId}-01`);
    // Off by default: no prompt or completion text, no credentials, anywhere in what was exported.
    const exported = r.bodies.join('\n');
    expect(exported).not.toContain(PROMPT);
    expect(exported).not.toContain('Hello from the fake upstream');
    expect(exported).not.toContain('sk-upstream-secret');
    expect(server.events).toHaveLength(0);
  });

  it('chat (stream): the spans end when the stream ends, with the usage of the final chunk', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-s')}\n${otel(r)}`);
    const base = { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1700000000, model: 'dep-s-model' };
    up.enqueue({
      chunkDelayMs: 60,
      sse: [
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        { ...base, choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } },
        '[DONE]',
      ],
    });
    const id = rid();
    const stream = await client(id).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: PROMPT }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello');

    const { server, clients } = await r.request(id, 2);
    expect(clients).toHaveLength(1);
    const [c] = clients;
    expect(server.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 2, 'gen_ai.response.model': 'dep-s-model' });
    expect(c.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.input_tokens': 7, 'gen_ai.usage.output_tokens': 2, 'gen_ai.response.finish_reasons': ['stop'], 'switchboard.outcome': 'success' });
    // 5 events 60 ms apart: the CLIENT span lasts the stream, not just until its first event.
    expect(Number(c.endNs - c.startNs) / 1e6).toBeGreaterThanOrEqual(200);
    expect(server.endNs).toBeGreaterThanOrEqual(c.endNs);
    expect(r.bodies.join('\n')).not.toContain(PROMPT);
  });

  it('a retry then a fallback: three CLIENT children with attempt numbers, deployment ids and outcomes', async () => {
    const [a, b, backup] = [await fake(), await fake(), await fake()];
    const failing = { status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } };
    a.always = failing;
    b.always = failing;
    const r = await receiver();
    await gateway(`model_list:${deployment('primary', a, 'p-a')}${deployment('primary', b, 'p-b')}${deployment('backup', backup, 'bk-1')}
router_settings:
  num_retries: 1
  retry_after: 0.01
  fallbacks: [ { primary: [backup] } ]
${otel(r)}`);
    const id = rid();
    const res = await client(id).chat.completions.create({ model: 'primary', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.model).toBe('primary');

    const { server, clients } = await r.request(id, 4);
    expect(clients).toHaveLength(3);
    expect(clients.map((c) => c.attributes['switchboard.attempt'])).toEqual([1, 2, 3]);
    expect(clients.every((c) => c.parentSpanId === server.spanId)).toBe(true);
    expect(clients.slice(0, 2).map((c) => c.attributes['switchboard.deployment_id']).sort()).toEqual(['p-a', 'p-b']);
    for (const c of clients.slice(0, 2)) {
      expect(c.attributes).toMatchObject({ 'switchboard.outcome': 'error', 'error.type': 'upstream_error', 'switchboard.failure_class': 'server', 'http.response.status_code': 500, 'switchboard.group': 'primary' });
      expect(c.status.code).toBe(2); // ERROR
      expect(c.attributes['switchboard.fallback']).toBeUndefined();
      // Without record_content the upstream's message (which may quote the request) stays out.
      expect(c.status.message).toBe('upstream_error');
    }
    expect(clients[2].attributes).toMatchObject({ 'switchboard.deployment_id': 'bk-1', 'switchboard.group': 'backup', 'switchboard.fallback': 'backup', 'switchboard.outcome': 'success' });
    // Each attempt carried its own span id upstream.
    const sent = [...a.requests, ...b.requests, ...backup.requests].map((q) => q.headers.traceparent);
    expect(new Set(sent)).toEqual(new Set(clients.map((c) => `00-${server.traceId}-${c.spanId}-01`)));
    expect(server.attributes).toMatchObject({ 'gen_ai.request.model': 'primary', 'switchboard.group': 'backup', 'switchboard.deployment_id': 'bk-1', 'switchboard.attempt': 3, 'http.response.status_code': 200 });
  });

  it('a failed request: error.type on the SERVER span', async () => {
    const up = await fake();
    up.always = { status: 500, body: { error: { message: 'boom', type: 'server_error' } } };
    const r = await receiver();
    await gateway(`model_list:${deployment('m', up, 'dep-f')}\nrouter_settings:\n  num_retries: 0\n${otel(r)}`);
    const id = rid();
    const res = await rawPost(`${gw!.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { 'content-type': 'application/json', 'x-request-id': id });
    expect(res.status).toBe(502);
    const unknown = await rawPost(`${gw!.url}/v1/chat/completions`, { model: 'nope', messages: [{ role: 'user', content: 'hi' }] }, { 'content-type': 'application/json', 'x-request-id': `${id}-404` });
    expect(unknown.status).toBe(404);

    const { server, clients } = await r.request(id, 2);
    expect(server.attributes).toMatchObject({ 'error.type': 'upstream_error', 'http.response.status_code': 502 });
    expect(server.status.code).toBe(2);
    expect(clients[0].attributes['switchboard.outcome']).toBe('error');
    const notFound = (await r.request(`${id}-404`, 1)).server;
    expect(notFound.attributes).toMatchObject({ 'error.type': 'model_not_found', 'http.response.status_code': 404, 'gen_ai.request.model': 'nope' });
    // A client error is not the server's: no ERROR status.
    expect(notFound.status.code ?? 0).toBe(0);
  });

  it('embeddings, /v1/messages (JSON and stream, bridged) and /v1/responses (bridged stream)', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('emb', up, 'dep-e')}${deployment('chatty', up, 'dep-c', 'use_chat_completions_for_responses: true')}\n${otel(r)}`);

    const e = rid();
    await client(e).embeddings.create({ model: 'emb', input: PROMPT });
    const emb = await r.request(e, 2);
    expect(emb.server.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'emb', 'gen_ai.usage.input_tokens': 3, 'http.route': '/v1/embeddings' });
    expect(emb.clients[0].attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'switchboard.deployment_id': 'dep-e' });
    expect(emb.server.name).toBe('embeddings emb');

    const m = rid();
    const json = await rawPost(`${gw!.url}/v1/messages`, { model: 'chatty', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }, { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-request-id': m });
    expect(json.status).toBe(200);
    const msg = await r.request(m, 2);
    expect(msg.server.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'http.route': '/v1/messages', 'gen_ai.request.model': 'chatty', 'gen_ai.request.max_tokens': 20, 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 6 });
    expect(msg.clients).toHaveLength(1);
    expect(msg.server.attributes['gen_ai.response.model']).toBe('dep-c-model');
    expect(up.requests.map((q) => q.headers.traceparent)).toContain(`00-${msg.server.traceId}-${msg.clients[0].spanId}-01`);

    const ms = rid();
    const streamed = await fetch(`${gw!.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-request-id': ms },
      body: JSON.stringify({ model: 'chatty', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const events = parseSse(await streamed.text());
    expect(events.at(-1)?.event).toBe('message_stop');
    const mstream = await r.request(ms, 2);
    expect(mstream.server.attributes).toMatchObject({ 'http.route': '/v1/messages', 'gen_ai.request.stream': true, 'http.response.status_code': 200 });
    expect(mstream.clients[0].attributes).toMatchObject({ 'switchboard.outcome': 'success', 'gen_ai.request.stream': true });
    expect(mstream.server.endNs).toBeGreaterThanOrEqual(mstream.clients[0].endNs);

    const rs = rid();
    const stream = await client(rs).responses.create({ model: 'chatty', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    expect(types.at(-1)).toBe('response.completed');
    const resp = await r.request(rs, 2);
    expect(resp.server.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'http.route': '/v1/responses', 'gen_ai.request.model': 'chatty' });
    expect(resp.clients[0].attributes).toMatchObject({ 'switchboard.outcome': 'success', 'gen_ai.request.model': 'dep-c-model' });
    expect(r.bodies.join('\n')).not.toContain(PROMPT);
  });

  it('/v1/messages native to Anthropic (stream): usage from message_start and message_delta, traceparent to Anthropic', async () => {
    const anthropic = await FakeAnthropic.start(['sk-ant-test']);
    try {
      const r = await receiver();
      await gateway(`model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-haiku-4-5, api_base: ${anthropic.url}, api_key: sk-ant-test }
    model_info: { id: ant-1 }
${otel(r)}`);
      anthropic.enqueue({ message: { content: [{ type: 'text', text: 'Hi there' }], usage: { input_tokens: 11, output_tokens: 4 } } });
      const id = rid();
      const res = await fetch(`${gw!.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-request-id': id },
        body: JSON.stringify({ model: 'claude', max_tokens: 20, stream: true, messages: [{ role: 'user', content: PROMPT }] }),
      });
      expect(parseSse(await res.text()).at(-1)?.event).toBe('message_stop');
      const { server, clients } = await r.request(id, 2);
      expect(server.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 4, 'switchboard.deployment_id': 'ant-1' });
      expect(clients[0].attributes).toMatchObject({ 'gen_ai.response.model': 'claude-haiku-4-5', 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 4, 'gen_ai.response.finish_reasons': [expect.any(String)] });
      expect(anthropic.last().headers.traceparent).toBe(`00-${server.traceId}-${clients[0].spanId}-01`);
      expect(r.bodies.join('\n')).not.toContain(PROMPT);
      expect(r.bodies.join('\n')).not.toContain('sk-ant-test');
    } finally {
      gw?.app.getHttpServer().closeAllConnections();
      await gw?.close();
      gw = undefined;
      await anthropic.close();
    }
  });

  it('an incoming traceparent parents the SERVER span; tracestate goes upstream too', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-t')}\nrouter_settings:\n  model_group_alias: { gpt4: mymodel }\n${otel(r)}`);
    const id = rid();
    await client(id, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: 'vendor=abc' }).chat.completions.create({ model: 'gpt4', messages: [{ role: 'user', content: 'hi' }] });
    const spans = await r.trace(TRACE_ID, 2);
    const server = spans.find((s) => s.kind === SERVER)!;
    const c = spans.find((s) => s.kind === CLIENT)!;
    expect(server.parentSpanId).toBe(PARENT_ID);
    expect(server.attributes['switchboard.request_id']).toBe(id);
    expect(c.parentSpanId).toBe(server.spanId);
    // An alias is not a fallback.
    expect(server.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt4', 'switchboard.group': 'mymodel' });
    expect(c.attributes['switchboard.fallback']).toBeUndefined();
    expect(up.last().headers.traceparent).toBe(`00-${TRACE_ID}-${c.spanId}-01`);
    expect(up.last().headers.tracestate).toBe('vendor=abc');
  });

  it('record_content: true puts prompt and completion text on a span event, truncated', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-r')}\n${otel(r, 'record_content: true')}`);
    const id = rid();
    await client(id).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: PROMPT }] });
    const { server } = await r.request(id, 2);
    const event = server.events.find((e) => e.name === 'gen_ai.client.inference.operation.details');
    expect(event).toBeDefined();
    expect(String(event!.attributes['gen_ai.input.messages'])).toContain(PROMPT);
    expect(String(event!.attributes['gen_ai.output.messages'])).toContain('Hello from the fake upstream');

    const big = rid();
    await client(big).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'x'.repeat(50_000) }] });
    const long = (await r.request(big, 2)).server.events[0];
    expect(String(long.attributes['gen_ai.input.messages']).length).toBeLessThan(9000);
    expect(String(long.attributes['gen_ai.input.messages'])).toContain('[truncated]');

    const s = rid();
    const stream = await client(s).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: PROMPT }], stream: true });
    for await (const _ of stream) void _;
    const streamed = (await r.request(s, 2)).server.events[0];
    expect(String(streamed.attributes['gen_ai.output.messages'])).toContain('Hello!');
  });

  it('the standard OTEL_* variables turn it on too (endpoint base + /v1/traces, headers, service name)', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-env')}\n`, {
      OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=abc%20def',
      OTEL_SERVICE_NAME: 'from-env',
    });
    const id = rid();
    await client(id).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'hi' }] });
    const { server } = await r.request(id, 2);
    expect(server.resource['service.name']).toBe('from-env');
    expect(r.headers[0]['x-collector-key']).toBe('abc def');
    expect(String(r.headers[0]['content-type'])).toContain('application/json');
  });

  it('a virtual key: its alias is on the span, the key itself nowhere', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-k')}\ngeneral_settings:\n  master_key: sk-master-otel\n  otel:\n    endpoint: ${r.url}\n`);
    const gen = await rawPost(`${gw!.url}/key/generate`, { key_alias: 'team-blue' }, { 'content-type': 'application/json', authorization: 'Bearer sk-master-otel' });
    expect(gen.status).toBe(200);
    const key = gen.body.key as string;
    const id = rid();
    await new OpenAI({ baseURL: gw!.baseURL, apiKey: key, maxRetries: 0, defaultHeaders: { 'x-request-id': id } }).chat.completions.create({
      model: 'mymodel',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const { server } = await r.request(id, 2);
    expect(server.attributes['switchboard.key_alias']).toBe('team-blue');
    const exported = r.bodies.join('\n');
    expect(exported).not.toContain(key);
    expect(exported).not.toContain('sk-master-otel');
  });

  it('off: no export attempt at all, and no traceparent sent upstream', async () => {
    const up = await fake();
    const r = await receiver();
    // The receiver is running but named nowhere: nothing must reach it, nor anything else.
    await gateway(`model_list:${deployment('mymodel', up, 'dep-off')}\n`);
    await client(rid(), { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` }).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'hi' }] });
    const s = await client(rid()).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const _ of s) void _;
    await gw!.close();
    gw = undefined;
    await sleep(1300);
    expect(r.bodies).toHaveLength(0);
    for (const q of up.requests) {
      expect(q.headers.traceparent).toBeUndefined();
      expect(q.headers.tracestate).toBeUndefined();
    }
  });

  it('an unreachable collector never breaks requests, and shutdown does not hang on it', async () => {
    const up = await fake();
    const port = await closedPort();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-u')}\n${otel(`http://127.0.0.1:${port}`)}`);
    for (let i = 0; i < 5; i++) {
      const res = await client(rid()).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.choices[0].message.content).toBe('Hello from the fake upstream');
    }
    const s = await client(rid()).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const _ of s) void _;
    await sleep(1200); // let the batch processor try (and fail) once
    const res = await client(rid()).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.model).toBe('mymodel');
    expect(up.last().headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const closing = Date.now();
    await gw!.close();
    gw = undefined;
    expect(Date.now() - closing).toBeLessThan(8000);
  });

  it('a stream the client abandons: both spans end, outcome aborted, error.type client_closed', async () => {
    const up = await fake();
    const r = await receiver();
    await gateway(`model_list:${deployment('mymodel', up, 'dep-ab')}\n${otel(r)}`);
    up.enqueue({ ...chatStream('dep-ab-model', Array.from({ length: 20 }, (_, i) => `p${i}`)), chunkDelayMs: 100 });
    const id = rid();
    const controller = new AbortController();
    const stream = await client(id).chat.completions.create({ model: 'mymodel', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    controller.abort();
    await it.next().catch(() => undefined);
    const { server, clients } = await r.request(id, 2);
    expect(clients[0].attributes).toMatchObject({ 'switchboard.outcome': 'aborted', 'error.type': 'client_closed', 'gen_ai.response.model': 'dep-ab-model' });
    expect(server.attributes['error.type']).toBe('client_closed');
  });

  it('graceful shutdown (SIGTERM on the built gateway) flushes spans still buffered', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    const up = await fake();
    const r = await receiver();
    const config = writeTempConfig(`model_list:${deployment('mymodel', up, 'dep-sig')}\n${otel(r)}`);
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-otel-'));
    const run = runCli(['--config', config, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], cleanEnv());
    try {
      const url = `http://127.0.0.1:${port}`;
      // Start-up on a loaded CI machine can take a while; the flush is what is under test.
      await waitUntilServing(run, url, 40_000);
      const id = rid();
      await new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0, defaultHeaders: { 'x-request-id': id } }).chat.completions.create({
        model: 'mymodel',
        messages: [{ role: 'user', content: 'hi' }],
      });
      // At once: the batch's own timer (1 s) has not fired yet, so only the shutdown flush can send it.
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      const { server, clients } = await r.request(id, 2);
      expect(clients).toHaveLength(1);
      expect(server.resource['service.name']).toBe('sb-test');
    } finally {
      await run.stop();
    }
  }, 60_000);
});
