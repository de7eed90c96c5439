import http from 'node:http';
import OpenAI from 'openai';
import { expectOpenAiError } from './helpers/assertions.js';
import { FakeUpstream } from './helpers/fake-upstream.js';
import { RunningGateway, startGateway } from './helpers/gateway.js';

/**
 * Hostile and broken bodies: each must get a 4xx with an OpenAI-shaped body — never a 5xx, a
 * dropped connection or a crash — and must never reach the upstream.
 */
interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** node:http rather than fetch: it sends exactly the bytes and headers given, including broken ones. */
function send(url: string, body: Buffer | string | undefined, headers: Record<string, string | number>, method = 'POST'): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const MB = 'x'.repeat(1024 * 1024);
const msgs = [{ role: 'user', content: 'hi' }];

type Case = [string, string | Buffer | undefined, Record<string, string>?];

const JSON_CT = { 'content-type': 'application/json' };

/** Bodies wrong for any inference endpoint. */
const COMMON: Case[] = [
  ['empty body', ''],
  ['empty body, no content type', undefined, {}],
  ['whitespace', '   \n '],
  ['null', 'null'],
  ['a number', '42'],
  ['a string', '"hello"'],
  ['true', 'true'],
  ['a JSON array', JSON.stringify([{ model: 'm', messages: msgs }])],
  ['an empty array', '[]'],
  ['an empty object', '{}'],
  ['truncated JSON', '{"model": "m", "messages": [{"role": "user"'],
  ['trailing garbage', `${JSON.stringify({ model: 'm', messages: msgs, input: 'x' })}xyz`],
  ['single quotes', "{'model': 'm'}"],
  ['NaN literal', '{"model": "m", "temperature": NaN}'],
  ['a megabyte of non-JSON', MB],
  ['deeply nested arrays', `{"model": "m", "messages": ${deep(10_000)}, "input": ${deep(10_000)}}`],
  ['deeply nested objects', `{"model": "m", "metadata": ${deepObject(5_000)}}`],
  ['deeply nested arrays, too deep even to parse sanely', deep(200_000)],
  ['invalid UTF-8', Buffer.concat([Buffer.from('{"model": "'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('", "input": "x"}')])],
  ['a UTF-16 body', Buffer.from(JSON.stringify({ model: 'm', messages: msgs, input: 'x' }), 'utf16le')],
  ['a BOM then JSON', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"model": 5}')])],
  ['model null', JSON.stringify({ model: null, messages: msgs, input: 'x' })],
  ['model a number', JSON.stringify({ model: 4, messages: msgs, input: 'x' })],
  ['model an object', JSON.stringify({ model: { name: 'm' }, messages: msgs, input: 'x' })],
  ['model an array', JSON.stringify({ model: ['m'], messages: msgs, input: 'x' })],
  ['model empty', JSON.stringify({ model: '', messages: msgs, input: 'x' })],
  ['model a megabyte string', JSON.stringify({ model: MB, messages: msgs, input: 'x' })],
  ['missing model', JSON.stringify({ messages: msgs, input: 'x' })],
  ['stream a string', JSON.stringify({ model: 'm', messages: msgs, input: 'x', stream: 'yes' })],
  ['stream a number', JSON.stringify({ model: 'm', messages: msgs, input: 'x', stream: 1 })],
  ['tools an object', JSON.stringify({ model: 'm', messages: msgs, input: 'x', tools: { type: 'function' } })],
  ['tools a string', JSON.stringify({ model: 'm', messages: msgs, input: 'x', tools: 'all' })],
  ['tools with a null entry', JSON.stringify({ model: 'm', messages: msgs, input: 'x', tools: [null] })],
  ['tools with a typeless entry', JSON.stringify({ model: 'm', messages: msgs, input: 'x', tools: [{ function: { name: 'f' } }] })],
  ['plain text that is not JSON', 'hello', { 'content-type': 'text/plain' }],
  ['form encoded', 'model=m&input=x', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['multipart', '--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nm\r\n--b--', { 'content-type': 'multipart/form-data; boundary=b' }],
  ['no content type, not JSON', 'model=m', {}],
];

const CHAT_ONLY: Case[] = [
  ['messages missing', JSON.stringify({ model: 'm' })],
  ['messages null', JSON.stringify({ model: 'm', messages: null })],
  ['messages a string', JSON.stringify({ model: 'm', messages: 'hi' })],
  ['messages an object', JSON.stringify({ model: 'm', messages: { role: 'user', content: 'hi' } })],
  ['messages empty', JSON.stringify({ model: 'm', messages: [] })],
  ['a message null', JSON.stringify({ model: 'm', messages: [null] })],
  ['a message a string', JSON.stringify({ model: 'm', messages: ['hi'] })],
  ['a message without role', JSON.stringify({ model: 'm', messages: [{ content: 'hi' }] })],
  ['a message with content a number', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 5 }] })],
  ['a message with content an object', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: { text: 'hi' } }] })],
  ['temperature a string', JSON.stringify({ model: 'm', messages: msgs, temperature: 'warm' })],
  ['max_tokens negative', JSON.stringify({ model: 'm', messages: msgs, max_tokens: -5 })],
  ['n a float', JSON.stringify({ model: 'm', messages: msgs, n: 1.5 })],
  ['stream_options a string', JSON.stringify({ model: 'm', messages: msgs, stream: true, stream_options: 'usage' })],
];

const RESPONSES_ONLY: Case[] = [
  ['input a number', JSON.stringify({ model: 'm', input: 42 })],
  ['input an object', JSON.stringify({ model: 'm', input: { text: 'hi' } })],
  ['input true', JSON.stringify({ model: 'm', input: true })],
  ['text a string', JSON.stringify({ model: 'm', input: 'x', text: 'plain' })],
  ['max_output_tokens a string', JSON.stringify({ model: 'm', input: 'x', max_output_tokens: 'lots' })],
];

