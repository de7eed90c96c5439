import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import type { SseEvent, UpstreamCallContext } from './provider-adapter.js';
import { MAX_SSE_EVENT_CHARS, MAX_UPSTREAM_BODY_BYTES, postJson, postStream, type UpstreamRequest } from './upstream-http.js';

/** A real node:http upstream on a random loopback port; each test sets its handler. */
let handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
const seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    seen.push({ headers: req.headers, body });
    handler(req, res, body);
  });
});
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => (seen.length = 0));

function ctx(overrides: Partial<UpstreamCallContext> = {}): UpstreamCallContext {
  return { signal: new AbortController().signal, requestId: 'r1', timeoutMs: 2000, streamIdleTimeoutMs: 2000, ...overrides };
}

const req = (path = '/v1/chat/completions', headers: Record<string, string> = {}) => ({
  provider: 'openai',
  url: `${base}${path}`,
  headers: { authorization: 'Bearer sk-upstream-secret', ...headers },
  body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
  secrets: ['sk-upstream-secret'],
});

async function collect(events: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('upstream-http (node:http client)', () => {
  it('sends the JSON body with content headers and decodes a gzip answer', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(JSON.stringify({ id: 'x', choices: [] })));
    };
    expect(await postJson(req(), ctx())).toEqual({ id: 'x', choices: [] });
    expect(JSON.parse(seen[0].body)).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(seen[0].headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer sk-upstream-secret' });
    expect(seen[0].headers['accept-encoding']).toContain('gzip');
  });

  it('decodes a brotli event stream and keeps event names', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'br' });
      res.end(zlib.brotliCompressSync('event: a\ndata: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n'));
    };
    const stream = await postStream(req(), ctx());
    expect(await collect(stream.events)).toEqual([{ event: 'a', data: '{"n":1}' }, { data: '{"n":2}' }, { data: '[DONE]' }]);
  });

  it('delivers every event of a burst read, in order', async () => {
    const n = 300;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(Array.from({ length: n }, (_, i) => `data: {"i":${i}}\n\n`).join(''));
    };
    const stream = await postStream(req(), ctx());
    const events = await collect(stream.events);
    expect(events.map((e) => JSON.parse(e.data).i)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('does not follow redirects: a 3xx is an upstream error', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: `${base}/elsewhere` });
      res.end();
    };
    const err = await rejection(postJson(req(), ctx()));
    expect(err.code).toBe(ErrorCode.UpstreamError);
    expect(err.upstreamStatus).toBe(302);
    expect(seen).toHaveLength(1);
  });

  it('maps a 4xx with the upstream message, keys redacted, and Retry-After', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify({ error: { message: 'slow down, sk-upstream-secret', type: 'rate_limit' } }));
    };
    const err = await rejection(postJson(req(), ctx()));
    expect(err.code).toBe(ErrorCode.UpstreamRejected);
    expect(err.retryAfterSeconds).toBe(7);
    expect(err.message).toContain('slow down');
    expect(err.message).not.toContain('sk-upstream-secret');
  });

  it('times out a JSON call that gets no answer', async () => {
    handler = () => undefined; // never answers
    const err = await rejection(postJson(req(), ctx({ timeoutMs: 150 })));
    expect(err.code).toBe(ErrorCode.UpstreamTimeout);
  });

  it('times out a stream that goes silent, and reports a connection failure', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n'); // then silence
    };
    const stream = await postStream(req(), ctx({ streamIdleTimeoutMs: 150 }));
    const err = await rejection(collect(stream.events));
    expect(err.code).toBe(ErrorCode.UpstreamTimeout);

    const closed = await rejection(postJson({ ...req(), url: 'http://127.0.0.1:1/v1/chat/completions' }, ctx()));
    expect(closed.code).toBe(ErrorCode.UpstreamError);
    expect(closed.message).toContain('Could not reach upstream provider openai');
  });

  it('an in-band error as the first stream event is thrown like the non-2xx it stands for, keys redacted', async () => {
    const replies = [
      'data: {"error":{"message":"Rate limit exceeded upstream for sk-upstream-secret","code":429}}\n\ndata: [DONE]\n\n',
      'data: { "error": {"message": "backend crashed", "code": "server_error"}}\n\n',
      'data: {"error":{"message":"unavailable","status":503}}\n\n',
    ];
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(replies.shift());
    };
    const limited = await rejection(postStream(req(), ctx()).then((s) => collect(s.events)));
    expect(limited.code).toBe(ErrorCode.UpstreamRejected);
    expect(limited.upstreamStatus).toBe(429);
    expect(limited.message).toContain('Rate limit exceeded upstream');
    expect(limited.message).not.toContain('sk-upstream-secret');

    const crashed = await rejection(postStream(req(), ctx()).then((s) => collect(s.events)));
    expect(crashed.code).toBe(ErrorCode.UpstreamError);
    expect(crashed.upstreamStatus).toBe(502);
    expect(crashed.message).toContain('backend crashed');

    const unavailable = await rejection(postStream(req(), ctx()).then((s) => collect(s.events)));
    expect(unavailable.upstreamStatus).toBe(503);
  });

  it('an in-band error after ordinary chunks ends the stream there; chunks that merely carry error:null pass', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"n":1}\n\ndata: {"error":null,"choices":[]}\n\ndata: {"error":{"message":"mid-stream failure","code":500}}\n\ndata: [DONE]\n\n');
    };
    const stream = await postStream(req(), ctx());
    const seenEvents: SseEvent[] = [];
    const err = await rejection(
      (async () => {
        for await (const e of stream.events) seenEvents.push(e);
      })(),
    );
    expect(seenEvents).toEqual([{ data: '{"n":1}' }, { data: '{"error":null,"choices":[]}' }]);
    expect(err.code).toBe(ErrorCode.UpstreamError);
    expect(err.upstreamStatus).toBe(500);
    expect(err.message).toContain('mid-stream failure');
  });

  describe('in-band error shapes', () => {
    const chunkBase = '"id":"gen-1","object":"chat.completion.chunk","created":1700000000,"model":"m","provider":"SomeHost"';
    const chunk = (content: string, finish: string | null = null) =>
      `{${chunkBase},"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}`;
    const openRouterError = (code: number | string, message: string) =>
      `{${chunkBase},"error":{"code":${JSON.stringify(code)},"message":${JSON.stringify(message)},"metadata":{"raw":"sk-upstream-secret"}},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}`;

    /** Serves `sse` (raw SSE text) and returns the events read before the stream failed, and the failure. */
    async function outcome(sse: string, request: UpstreamRequest = req()): Promise<{ events: SseEvent[]; err?: GatewayError }> {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(sse);
      };
      const events: SseEvent[] = [];
      try {
        const stream = await postStream(request, ctx());
        for await (const e of stream.events) events.push(e);
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        return { events, err };
      }
      return { events };
    }

    it('OpenRouter: an error beside choices (finish_reason "error") is an error first or mid-stream, message redacted', async () => {
      const first = await outcome(`data: ${openRouterError(502, 'Provider returned error for sk-upstream-secret')}\n\ndata: [DONE]\n\n`);
      expect(first.events).toEqual([]);
      expect(first.err).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 502 });
      expect(first.err!.message).toContain('Provider returned error for [redacted]');
      expect(first.err!.message).not.toContain('sk-upstream-secret');

      const mid = await outcome(`data: ${chunk('Hel')}\n\ndata: ${chunk('lo')}\n\ndata: ${openRouterError('server_error', 'Provider disconnected')}\n\ndata: [DONE]\n\n`);
      expect(mid.events.map((e) => JSON.parse(e.data).choices[0].delta.content)).toEqual(['Hel', 'lo']);
      expect(mid.err).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 502 });
      expect(mid.err!.message).toContain('Provider disconnected');

      const limited = await outcome(`data: ${openRouterError(429, 'Rate limited by the provider')}\n\n`);
      expect(limited.err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 429 });
    });

    it('a finish_reason "error" without an error object is a 502', async () => {
      const { events, err } = await outcome(`data: ${chunk('partial')}\n\ndata: ${chunk('', 'error')}\n\ndata: [DONE]\n\n`);
      expect(events).toHaveLength(1);
      expect(err).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 502 });
      expect(err!.message).toContain('finish_reason "error"');
    });

    it('vLLM ErrorResponse ({"object":"error",…}), compact or spaced: status from code', async () => {
      const vllm = '{"object":"error","message":"max_tokens is too large for key sk-upstream-secret","type":"BadRequestError","param":null,"code":400}';
      const first = await outcome(`data: ${vllm}\n\n`);
      expect(first.err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 400, upstreamType: 'BadRequestError' });
      expect(first.err!.message).toContain('max_tokens is too large');
      expect(first.err!.message).not.toContain('sk-upstream-secret');

      const spaced = JSON.stringify(JSON.parse(vllm), null, 1).replace(/\n/g, ' ').replace('"code": 400', '"code": 503');
      const mid = await outcome(`data: ${chunk('a')}\n\ndata: ${spaced}\n\n`);
      expect(mid.events).toHaveLength(1);
      expect(mid.err).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 503 });
    });

    it('Responses API: an error event or response.failed, first or later; string codes map to a status', async () => {
      const created = '{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","error":null,"output":[]}}';
      const errorEvent = '{"type":"error","code":"rate_limit_exceeded","message":"Slow down","param":null,"sequence_number":0}';
      const first = await outcome(`event: error\ndata: ${errorEvent}\n\n`, req('/v1/responses'));
      expect(first.events).toEqual([]);
      expect(first.err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 429, upstreamCode: 'rate_limit_exceeded' });
      expect(first.err!.upstreamType).toBeUndefined();
      expect(first.err!.message).toContain('Slow down');

      // Without the event name, the data alone says it.
      const unnamed = await outcome(`data: ${errorEvent.replace('rate_limit_exceeded', 'server_error')}\n\n`, req('/v1/responses'));
      expect(unnamed.err).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 502 });

      const failed = (code: string) =>
        `{"type":"response.failed","sequence_number":1,"response":{"id":"resp_1","status":"failed","error":{"code":"${code}","message":"The model failed (sk-upstream-secret)"},"output":[]}}`;
      const later = await outcome(`event: response.created\ndata: ${created}\n\nevent: response.failed\ndata: ${failed('server_error')}\n\n`, req('/v1/responses'));
      expect(later.events.map((e) => e.event)).toEqual(['response.created']);
      expect(later.err).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 502 });
      expect(later.err!.message).toContain('The model failed ([redacted])');

      const unnamedFailed = await outcome(`data: ${failed('invalid_prompt')}\n\n`, req('/v1/responses'));
      expect(unnamedFailed.err).toMatchObject({ code: ErrorCode.UpstreamRejected, upstreamStatus: 400 });
    });

    it('an error event whose data is not JSON is a 502 carrying its (redacted) text', async () => {
      const { err } = await outcome('event: error\ndata: backend exploded, key sk-upstream-secret\n\n');
      expect(err).toMatchObject({ code: ErrorCode.UpstreamError, upstreamStatus: 502 });
      expect(err!.message).toContain('backend exploded, key [redacted]');
    });

    it('ordinary events that merely contain "error" pass untouched', async () => {
      const responsesDelta = '{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"error"}';
      const inProgress = '{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","status":"in_progress","error": null,"output":[]}}';
      const sse = [
        chunk('error'),
        chunk('{"error": {"message": "x"}} is what the API sends'),
        `{${chunkBase},"error":null,"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}`,
        `{${chunkBase},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"error","arguments":"{\\"error\\":1}"}}]},"finish_reason":null}]}`,
        responsesDelta,
        inProgress,
        '[DONE]',
      ];
      const { events, err } = await outcome(sse.map((d) => `data: ${d}\n\n`).join(''));
      expect(err).toBeUndefined();
      expect(events.map((e) => e.data)).toEqual(sse);
    });

    it('with inBandErrors off (Anthropic), error events are left to the adapter', async () => {
      const anthropicError = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
      const { events, err } = await outcome(`event: error\ndata: ${anthropicError}\n\n`, { ...req('/v1/messages'), inBandErrors: false });
      expect(err).toBeUndefined();
      expect(events).toEqual([{ event: 'error', data: anthropicError }]);
    });
  });

  it('caps a JSON body at MAX_UPSTREAM_BODY_BYTES and closes the upstream connection', async () => {
    let upstreamClosed!: Promise<void>;
    let sent = 0;
    handler = (_req, res) => {
      upstreamClosed = new Promise((resolve) => res.once('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'application/json' });
      const block = Buffer.alloc(1024 * 1024, 0x20);
      const pump = () => {
        // Endless: only the gateway giving up ends this body.
        while (!res.destroyed) {
          sent += block.length;
          if (!res.write(block)) break;
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('{"pad":"');
      pump();
    };
    const err = await rejection(postJson(req(), ctx({ timeoutMs: 10_000 })));
    expect(err.code).toBe(ErrorCode.UpstreamError);
    expect(err.message).toMatch(/larger than 50 MB/);
    await upstreamClosed;
    expect(sent).toBeGreaterThan(MAX_UPSTREAM_BODY_BYTES);
  });

  it('caps the decoded size, so a small gzip that inflates past the cap is cut off too', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(MAX_UPSTREAM_BODY_BYTES + 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    };
    const err = await rejection(postJson(req(), ctx({ timeoutMs: 10_000 })));
    expect(err.code).toBe(ErrorCode.UpstreamError);
    expect(err.message).toMatch(/larger than 50 MB/);
  });

  it('caps one SSE event at MAX_SSE_EVENT_CHARS: the events before it arrive, then an upstream error', async () => {
    let upstreamClosed!: Promise<void>;
    handler = (_req, res) => {
      upstreamClosed = new Promise((resolve) => res.once('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\ndata: {"pad":"');
      const block = 'x'.repeat(1024 * 1024);
      const pump = () => {
        // Never a line end: without the cap the parser would buffer this forever.
        while (!res.destroyed && res.write(block));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    const stream = await postStream(req(), ctx());
    const seenEvents: SseEvent[] = [];
    const err = await rejection(
      (async () => {
        for await (const e of stream.events) seenEvents.push(e);
      })(),
    );
    expect(seenEvents).toEqual([{ data: '{"n":1}' }]);
    expect(err.code).toBe(ErrorCode.UpstreamError);
    expect(err.message).toMatch(new RegExp(`stream event larger than ${MAX_SSE_EVENT_CHARS / (1024 * 1024)} MB`));
    await upstreamClosed;
  });

  it('a client that goes away mid-stream closes the upstream connection', async () => {
    let upstreamClosed!: Promise<void>;
    handler = (_req, res) => {
      upstreamClosed = new Promise((resolve) => res.once('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n');
    };
    const client = new AbortController();
    const stream = await postStream(req(), ctx({ signal: client.signal }));
    const iterator = stream.events[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ data: '{"n":1}' });
    const pending = iterator.next();
    client.abort();
    const err = await rejection(pending);
    expect(err.message).toBe('The request was cancelled.');
    await upstreamClosed; // resolves only when the upstream saw its connection close
  });
});
