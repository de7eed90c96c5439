import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import type { SseEvent, UpstreamCallContext } from './provider-adapter.js';
import { MAX_SSE_EVENT_CHARS, MAX_UPSTREAM_BODY_BYTES, postJson, postStream } from './upstream-http.js';

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
