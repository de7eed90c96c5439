import http from 'node:http';
import { closeServer, listenLoopback, serverUrl } from './loopback-server.js';

/**
 * A fake Anthropic Messages API: a real node:http server on 127.0.0.1. It records requests,
 * checks them the way the real API does (required headers, required fields, no unknown
 * fields, tool_use/tool_result pairing, block shapes) and answers 400/401 with Anthropic's
 * error body, so a translation mistake fails the test as it would fail in production.
 */

export interface RecordedAnthropicRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** The request body exactly as received, for byte-for-byte checks. */
  raw: string;
}

export interface FakeMessage {
  id?: string;
  content: any[];
  stop_reason?: string;
  stop_sequence?: string | null;
  usage?: Record<string, number>;
}

/** One scripted answer: a message (served as JSON or as an event stream, as the request asks), an HTTP error, or raw events. */
export type AnthropicReply =
  | { message: FakeMessage }
  | { status: number; error: { type: string; message: string }; headers?: Record<string, string> }
  | { events: [string, unknown][]; /** Destroy the socket after the events instead of ending the response. */ reset?: boolean }
  /** Never answer; the socket stays open until the client goes away. */
  | { hang: true }
  /** Send the head and these events, then wait without ending until the client goes away. */
  | { events: [string, unknown][]; stall: true };

const TOP_LEVEL_FIELDS = new Set([
  'model', 'messages', 'max_tokens', 'system', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream',
  'tools', 'tool_choice', 'metadata', 'thinking', 'service_tier', 'container', 'output_config', 'cache_control',
]);
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export class FakeAnthropic {
  readonly requests: RecordedAnthropicRequest[] = [];
  /** Responses whose connection the client closed before the fake finished them. */
  clientAborts = 0;
  private readonly script: AnthropicReply[] = [];
  private server!: http.Server;

  private constructor(readonly apiKeys: readonly string[]) {}

  static async start(apiKeys: readonly string[] = ['sk-ant-test']): Promise<FakeAnthropic> {
    const fake = new FakeAnthropic(apiKeys);
    fake.server = await listenLoopback((req, res) => void fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return serverUrl(this.server);
  }

  enqueue(...replies: AnthropicReply[]): this {
    this.script.push(...replies);
    return this;
  }

  last(): RecordedAnthropicRequest {
    return this.requests[this.requests.length - 1];
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, raw: text });
    res.once('close', () => {
      if (!res.writableFinished) this.clientAborts++;
    });

    const counting = path === '/v1/messages/count_tokens';
    if (req.method !== 'POST' || (path !== '/v1/messages' && !counting)) return sendError(res, 404, 'not_found_error', 'Not Found');
    const key = req.headers['x-api-key'];
    if (!key) return sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    if (!this.apiKeys.includes(String(key))) return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendError(res, 400, 'invalid_request_error', 'There was an issue with the request body: not a JSON object');
    }
    const problem = validate(counting ? { max_tokens: 1, ...body } : body);
    if (problem) return sendError(res, 400, 'invalid_request_error', problem);
    if (counting) {
      if ('stream' in body || 'max_tokens' in body) return sendError(res, 400, 'invalid_request_error', 'stream: Extra inputs are not permitted');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 1000 + text.length }));
      return;
    }

    const reply = this.script.shift() ?? { message: echo(body) };
    if ('hang' in reply) return;
    if ('status' in reply) return sendError(res, reply.status, reply.error.type, reply.error.message, reply.headers);
    if ('stall' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const [name, data] of reply.events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      return;
    }
    if ('events' in reply) {
      if (!reply.reset) return sendEvents(res, reply.events);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const [name, data] of reply.events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      setTimeout(() => res.destroy(), 20);
      return;
    }
    const message = fullMessage(reply.message, body.model);
    if (body.stream === true) return sendEvents(res, messageEvents(message));
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' });
    res.end(JSON.stringify(message));
  }
}

/**
 * The default model: says what it was told last (or what its tools returned). Forced to call a
 * tool, it calls it as the real API does, with an input built from the tool's schema whose
 * strings echo the last user text.
 */
