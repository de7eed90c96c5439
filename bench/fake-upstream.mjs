// A deliberately cheap fake provider for the benchmark, run as its own process so its CPU is
// accounted separately from the gateway's. It answers:
//   POST …/chat/completions   OpenAI chat JSON, or SSE with N chunks when "stream": true
//   POST …/responses          OpenAI Responses JSON, or a short Responses event stream
//   POST …/messages           Anthropic Messages JSON, or Anthropic SSE with N text deltas
// Bodies are precomputed per model id, so the fake's own cost stays flat and small: whatever
// the gateway adds on top of "direct" is the gateway's.
//
// Usage: node bench/fake-upstream.mjs [--port 0] [--chunks 200] [--interval-ms 0]
// Prints one JSON line {"port": N} on stdout when listening.
// A request may override the stream shape with a body field "x_bench": {"chunks", "interval_ms"}
// (chat and responses pass unknown fields through; for the bridged route the CLI defaults apply).
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    chunks: { type: 'string', default: '200' },
    'interval-ms': { type: 'string', default: '0' },
  },
});
const DEFAULT_CHUNKS = Number(values.chunks);
const DEFAULT_INTERVAL_MS = Number(values['interval-ms']);
const CREATED = 1_700_000_000;
const TEXT = 'The quick brown fox jumps over the lazy dog. This is a benchmark answer of modest size.';

const cache = new Map();
function cached(key, build) {
  let v = cache.get(key);
  if (v === undefined) {
    v = build();
    cache.set(key, v);
  }
  return v;
}

const chatJson = (model) =>
  cached(`chat:${model}`, () =>
    Buffer.from(
      JSON.stringify({
        id: 'chatcmpl-bench0000000000000000000001',
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: TEXT, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 24, completion_tokens: 20, total_tokens: 44 },
        system_fingerprint: 'fp_bench',
      }),
    ),
  );

const chatChunk = (model, i) =>
  cached(`chunk:${model}:${i % 16}`, () =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench0000000000000000000001',
      object: 'chat.completion.chunk',
      created: CREATED,
      model,
      system_fingerprint: 'fp_bench',
      choices: [{ index: 0, delta: { content: ` tok${i % 16}` }, logprobs: null, finish_reason: null }],
    })}\n\n`,
  );

const chatLast = (model) =>
  cached(`chunklast:${model}`, () =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench0000000000000000000001',
      object: 'chat.completion.chunk',
      created: CREATED,
      model,
      system_fingerprint: 'fp_bench',
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
    })}\n\ndata: [DONE]\n\n`,
  );

const responsesObject = (model, status = 'completed') => ({
  id: 'resp_bench000000000000000000000001',
  object: 'response',
  created_at: CREATED,
  status,
  model,
  output:
    status === 'completed'
      ? [
          {
            type: 'message',
            id: 'msg_bench000000000000000000000001',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: TEXT, annotations: [] }],
          },
        ]
      : [],
  parallel_tool_calls: true,
  tool_choice: 'auto',
  tools: [],
  usage: status === 'completed' ? { input_tokens: 24, output_tokens: 20, total_tokens: 44 } : null,
});

const responsesJson = (model) => cached(`resp:${model}`, () => Buffer.from(JSON.stringify(responsesObject(model))));

const anthropicJson = (model) =>
  cached(`msg:${model}`, () =>
    Buffer.from(
      JSON.stringify({
        id: 'msg_bench000000000000000000000001',
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: TEXT }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 24, output_tokens: 20 },
      }),
    ),
  );

const sse = (event, data) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function anthropicEvents(model, chunks) {
  return cached(`msgsse:${model}:${chunks}`, () => {
    const out = [
      sse('message_start', {
        type: 'message_start',
        message: {
          id: 'msg_bench000000000000000000000001', type: 'message', role: 'assistant', model, content: [],
          stop_reason: null, stop_sequence: null, usage: { input_tokens: 24, output_tokens: 1 },
        },
      }) + sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ];
    for (let i = 0; i < chunks; i++) {
      out.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ` tok${i % 16}` } }));
    }
    out.push(
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }) +
        sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: chunks } }) +
        sse('message_stop', { type: 'message_stop' }),
    );
    return out;
  });
}

function chatEvents(model, chunks) {
  return cached(`chatsse:${model}:${chunks}`, () => {
    const out = [];
    for (let i = 0; i < chunks; i++) out.push(chatChunk(model, i));
    out.push(chatLast(model));
    return out;
  });
}

function responsesEvents(model, chunks) {
  return cached(`respsse:${model}:${chunks}`, () => {
    let seq = 0;
    const ev = (type, data) => sse(type, { type, sequence_number: seq++, ...data });
    const out = [
      ev('response.created', { response: responsesObject(model, 'in_progress') }) +
        ev('response.output_item.added', {
          output_index: 0,
          item: { type: 'message', id: 'msg_bench000000000000000000000001', status: 'in_progress', role: 'assistant', content: [] },
        }),
    ];
    for (let i = 0; i < chunks; i++) {
      out.push(ev('response.output_text.delta', { item_id: 'msg_bench000000000000000000000001', output_index: 0, content_index: 0, delta: ` tok${i % 16}` }));
    }
    out.push(ev('response.completed', { response: responsesObject(model) }));
    return out;
  });
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/** Writes the events, paced by intervalMs (0: all at once, as a burst). Stops if the client leaves. */
function writeEvents(req, res, events, intervalMs) {
  res.writeHead(200, SSE_HEADERS);
  if (intervalMs <= 0) {
    for (const e of events) res.write(e);
    res.end();
    return;
  }
  let i = 0;
  let timer;
  const step = () => {
    if (res.destroyed) return;
    res.write(events[i++]);
    if (i < events.length) timer = setTimeout(step, intervalMs);
    else res.end();
  };
  res.on('close', () => clearTimeout(timer));
  step();
}

function sendJson(res, status, body) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': buf.length });
  res.end(buf);
}

function handle(req, res, raw) {
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    return sendJson(res, 400, { error: { message: 'bad json', type: 'invalid_request_error', param: null, code: null } });
  }
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const chunks = Number(body.x_bench?.chunks ?? DEFAULT_CHUNKS);
  const intervalMs = Number(body.x_bench?.interval_ms ?? DEFAULT_INTERVAL_MS);
  const path = req.url.split('?', 1)[0];
  if (path.endsWith('/chat/completions')) {
    if (body.stream === true) return writeEvents(req, res, chatEvents(model, chunks), intervalMs);
    return sendJson(res, 200, chatJson(model));
  }
  if (path.endsWith('/responses')) {
    if (body.stream === true) return writeEvents(req, res, responsesEvents(model, chunks), intervalMs);
    return sendJson(res, 200, responsesJson(model));
  }
  if (path.endsWith('/messages')) {
    if (body.stream === true) return writeEvents(req, res, anthropicEvents(model, chunks), intervalMs);
    return sendJson(res, 200, anthropicJson(model));
  }
  return sendJson(res, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error', param: null, code: null } });
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return sendJson(res, 404, { error: { message: 'POST only', type: 'invalid_request_error', param: null, code: null } });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString()));
});
// Idle keep-alive connections are held long enough that the gateway's pool, not the fake,
// decides how many stay open: the soak checks that count.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.requestTimeout = 0;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
const stop = () => server.close(() => process.exit(0)) && server.closeAllConnections();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