const EMBEDDINGS_ONLY: Case[] = [
  ['input missing', JSON.stringify({ model: 'm' })],
  ['input null', JSON.stringify({ model: 'm', input: null })],
  ['input a number', JSON.stringify({ model: 'm', input: 5 })],
  ['input an object', JSON.stringify({ model: 'm', input: { text: 'x' } })],
  ['input empty', JSON.stringify({ model: 'm', input: '' })],
  ['encoding_format unknown', JSON.stringify({ model: 'm', input: 'x', encoding_format: 'hex' })],
  ['dimensions zero', JSON.stringify({ model: 'm', input: 'x', dimensions: 0 })],
];

/** Cases about fields the embeddings API does not have are not errors there. */
const FOR_EMBEDDINGS = COMMON.filter(([name]) => !/^(stream|tools) /.test(name));

describe('robustness', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    gw = await startGateway(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-x, api_base: "${upstream.url}/v1", api_key: sk-x }
`);
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  afterEach(() => {
    // Nothing malformed may be forwarded.
    const forwarded = upstream.requests.map((r) => JSON.stringify(r.body).slice(0, 200));
    upstream.reset();
    expect(forwarded).toEqual([]);
  });

  const expect4xx = (reply: RawReply) => {
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.headers['x-request-id']).toBeTruthy();
    const error = expectOpenAiError(JSON.parse(reply.text));
    expect(error.type).toBe('invalid_request_error');
    // Never a parser's internals or a stack.
    expect(error.message).not.toMatch(/\n\s+at |node_modules|\/src\//);
    return error;
  };

  describe.each([
    ['/v1/chat/completions', [...COMMON, ...CHAT_ONLY]],
    ['/chat/completions', COMMON],
    ['/v1/responses', [...COMMON, ...RESPONSES_ONLY]],
    ['/responses', COMMON],
    ['/v1/embeddings', [...FOR_EMBEDDINGS, ...EMBEDDINGS_ONLY]],
    ['/embeddings', FOR_EMBEDDINGS],
  ] as [string, Case[]][])('%s', (path, cases) => {
    it.each(cases)('%s → 4xx', async (_name, body, headers = JSON_CT) => {
      expect4xx(await send(`${gw.url}${path}`, body, headers));
    });
  });

  it('specific statuses: 415 for multipart, 400 for bad JSON whatever the declared type', async () => {
    const multipart = await send(`${gw.url}/v1/chat/completions`, '{}', { 'content-type': 'multipart/form-data; boundary=b' });
    expect(multipart.status).toBe(415);
    const formBadJson = await send(`${gw.url}/v1/chat/completions`, 'model=m', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(formBadJson.status).toBe(400);
    const badJson = await send(`${gw.url}/v1/chat/completions`, '{', JSON_CT);
    expect(badJson.status).toBe(400);
  });

  it('a validation error names the offending field in param', async () => {
    const reply = await send(`${gw.url}/v1/chat/completions`, JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'robot' }] }), JSON_CT);
    expect(expect4xx(reply).param).toBe('messages[1].role');
  });

  it('an oversized body (declared length) → 413', async () => {
    const big = Buffer.alloc(21 * 1024 * 1024, 0x61);
    const reply = await send(`${gw.url}/v1/chat/completions`, big, { 'content-type': 'application/json', 'content-length': big.length });
    expect(reply.status).toBe(413);
    expect4xx(reply);
  });

  it('an oversized chunked body (no declared length) → 413', async () => {
    const reply = await new Promise<RawReply>((resolve, reject) => {
      const req = http.request(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 22) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(reply.status).toBe(413);
    expect4xx(reply);
  });

  it.each([
    ['/v1/chat/completions', { model: 'm', messages: msgs, stream: null, temperature: null }],
    ['/v1/responses', { model: 'm', input: null, stream: null }],
  ])('%s: null where OpenAI allows it is accepted and forwarded as sent', async (path, body) => {
    const reply = await send(`${gw.url}${path}`, JSON.stringify(body), JSON_CT);
    expect(reply.status).toBe(200);
    expect(upstream.last().body).toEqual({ ...body, model: 'gpt-x' });
    upstream.reset();
  });

  it('a megabyte of message content is not an error: it is forwarded as sent', async () => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'x', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: MB }] });
    expect(completion.choices[0].message.content).toBe('Hello from the fake upstream');
    expect(upstream.last().body.messages[0].content).toHaveLength(MB.length);
    upstream.reset();
  });

  it('unknown methods and paths are OpenAI-shaped 404s', async () => {
    for (const [method, path] of [
      ['GET', '/v1/chat/completions'],
      ['PUT', '/v1/responses'],
      ['POST', '/v1/completions-that-do-not-exist'],
      ['GET', '/'],
    ]) {
      const reply = await send(`${gw.url}${path}`, method === 'GET' ? undefined : '{}', JSON_CT, method);
      expect(reply.status).toBe(404);
      expectOpenAiError(JSON.parse(reply.text));
    }
  });

  it('after the barrage the gateway still serves normal requests, streaming too', async () => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'x', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.model).toBe('m');
    let text = '';
    for await (const chunk of await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hello!');
    const response = await client.responses.create({ model: 'm', input: 'hi' });
    expect(response.output_text).toBe('Hello from the fake upstream');
    const embedding = await client.embeddings.create({ model: 'm', input: ['a', 'b'] });
    expect(embedding.data).toHaveLength(2);
    expect(upstream.requests).toHaveLength(4);
    upstream.reset();
  });
});
