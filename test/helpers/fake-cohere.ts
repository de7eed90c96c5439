import http from 'node:http';
import { closeServer, serverUrl } from './loopback-server.js';

/**
 * Fake Cohere v2 (chat, embed, rerank) and Voyage AI (embeddings, rerank) servers: real
 * node:http servers on 127.0.0.1. They record requests, check them as the real APIs do (Bearer
 * key, required fields, no unknown top-level fields, tool results answering a tool call) and
 * answer errors in each provider's shape (`{"message": …}` for Cohere, `{"detail": …}` for
 * Voyage), so a translation mistake fails the test the way it would fail in production.
 */

export interface RecordedCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface FakeCohereMessage {
  text?: string;
  thinking?: string;
  tool_calls?: { id: string; name: string; arguments: string }[];
  finish_reason?: string;
  usage?: Record<string, unknown>;
  /** message-end delta.error (stream only). */
  error?: string;
}

export type FakeReply =
  | { message: FakeCohereMessage }
  | { status: number; message: string; headers?: Record<string, string> }
  /** Raw SSE data payloads (objects JSON-encoded), sent with `event:` lines named after their type. */
  | { events: unknown[] };

const CHAT_FIELDS = new Set([
  'model', 'messages', 'stream', 'tools', 'strict_tools', 'documents', 'citation_options', 'response_format', 'safety_mode',
  'max_tokens', 'stop_sequences', 'temperature', 'seed', 'frequency_penalty', 'presence_penalty', 'k', 'p', 'logprobs',
  'tool_choice', 'thinking', 'priority',
]);
const EMBED_FIELDS = new Set(['model', 'texts', 'images', 'inputs', 'input_type', 'embedding_types', 'output_dimension', 'truncate', 'max_tokens']);
const RERANK_FIELDS = new Set(['model', 'query', 'documents', 'top_n', 'max_tokens_per_doc', 'priority']);
const VOYAGE_EMBED_FIELDS = new Set(['model', 'input', 'input_type', 'truncation', 'output_dimension', 'output_dtype', 'encoding_format']);
const VOYAGE_RERANK_FIELDS = new Set(['model', 'query', 'documents', 'top_k', 'return_documents', 'truncation']);

abstract class FakeServer {
  readonly requests: RecordedCall[] = [];
  protected readonly script: FakeReply[] = [];
  /** When set, every request without a queued reply gets this one. */
  always?: FakeReply;
  private server!: http.Server;

  constructor(readonly apiKey: string) {}

  protected async listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.receive(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return serverUrl(this.server);
  }

  enqueue(...replies: FakeReply[]): this {
    this.script.push(...replies);
    return this;
  }

  last(): RecordedCall {
    return this.requests[this.requests.length - 1];
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
    this.always = undefined;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  protected abstract handle(path: string, body: any, res: http.ServerResponse): void;
  protected abstract sendError(res: http.ServerResponse, status: number, message: string, headers?: Record<string, string>): void;

  protected next(): FakeReply | undefined {
    return this.script.shift() ?? this.always;
  }

  private async receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const path = (req.url ?? '/').split('?')[0];
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return this.sendError(res, 401, 'invalid api token');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return this.sendError(res, 400, 'invalid request: body must be a JSON object');
    this.handle(path, body, res);
  }
}

export class FakeCohere extends FakeServer {
  static async start(apiKey = 'co-test-key'): Promise<FakeCohere> {
    const fake = new FakeCohere(apiKey);
    await fake.listen();
    return fake;
  }

  protected handle(path: string, body: any, res: http.ServerResponse): void {
    const fields = path === '/v2/chat' ? CHAT_FIELDS : path === '/v2/embed' ? EMBED_FIELDS : path === '/v2/rerank' ? RERANK_FIELDS : undefined;
    if (!fields) return this.sendError(res, 404, `no route for ${path}`);
    const unknown = Object.keys(body).find((k) => !fields.has(k));
    if (unknown) return this.sendError(res, 400, `invalid request: unknown field: parameter ${unknown} is not a valid field`);
    if (typeof body.model !== 'string' || !body.model) return this.sendError(res, 400, 'invalid request: model must be a string');
    const reply = this.next();
    if (reply && 'status' in reply) return this.sendError(res, reply.status, reply.message, reply.headers);
    if (path === '/v2/embed') return this.embed(body, res);
    if (path === '/v2/rerank') return this.rerank(body, res);
    const problem = checkChat(body);
    if (problem) return this.sendError(res, 400, `invalid request: ${problem}`);
    if (reply && 'events' in reply) return sendEvents(res, reply.events);
    const message = reply && 'message' in reply ? reply.message : echo(body);
    if (body.stream === true) return sendEvents(res, streamEvents(message));
    sendJson(res, fullResponse(message));
  }

