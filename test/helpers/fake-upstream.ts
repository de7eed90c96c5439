import http from 'node:http';
import { closeServer, listenLoopback, serverUrl, waitForAborts } from './loopback-server.js';

/**
 * A fake OpenAI-compatible provider: a real node:http server on 127.0.0.1 that records what it
 * receives and answers like the real thing. Like OpenRouter, it rejects model ids that still
 * carry a gateway provider prefix, so a prefix leak fails the test the way it fails in production.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string without '?', e.g. `api-version=2024-10-21` ('' when none). */
  query: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A scripted answer for the next request(s); overrides the default behaviour. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body (object) or raw text. */
  body?: unknown;
  /** SSE events to send (each a data payload; objects are JSON-encoded), then end. */
  sse?: (string | object)[];
  /** Wait before answering. */
  delayMs?: number;
  /** Delay between SSE events. */
  chunkDelayMs?: number;
  /** Never answer (the socket stays open until the client gives up). */
  hang?: boolean;
  /** Destroy the socket after sending this many SSE events. */
  resetAfterEvents?: number;
  /** Destroy the socket without any response. */
  reset?: boolean;
  /** For SSE: send the headers at once, then wait this long before the first event (slow first byte). */
  firstEventDelayMs?: number;
}

/** Requests being answered right now, and the most seen at once; may be shared by several fakes. */
export interface ConcurrencyGauge {
  current: number;
  peak: number;
}

export const PROVIDER_PREFIXES = [
  'openai/', 'openrouter/', 'azure/', 'anthropic/', 'groq/', 'together_ai/', 'mistral/', 'deepseek/',
  'xai/', 'fireworks_ai/', 'hosted_vllm/', 'ollama/',
];

export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  /** Sockets closed by the client before the reply finished (abort propagation checks). */
  clientAborts = 0;
  private readonly script: ScriptedReply[] = [];
  /** When set, every request without a queued reply gets this one (a persistently faulty deployment). */
  always?: ScriptedReply;
  private server!: http.Server;
  /** Models whose ids are accepted even with a prefix-like shape (e.g. OpenRouter's openai/gpt-4o). */
  rejectPrefixes: string[];
  /** When set, a request with any other Authorization header gets a 401, as a provider or an auth proxy answers (kept by reset()). */
  requireAuthorization?: string;
  /** Like requireAuthorization, for other headers (lower-case names): a 401 unless each has exactly this value. */
  requireHeaders?: Record<string, string>;
  readonly gauge: ConcurrencyGauge;

  private constructor(options: { rejectPrefixes?: string[]; gauge?: ConcurrencyGauge }) {
    this.rejectPrefixes = options.rejectPrefixes ?? ['openrouter/'];
    this.gauge = options.gauge ?? { current: 0, peak: 0 };
  }

  static async start(options: { rejectPrefixes?: string[]; gauge?: ConcurrencyGauge } = {}): Promise<FakeUpstream> {
    const fake = new FakeUpstream(options);
    fake.server = await listenLoopback((req, res) => void fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return serverUrl(this.server);
  }

  /** Queue replies; each request consumes one, then defaults resume. */
  enqueue(...replies: ScriptedReply[]): this {
    this.script.push(...replies);
    return this;
  }

  last(): RecordedRequest {
    return this.requests[this.requests.length - 1];
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
    this.clientAborts = 0;
    this.always = undefined;
  }

  /** Resolves once the gateway has closed at least n sockets early; rejects after timeoutMs. */
  waitForClientAborts(n = 1, timeoutMs = 2000): Promise<void> {
    return waitForAborts(() => this.clientAborts, n, timeoutMs);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.gauge.current++;
    this.gauge.peak = Math.max(this.gauge.peak, this.gauge.current);
    res.once('close', () => this.gauge.current--);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the raw text */
    }
    const path = (req.url ?? '/').split('?')[0];
    const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    this.requests.push({ method: req.method ?? 'GET', path, query, headers: req.headers, body });
    res.on('close', () => {
      if (!res.writableFinished) this.clientAborts++;
    });

    const missing = Object.entries(this.requireHeaders ?? {}).some(([name, value]) => req.headers[name] !== value);
    if (missing || (this.requireAuthorization !== undefined && req.headers.authorization !== this.requireAuthorization)) {
      return this.reply(res, { status: 401, body: { error: { message: 'missing or wrong credentials', type: 'authentication_error' } } });
    }
    const scripted = this.script.shift() ?? this.always;
    if (scripted) return this.reply(res, scripted);

    const model = body?.model;
    if (typeof model === 'string' && this.rejectPrefixes.some((p) => model.startsWith(p))) {
      return this.reply(res, { status: 400, body: { error: { message: `${model} is not a valid model ID`, code: 400 } } });
    }
    if (path.endsWith('/chat/completions')) return this.reply(res, body?.stream ? chatStream(model) : { body: chatCompletion(model) });
    if (path.endsWith('/responses')) return this.reply(res, body?.stream ? responsesStream(model) : { body: responseObject(model) });
    if (path.endsWith('/embeddings')) return this.reply(res, { body: embeddings(model, body?.input) });
    return this.reply(res, { status: 404, body: { error: { message: `no route ${path}`, type: 'invalid_request_error' } } });
  }

  private async reply(res: http.ServerResponse, r: ScriptedReply): Promise<void> {
    if (r.delayMs) await sleep(r.delayMs);
    if (r.hang) return;
    if (r.reset) {
      res.socket?.destroy();
      return;
    }
    if (r.sse) {
      res.writeHead(r.status ?? 200, { 'content-type': 'text/event-stream', ...(r.headers ?? {}) });
      if (r.firstEventDelayMs !== undefined) {
        res.flushHeaders();
        await sleepUnlessClosed(r.firstEventDelayMs, res);
      }
      let sent = 0;
      for (const e of r.sse) {
        if (r.resetAfterEvents !== undefined && sent >= r.resetAfterEvents) {
          res.socket?.destroy();
          return;
        }
        if (res.destroyed) return;
        res.write(typeof e === 'string' && e.startsWith('event:') ? `${e}\n\n` : `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`);
        sent++;
        if (r.chunkDelayMs) await sleepUnlessClosed(r.chunkDelayMs, res);
      }
      res.end();
      return;
    }
    const payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {});
    res.writeHead(r.status ?? 200, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json', ...(r.headers ?? {}) });
    res.end(payload);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A delay that ends early when the peer closed the response, so no timer outlives the test. */
function sleepUnlessClosed(ms: number, res: http.ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

export function chatCompletion(model: string, content = 'Hello from the fake upstream'): object {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
  };
}

export function chatStream(model: string, pieces = ['Hel', 'lo', '!']): ScriptedReply {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1700000000, model };
  return {
    sse: [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      ...pieces.map((p) => ({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })),
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      '[DONE]',
    ],
  };
}