function echo(body: any): FakeMessage {
  const last = body.messages[body.messages.length - 1];
  const blocks = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
  if (body.tool_choice?.type === 'tool') {
    const tool = body.tools.find((t: any) => t.name === body.tool_choice.name);
    const said = blocks.filter((b: any) => b.type === 'text').map((b: any) => b.text).join(' ');
    return { content: [{ type: 'tool_use', id: 'toolu_fake_forced', name: tool.name, input: sample(tool.input_schema, tool.input_schema, said) }] };
  }
  const results = blocks.filter((b: any) => b.type === 'tool_result');
  if (results.length) {
    const said = results.map((r: any) => (typeof r.content === 'string' ? r.content : (r.content ?? []).map((c: any) => c.text).join(''))).join('; ');
    return { content: [{ type: 'text', text: `The tools said: ${said}` }] };
  }
  const text = blocks.filter((b: any) => b.type === 'text').map((b: any) => b.text).join(' ');
  return { content: [{ type: 'text', text: `Echo: ${text}` }] };
}

/** A value that fits the schema: the first enum value, the echoed text for strings, 42, true, one array item, every property. */
function sample(schema: any, root: any, said: string): unknown {
  if (typeof schema?.$ref === 'string') {
    const path = schema.$ref.replace(/^#\//, '').split('/');
    return sample(path.reduce((node: any, key: string) => node?.[key], root), root, said);
  }
  if (Array.isArray(schema?.enum)) return schema.enum[0];
  if (Array.isArray(schema?.anyOf)) return sample(schema.anyOf[0], root, said);
  switch (Array.isArray(schema?.type) ? schema.type[0] : schema?.type) {
    case 'string':
      return `Echo: ${said}`;
    case 'integer':
    case 'number':
      return 42;
    case 'boolean':
      return true;
    case 'array':
      return [sample(schema.items, root, said)];
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v, root, said)]));
    default:
      return null;
  }
}

export function fullMessage(m: FakeMessage, model: string): any {
  const hasTool = m.content.some((b) => b.type === 'tool_use');
  return {
    id: m.id ?? 'msg_fake01',
    type: 'message',
    role: 'assistant',
    model,
    content: m.content,
    stop_reason: m.stop_reason ?? (hasTool ? 'tool_use' : 'end_turn'),
    stop_sequence: m.stop_sequence ?? null,
    usage: { input_tokens: 21, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...(m.usage ?? {}) },
  };
}