  protected sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ id: 'err-fake', message }));
  }

  private embed(body: any, res: http.ServerResponse): void {
    if (!Array.isArray(body.texts) || !body.texts.every((t: unknown) => typeof t === 'string')) return this.sendError(res, 400, 'invalid request: texts must be strings');
    if (!body.input_type) return this.sendError(res, 400, 'invalid request: valid input_type must be provided with the provided model');
    const dims = body.output_dimension ?? 3;
    sendJson(res, {
      id: 'embed-fake',
      texts: body.texts,
      embeddings: { float: body.texts.map((t: string, i: number) => vector(t, i, dims)) },
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: body.texts.length * 4 } },
      response_type: 'embeddings_by_type',
    });
  }

  private rerank(body: any, res: http.ServerResponse): void {
    if (typeof body.query !== 'string' || !Array.isArray(body.documents) || !body.documents.every((d: unknown) => typeof d === 'string')) {
      return this.sendError(res, 400, 'invalid request: query must be a string and documents a list of strings');
    }
    sendJson(res, {
      id: 'rerank-fake',
      results: ranked(body.query, body.documents, body.top_n),
      meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } },
    });
  }
}

export class FakeVoyage extends FakeServer {
  static async start(apiKey = 'pa-voyage-key'): Promise<FakeVoyage> {
    const fake = new FakeVoyage(apiKey);
    await fake.listen();
    return fake;
  }

  protected handle(path: string, body: any, res: http.ServerResponse): void {
    const fields = path === '/v1/embeddings' ? VOYAGE_EMBED_FIELDS : path === '/v1/rerank' ? VOYAGE_RERANK_FIELDS : undefined;
    if (!fields) return this.sendError(res, 404, `Not Found`);
    const unknown = Object.keys(body).find((k) => !fields.has(k));
    if (unknown) return this.sendError(res, 400, `Unknown field: ${unknown}`);
    const reply = this.next();
    if (reply && 'status' in reply) return this.sendError(res, reply.status, reply.message, reply.headers);
    if (path === '/v1/rerank') {
      const data = ranked(body.query, body.documents, body.top_k);
      return sendJson(res, { object: 'list', data, model: body.model, usage: { total_tokens: 17 } });
    }
    const input: string[] = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(input) || !input.every((t) => typeof t === 'string')) return this.sendError(res, 400, 'input must be a string or a list of strings');
    const dims = body.output_dimension ?? 4;
    // Out of order on purpose: clients (and the gateway) must order by index.
    const data = input.map((t, i) => ({ object: 'embedding', embedding: vector(t, i, dims), index: i })).reverse();
    sendJson(res, { object: 'list', data, model: body.model, usage: { total_tokens: input.length * 5 } });
  }

  protected sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ detail: message }));
  }
}

/** A deterministic vector per text: its length, its position, then halves. */
export function vector(text: string, index: number, dims: number): number[] {
  return Array.from({ length: dims }, (_, d) => (d === 0 ? text.length : d === 1 ? index : 1 / 2 ** d));
}

/** Scores each document by the share of the query's words it contains; best first. */
function ranked(query: string, documents: string[], top?: number): { index: number; relevance_score: number }[] {
  const words = query.toLowerCase().split(/\W+/).filter(Boolean);
  const scored = documents.map((d, index) => {
    const text = d.toLowerCase();
    const hits = words.filter((w) => text.includes(w)).length;
    return { index, relevance_score: Math.round((hits / Math.max(1, words.length) + 0.001 * (documents.length - index)) * 1000) / 1000 };
  });
  scored.sort((a, b) => b.relevance_score - a.relevance_score);
  return typeof top === 'number' ? scored.slice(0, top) : scored;
}