export function responseObject(model: string, text = 'Hello from the fake upstream'): any {
  return {
    id: 'resp_fake',
    object: 'response',
    created_at: 1700000000,
    status: 'completed',
    model,
    output: [
      {
        type: 'message',
        id: 'msg_fake',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
    ],
    usage: { input_tokens: 5, output_tokens: 6, total_tokens: 11 },
  };
}

export function responsesStream(model: string): ScriptedReply {
  const done = responseObject(model, 'Hello');
  const inProgress = { ...done, status: 'in_progress', output: [] };
  const item = done.output[0];
  const events = [
    { type: 'response.created', sequence_number: 0, response: inProgress },
    { type: 'response.in_progress', sequence_number: 1, response: inProgress },
    { type: 'response.output_item.added', sequence_number: 2, output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', sequence_number: 3, output_index: 0, content_index: 0, item_id: 'msg_fake', part: { type: 'output_text', text: '', annotations: [] } },
    { type: 'response.output_text.delta', sequence_number: 4, output_index: 0, content_index: 0, item_id: 'msg_fake', delta: 'Hel' },
    { type: 'response.output_text.delta', sequence_number: 5, output_index: 0, content_index: 0, item_id: 'msg_fake', delta: 'lo' },
    { type: 'response.output_text.done', sequence_number: 6, output_index: 0, content_index: 0, item_id: 'msg_fake', text: 'Hello' },
    { type: 'response.content_part.done', sequence_number: 7, output_index: 0, content_index: 0, item_id: 'msg_fake', part: { type: 'output_text', text: 'Hello', annotations: [] } },
    { type: 'response.output_item.done', sequence_number: 8, output_index: 0, item },
    { type: 'response.completed', sequence_number: 9, response: done },
  ];
  return { sse: events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}`) };
}

export function embeddings(model: string, input: unknown): object {
  const inputs = Array.isArray(input) ? input : [input];
  return {
    object: 'list',
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
    model,
    usage: { prompt_tokens: 3, total_tokens: 3 },
  };
}