/** A message as the streamed event sequence Anthropic sends, text, thinking and tool input split into several deltas. */
export function messageEvents(message: any): [string, unknown][] {
  const events: [string, unknown][] = [];
  const start = { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } };
  events.push(['message_start', { type: 'message_start', message: start }]);
  events.push(['ping', { type: 'ping' }]);
  message.content.forEach((block: any, index: number) => {
    if (block.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      for (const piece of pieces(block.text)) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }]);
      }
    } else if (block.type === 'thinking') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }]);
      for (const piece of pieces(block.thinking)) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }]);
      }
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature ?? 'sig' } }]);
    } else if (block.type === 'tool_use') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } }]);
      for (const piece of pieces(JSON.stringify(block.input))) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }]);
      }
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push([
    'message_delta',
    { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: { output_tokens: message.usage.output_tokens } },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

function pieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function sendEvents(res: http.ServerResponse, events: [string, unknown][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function sendError(res: http.ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

/** The checks the real API makes that a translation bug would trip; the first problem found, worded like Anthropic. */
function validate(body: any): string | undefined {
  for (const key of Object.keys(body)) if (!TOP_LEVEL_FIELDS.has(key)) return `${key}: Extra inputs are not permitted`;
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (!Number.isInteger(body.max_tokens)) return 'max_tokens: Field required';
  if (body.temperature !== undefined && (body.temperature < 0 || body.temperature > 1)) {
    return 'temperature: Input should be less than or equal to 1';
  }
  if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s: unknown) => typeof s === 'string'))) {
    return 'stop_sequences: Input should be a valid list of strings';
  }
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system) || !body.system.every((b: any) => b?.type === 'text' && typeof b.text === 'string' && b.text)) {
      return 'system: Input should be a valid string or list of text blocks';
    }
  }
  if (body.metadata !== undefined && Object.keys(body.metadata).some((k) => k !== 'user_id')) return 'metadata: Extra inputs are not permitted';
  const toolNames = new Set<string>();
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return 'tools: Input should be a valid list';
    for (const [i, t] of body.tools.entries()) {
      if (typeof t?.name !== 'string' || !t.name) return `tools.${i}.name: Field required`;
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
      if (toolNames.has(t.name)) return 'tools: Tool names must be unique.';
      // Server tools (web_search_20250305, bash_20250124, …) carry a versioned type and no schema.
      if (t.type !== undefined && t.type !== 'custom') {
        toolNames.add(t.name);
        continue;
      }
      if (t.input_schema?.type !== 'object') return `tools.${i}.input_schema: Input should be a valid JSON schema of type object`;
      toolNames.add(t.name);
    }
  }
  if (body.tool_choice !== undefined) {
    const c = body.tool_choice;
    if (!['auto', 'any', 'tool', 'none'].includes(c?.type)) return 'tool_choice: Input tag does not match any of the expected tags';
    if (c.type === 'tool' && !toolNames.has(c.name)) return `tool_choice: tool '${c.name}' not found in tools`;
    const thinking = body.thinking !== undefined && body.thinking.type !== 'disabled';
    if (thinking && (c.type === 'any' || c.type === 'tool')) return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  for (const [i, m] of body.messages.entries()) {
    if (m?.role !== 'user' && m?.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (typeof m.content === 'string') {
      if (!m.content) return `messages.${i}: user messages must have non-empty content`;
      continue;
    }
    if (!Array.isArray(m.content) || m.content.length === 0) return `messages.${i}.content: Input should be a valid list`;
    for (const [j, b] of m.content.entries()) {
      const problem = checkBlock(b, m.role, `messages.${i}.content.${j}`);
      if (problem) return problem;
    }
  }
  return checkToolPairing(body.messages);
}

function checkBlock(b: any, role: string, at: string): string | undefined {
  switch (b?.type) {
    case 'text':
      return typeof b.text === 'string' && b.text ? undefined : `${at}.text: text content blocks must be non-empty`;
    case 'image': {
      if (role !== 'user') return `${at}: image blocks are only allowed in user messages`;
      const s = b.source;
      if (s?.type === 'base64') {
        if (!IMAGE_MEDIA_TYPES.has(s.media_type)) return `${at}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
        if (typeof s.data !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(s.data)) return `${at}.source.data: invalid base64 data`;
        return undefined;
      }
      if (s?.type === 'url') return /^https?:\/\//.test(s.url ?? '') ? undefined : `${at}.source.url: invalid URL`;
      return `${at}.source: Input tag does not match any of the expected tags`;
    }
    case 'tool_use':
      if (role !== 'assistant') return `${at}: tool_use blocks are only allowed in assistant messages`;
      if (typeof b.id !== 'string' || typeof b.name !== 'string') return `${at}: tool_use requires id and name`;
      return b.input && typeof b.input === 'object' && !Array.isArray(b.input) ? undefined : `${at}.input: Input should be a valid dictionary`;
    case 'thinking':
      if (role !== 'assistant') return `${at}: thinking blocks are only allowed in assistant messages`;
      return typeof b.thinking === 'string' && typeof b.signature === 'string' && b.signature ? undefined : `${at}.signature: Field required`;
    case 'redacted_thinking':
      return typeof b.data === 'string' ? undefined : `${at}.data: Field required`;
    case 'document':
      return b.source && typeof b.source === 'object' ? undefined : `${at}.source: Field required`;
    case 'tool_result':
      if (role !== 'user') return `${at}: tool_result blocks are only allowed in user messages`;
      return typeof b.tool_use_id === 'string' ? undefined : `${at}.tool_use_id: Field required`;
    default:
      return `${at}.type: Input tag '${b?.type}' does not match any of the expected tags`;
  }
}

/** Every tool_use needs its tool_result at the start of the very next user turn, and every tool_result a tool_use. */
function checkToolPairing(messages: any[]): string | undefined {
  const blocks = (m: any) => (typeof m?.content === 'string' ? [] : m?.content ?? []);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'assistant') {
      const uses = blocks(m).filter((b: any) => b.type === 'tool_use').map((b: any) => b.id);
      if (!uses.length || i === messages.length - 1) continue;
      const next = blocks(messages[i + 1]);
      const leading: string[] = [];
      for (const b of next) {
        if (b.type !== 'tool_result') break;
        leading.push(b.tool_use_id);
      }
      const missing = uses.filter((id: string) => !leading.includes(id));
      if (missing.length) {
        return `messages.${i + 1}: tool_use ids were found without tool_result blocks immediately after: ${missing.join(', ')}`;
      }
    } else {
      const prevUses = new Set(i > 0 ? blocks(messages[i - 1]).filter((b: any) => b.type === 'tool_use').map((b: any) => b.id) : []);
      for (const b of blocks(m)) {
        if (b.type === 'tool_result' && !prevUses.has(b.tool_use_id)) {
          return `messages.${i}.content: unexpected tool_use_id found in tool_result blocks: ${b.tool_use_id}`;
        }
      }
    }
  }
  return undefined;
}