/** What the real API refuses: roles, tool messages without a matching call, assistant turns with nothing in them. */
function checkChat(body: any): string | undefined {
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages must be a non-empty list';
  const calls = new Set<string>();
  for (const [i, m] of body.messages.entries()) {
    if (!['system', 'user', 'assistant', 'tool'].includes(m.role)) return `messages[${i}].role '${m.role}' is invalid`;
    if (m.role === 'assistant') {
      if (m.content === undefined && !m.tool_calls?.length) return `messages[${i}] needs content or tool_calls`;
      for (const c of m.tool_calls ?? []) {
        if (typeof c.function?.arguments !== 'string') return `messages[${i}].tool_calls arguments must be a string`;
        calls.add(c.id);
      }
    } else if (m.role === 'tool') {
      if (!calls.has(m.tool_call_id)) return `messages[${i}].tool_call_id '${m.tool_call_id}' does not answer a tool call`;
    } else if (m.content === undefined) {
      return `messages[${i}].content is required`;
    }
  }
  for (const [i, t] of (body.tools ?? []).entries()) {
    if (t.type !== 'function' || typeof t.function?.name !== 'string' || typeof t.function?.parameters !== 'object') return `tools[${i}] is invalid`;
  }
  if (body.tool_choice !== undefined && !['REQUIRED', 'NONE'].includes(body.tool_choice)) return 'tool_choice must be REQUIRED or NONE';
  return undefined;
}

/** The default model: calls the first tool for a user turn when tools are offered, reports tool results, else echoes. */
function echo(body: any): FakeCohereMessage {
  const last = body.messages[body.messages.length - 1];
  const text = (c: unknown): string => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((b: any) => b.text ?? '').join('') : '');
  if (last.role === 'tool') {
    const results = body.messages.filter((m: any) => m.role === 'tool').map((m: any) => text(m.content));
    return { text: `The tools said: ${results.join('; ')}` };
  }
  if (body.tools?.length && body.tool_choice !== 'NONE') {
    const tool = body.tools[0].function;
    return { tool_calls: [{ id: 'call_fake_1', name: tool.name, arguments: JSON.stringify({ city: text(last.content) }) }] };
  }
  return { text: `Echo: ${text(last.content)}` };
}

function usageOf(m: FakeCohereMessage): Record<string, unknown> {
  return m.usage ?? { billed_units: { input_tokens: 11, output_tokens: 7 }, tokens: { input_tokens: 250, output_tokens: 9 } };
}

function finishOf(m: FakeCohereMessage): string {
  return m.finish_reason ?? (m.tool_calls?.length ? 'TOOL_CALL' : 'COMPLETE');
}

export function fullResponse(m: FakeCohereMessage): any {
  const content: any[] = [];
  if (m.thinking) content.push({ type: 'thinking', thinking: m.thinking });
  if (m.text !== undefined) content.push({ type: 'text', text: m.text });
  const message: any = { role: 'assistant', content };
  if (m.tool_calls?.length) {
    message.tool_plan = 'I will call the tool.';
    message.tool_calls = m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return { id: 'chat-fake-1', message, finish_reason: finishOf(m), usage: usageOf(m) };
}

/** A message as Cohere streams it, text and tool arguments in several deltas. */
export function streamEvents(m: FakeCohereMessage): unknown[] {
  const events: unknown[] = [];
  events.push({ id: 'chat-fake-1', type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } });
  let index = 0;
  if (m.thinking) {
    events.push({ type: 'content-start', index, delta: { message: { content: { type: 'thinking', thinking: '' } } } });
    for (const piece of pieces(m.thinking)) events.push({ type: 'content-delta', index, delta: { message: { content: { thinking: piece } } } });
    events.push({ type: 'content-end', index });
    index++;
  }
  if (m.tool_calls?.length) {
    events.push({ type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will call the tool.' } } });
    m.tool_calls.forEach((c, i) => {
      events.push({ type: 'tool-call-start', index: i, delta: { message: { tool_calls: { id: c.id, type: 'function', function: { name: c.name, arguments: '' } } } } });
      for (const piece of pieces(c.arguments)) events.push({ type: 'tool-call-delta', index: i, delta: { message: { tool_calls: { function: { arguments: piece } } } } });
      events.push({ type: 'tool-call-end', index: i });
    });
  }
  if (m.text !== undefined) {
    events.push({ type: 'content-start', index, delta: { message: { content: { type: 'text', text: '' } } } });
    for (const piece of pieces(m.text)) events.push({ type: 'content-delta', index, delta: { message: { content: { text: piece } } } });
    events.push({ type: 'content-end', index });
  }
  const delta: any = { finish_reason: finishOf(m), usage: usageOf(m) };
  if (m.error) delta.error = m.error;
  events.push({ type: 'message-end', delta });
  return events;
}

function pieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sendJson(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendEvents(res: http.ServerResponse, events: unknown[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) {
    const type = typeof e === 'object' && e !== null ? (e as { type?: string }).type : undefined;
    res.write(`${type ? `event: ${type}\n` : ''}data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`);
  }
  res.end();
}
