import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';
import { createParser } from 'eventsource-parser';
import { ErrorCode, GatewayError, truncate } from '../common/gateway-error.js';
import { redactSecrets } from '../common/secret-redaction.js';
import type { JsonObject, SseEvent, UpstreamCallContext, UpstreamStream } from './provider-adapter.js';

/**
 * The one upstream HTTP client: node:http(s) on keep-alive pools shared by every adapter.
 * Reusing upstream connections is most of what makes a gateway cheap.
 *
 * Why not axios (the design card's client, used here until the benchmark): with the instance
 * already tuned (no redirects, no transforms, keep-alive agents), axios's per-call config
 * merging, header objects and abort plumbing were still ~20% of the gateway's CPU at 50
 * connections (bench profile, BENCHMARKS.md). What axios did for us is kept, on purpose and in
 * one place: no redirects followed, no proxy from the environment, gzip/deflate/br bodies
 * decoded, whole-call timeout (JSON) or header timeout + idle timeout (streams), cancellation
 * by the caller's signal, every status handed back for mapping below.
 */
// The agent re-applies this each time a socket returns to the pool; an unchanged value costs no syscall.
const KEEP_ALIVE_MSECS = 60_000;
/**
 * Open sockets per upstream host (a provider, or one self-hosted server). LLM streams hold a
 * socket for tens of seconds, so a busy company gateway easily has hundreds open to one provider;
 * a request beyond the limit waits in the agent's queue, and that wait counts against its
 * timeout. The bound is there to keep file descriptors finite, not to shape traffic (rpm/tpm and
 * max_parallel_requests do that). Set with --upstream-max-sockets / UPSTREAM_MAX_SOCKETS.
 */
export const DEFAULT_UPSTREAM_MAX_SOCKETS = 1024;
const httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, maxSockets: DEFAULT_UPSTREAM_MAX_SOCKETS, maxFreeSockets: 64, scheduling: 'lifo' });
const httpsAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, maxSockets: DEFAULT_UPSTREAM_MAX_SOCKETS, maxFreeSockets: 64, scheduling: 'lifo' });

/** The agents are shared by the whole process, so this is a process setting (main.ts applies the flag). */
export function setUpstreamMaxSockets(maxSockets: number): void {
  httpAgent.maxSockets = maxSockets;
  httpsAgent.maxSockets = maxSockets;
}
const ACCEPT_ENCODING = 'gzip, deflate, br';
const USER_AGENT = 'switchboard';

/**
 * The most a JSON upstream body may hold once decoded. Real answers (a big embeddings batch,
 * a long completion with logprobs) stay in the low megabytes; an upstream that never stops
 * sending, or a small gzip that inflates to gigabytes, must not take the gateway's heap with it.
 */
export const MAX_UPSTREAM_BODY_BYTES = 50 * 1024 * 1024;
/**
 * The most one SSE event (or an unterminated line) may buffer before the parser gives up. Real
 * events are a few KB; without a bound, a stream that never sends a blank line grows forever.
 */
export const MAX_SSE_EVENT_CHARS = 10 * 1024 * 1024;

export function upstreamAgents(): { http: http.Agent; https: https.Agent } {
  return { http: httpAgent, https: httpsAgent };
}

export interface UpstreamRequest {
  readonly provider: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: JsonObject;
  /** Credentials sent with this request: providers echo keys in their errors, so these are cut out of them. */
  readonly secrets?: readonly (string | undefined)[];
  /**
   * Whether stream events are checked here for the OpenAI family's in-band error shapes (default
   * true). Anthropic turns it off: its `error` event names a type whose status only its translator knows.
   */
  readonly inBandErrors?: boolean;
  /**
   * Reads a non-2xx body for providers whose error shape the OpenAI-family reading gets wrong
   * (Google's `{"error":{"code","message","status","details"}}`). Undefined: the default reading.
   */
  readonly errorDetails?: (status: number, text: string, headers: IncomingHttpHeaders) => UpstreamErrorDetails | undefined;
  /** The body exactly as it goes on the wire, when it was serialised already (a signed request: the signature covers these bytes). */
  readonly payload?: string;
  /** The Accept header of a stream call (default text/event-stream). */
  readonly streamAccept?: string;
  /**
   * Re-frames a stream body that is not SSE as SSE text (AWS's binary event stream), so every
   * stream shares one reader: idle timeout, backpressure, cancellation. Destroying the returned
   * stream must not be needed: the raw body is destroyed by the call and errors propagate.
   */
  readonly reframe?: (raw: Readable) => Readable;
}

/** What a provider's own error reader found; the status may differ from the HTTP one (Google's in-stream errors). */
export interface UpstreamErrorDetails {
  readonly status: number;
  readonly message?: string;
  readonly type?: string;
  readonly code?: string | number | null;
  /** Seconds, as a Retry-After header would say it. */
  readonly retryAfter?: string;
}

/** A provider-read error, mapped and redacted like every other upstream error. */
export function upstreamErrorFromDetails(provider: string, details: UpstreamErrorDetails, text: string, secrets: readonly (string | undefined)[] = []): GatewayError {
  return upstreamErrorFrom(provider, details.status, { message: details.message, type: details.type, code: details.code ?? null }, text, details.retryAfter, secrets);
}

function statusError(req: UpstreamRequest, status: number, text: string, retryAfter: string | undefined, headers: IncomingHttpHeaders): GatewayError {
  const details = req.errorDetails?.(status, text, headers);
  if (details) return upstreamErrorFromDetails(req.provider, { ...details, retryAfter: details.retryAfter ?? retryAfter }, text, req.secrets);
  return upstreamStatusError(req.provider, status, text, retryAfter, req.secrets);
}

export async function postJson(req: UpstreamRequest, ctx: UpstreamCallContext): Promise<JsonObject> {
  const call = new UpstreamCall(req, 'application/json', ctx);
  let status: number;
  let headers: IncomingHttpHeaders;
  let text: string;
  try {
    const res = await call.response;
    status = res.statusCode ?? 0;
    headers = res.headers;
    text = await readText(call.body!, req.provider);
  } catch (err) {
    // Whatever is left of the body is not wanted: the connection cannot go back to the pool half-read.
    call.destroy();
    throw toUpstreamError(req.provider, err, call.timedOut, ctx.signal.aborted);
  } finally {
    call.release();
  }
  if (status < 200 || status >= 300) {
    throw statusError(req, status, text, headerValue(headers['retry-after']), headers);
  }
  const body = parseJsonObject(req.provider, text);
  const inBand = inBandErrorStatus(body);
  if (inBand !== undefined) throw upstreamStatusError(req.provider, inBand, text, undefined, req.secrets);
  return body;
}

export async function postStream(req: UpstreamRequest, ctx: UpstreamCallContext): Promise<UpstreamStream> {
  const call = new UpstreamCall(req, req.streamAccept ?? 'text/event-stream', ctx);
  let res: IncomingMessage;
  try {
    res = await call.response;
  } catch (err) {
    call.release();
    throw toUpstreamError(req.provider, err, call.timedOut, ctx.signal.aborted);
  }
  // The whole-request timeout covers only the wait for headers; after that the idle timer rules.
  call.stopTimer();
  const stream = call.body!;
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    const text = await readBounded(stream, ctx, req.provider).catch(() => '');
    call.release();
    throw statusError(req, status, text, headerValue(res.headers['retry-after']), res.headers);
  }
  const contentType = String(res.headers['content-type'] ?? '');
  if (contentType.includes('application/json')) {
    // Some servers ignore stream:true or answer an error as JSON with a 200.
    try {
      const text = await readBounded(stream, ctx, req.provider);
      const body = parseJsonObject(req.provider, text);
      if (body.error) throw statusError(req, inBandErrorStatus(body) ?? 502, text, undefined, res.headers);
      throw new GatewayError(ErrorCode.UpstreamError, `Upstream provider ${req.provider} answered a stream request with a JSON body.`);
    } finally {
      call.release();
    }
  }
  return {
    headers: passHeaders(res.headers as Record<string, unknown>),
    events: sseEvents(req, req.reframe ? req.reframe(stream) : stream, ctx, call),
  };
}

/**
 * One upstream POST. `response` settles with the response head (or the failure: connection,
 * timeout, cancellation); `body` is the decoded body stream once the head arrived. The
 * caller's signal cancels the call until release(), so a client that goes away mid-stream
 * closes the upstream connection too (it cannot go back to the pool half-read).
 */
class UpstreamCall {
  timedOut = false;
  body?: Readable;
  readonly response: Promise<IncomingMessage>;
  private readonly outgoing: ClientRequest;
  private timer?: NodeJS.Timeout;
  private released = false;
  private readonly onAbort = () => this.destroy(new Error('The request was cancelled.'));

  constructor(
    req: UpstreamRequest,
    accept: string,
    private readonly ctx: UpstreamCallContext,
  ) {
    const payload = req.payload ?? JSON.stringify(req.body);
    const target = parseUrl(req.url);
    const headers: Record<string, string | number> = { 'user-agent': USER_AGENT, 'accept-encoding': ACCEPT_ENCODING };
    for (const name in req.headers) headers[name.toLowerCase()] = req.headers[name];
    const trace = ctx.traceHeaders;
    if (trace !== undefined) for (const name in trace) headers[name] = trace[name];
    headers['content-type'] = 'application/json';
    headers.accept = accept;
    headers['content-length'] = Buffer.byteLength(payload);
    const options: http.RequestOptions = {
      method: 'POST',
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      headers,
      agent: target.https ? httpsAgent : httpAgent,
      auth: target.auth,
    };
    this.outgoing = (target.https ? https : http).request(options);
    this.response = new Promise<IncomingMessage>((resolve, reject) => {
      this.outgoing.once('response', (res) => {
        this.body = decoded(res);
        // Whoever reads the body reports its errors; until then (and after) none may go unhandled.
        this.body.on('error', ignore);
        resolve(res);
      });
      this.outgoing.on('error', reject);
    });
    // A failure after the head is the body stream's to report; this keeps it from going unhandled.
    this.response.catch(() => undefined);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.destroy(new Error('timeout'));
    }, ctx.timeoutMs);
    this.timer.unref();
    if (ctx.signal.aborted) this.onAbort();
    else ctx.signal.addEventListener('abort', this.onAbort, { once: true });
    this.outgoing.end(payload);
  }

  stopTimer(): void {
    clearTimeout(this.timer);
  }

  /** The call is over (body read, or handed off and finished): stop watching the signal. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.timer);
    this.ctx.signal.removeEventListener('abort', this.onAbort);
  }

  destroy(err?: Error): void {
    if (this.body) this.body.destroy(err);
    this.outgoing.destroy(err);
  }
}

function ignore(): void {}

interface ParsedUrl {
  readonly https: boolean;
  readonly hostname: string;
  readonly port?: string;
  readonly path: string;
  readonly auth?: string;
}

/** Deployments have a handful of URLs: parse each once. Bounded, in case of wildcard-built ones. */
const parsedUrls = new Map<string, ParsedUrl>();

function parseUrl(raw: string): ParsedUrl {
  let parsed = parsedUrls.get(raw);
  if (parsed) return parsed;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw Object.assign(new Error(`Invalid URL: ${raw}`), { code: 'ERR_INVALID_URL', cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw Object.assign(new Error(`Unsupported protocol ${url.protocol}`), { code: 'ERR_BAD_REQUEST' });
  }
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  parsed = {
    https: url.protocol === 'https:',
    hostname,
    port: url.port || undefined,
    path: url.pathname + url.search,
    auth: url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
  };
  if (parsedUrls.size >= 1000) parsedUrls.clear();
  parsedUrls.set(raw, parsed);
  return parsed;
}

/** The body as sent, decompressed (gzip, deflate, br); tolerant of a truncated tail, like browsers. */
function decoded(res: IncomingMessage): Readable {
  const encoding = res.headers['content-encoding'];
  if (!encoding || res.statusCode === 204) return res;
  let decoder: zlib.Gunzip | zlib.BrotliDecompress;
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
    case 'deflate':
    case 'compress':
    case 'x-compress':
      decoder = zlib.createUnzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
      break;
    case 'br':
      decoder = zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
      break;
    default:
      return res;
  }
  pipeline(res, decoder, () => undefined);
  return decoder;
}

/** A whole body as UTF-8 text (a leading BOM dropped), at most MAX_UPSTREAM_BODY_BYTES of it. */
function readText(stream: Readable, provider: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_UPSTREAM_BODY_BYTES) {
        chunks = [];
        reject(
          new GatewayError(
            ErrorCode.UpstreamError,
            `Upstream provider ${provider} sent a response larger than ${MAX_UPSTREAM_BODY_BYTES / (1024 * 1024)} MB; it was cut off.`,
          ),
        );
        stream.destroy();
        return;
      }
      chunks.push(c);
    });
    stream.once('end', () => {
      ended = true;
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
    stream.once('error', reject);
    stream.once('close', () => {
      if (!ended) reject(Object.assign(new Error('The upstream closed the connection mid-body.'), { code: 'ECONNRESET' }));
    });
  });
}

/** Events parsed ahead of the consumer before the upstream is paused. */
const MAX_QUEUED_EVENTS = 512;

/**
 * Turns an upstream byte stream into SSE events, with an idle timeout between chunks. The idle
 * timer only runs while the consumer is waiting for an event: a slow client (backpressure)
 * never makes a healthy upstream look idle. One timer per stream, re-armed, not one per chunk.
 */
async function* sseEvents(req: UpstreamRequest, stream: Readable, ctx: UpstreamCallContext, call: UpstreamCall): AsyncGenerator<SseEvent> {
  const provider = req.provider;
  const detectErrors = req.inBandErrors !== false;
  const queue: SseEvent[] = [];
  let head = 0;
  let ended = false;
  let failure: unknown;
  const parser = createParser({
    onEvent: (e) => queue.push(e.event ? { event: e.event, data: e.data } : { data: e.data }),
    maxBufferSize: MAX_SSE_EVENT_CHARS,
    onError: (e) => {
      if (e.type !== 'max-buffer-size-exceeded') return;
      failure ??= new GatewayError(
        ErrorCode.UpstreamError,
        `Upstream provider ${provider} sent a stream event larger than ${MAX_SSE_EVENT_CHARS / (1024 * 1024)} MB; the stream was cut off.`,
      );
    },
  });
  let waiting = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const idleMs = ctx.streamIdleTimeoutMs;
  const idle = setTimeout(() => {
    if (!waiting) return;
    failure ??= new GatewayError(ErrorCode.UpstreamTimeout, `Upstream provider ${provider} sent nothing for ${idleMs} ms during a stream.`);
    notify();
  }, idleMs);
  idle.unref();
  let deferred = false;
  const onData = (chunk: string) => {
    if (failure !== undefined) return;
    if (waiting && head === queue.length) {
      // The consumer is waiting and one read often holds a whole burst (the benchmark's 200
      // chunks arrive as one 49 KB read): parsing all of it before handing over the first
      // event put that parse in front of the client's first chunk. Hand the first event over
      // now, parse the rest on the next turn; the stream stays paused until then, so order holds.
      const cut = firstEventEnd(chunk);
      if (cut > 0 && cut < chunk.length) {
        parser.feed(chunk.slice(0, cut));
        if (head < queue.length) {
          const rest = chunk.slice(cut);
          deferred = true;
          stream.pause();
          setImmediate(() => {
            deferred = false;
            if (failure === undefined) parser.feed(rest);
            if (queue.length - head <= MAX_QUEUED_EVENTS && !ended) stream.resume();
            notify();
          });
          notify();
          return;
        }
        parser.feed(chunk.slice(cut));
        if (queue.length - head > MAX_QUEUED_EVENTS) stream.pause();
        notify();
        return;
      }
    }
    parser.feed(chunk);
    if (queue.length - head > MAX_QUEUED_EVENTS) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: unknown) => {
    failure ??= err;
    notify();
  };
  const onClose = () => {
    if (!ended) failure ??= Object.assign(new Error('premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    notify();
  };
  stream.setEncoding('utf8');
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.on('error', onError);
  stream.once('close', onClose);
  let completed = false;
  try {
    for (;;) {
      if (head < queue.length) {
        const e = queue[head];
        queue[head++] = undefined as unknown as SseEvent;
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
          if (!deferred && stream.isPaused() && !ended) stream.resume();
        }
        if (detectErrors && mayBeInBandError(e)) {
          // Thrown before the first event reaches the router, this is a failed attempt like a
          // non-2xx (retry, fallback, cooldown); later, the client gets the gateway's own
          // redacted error event instead of the upstream's (and no [DONE] after it).
          const inBand = inBandStreamError(req, e);
          if (inBand) throw inBand;
        }
        yield e;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended && !deferred) break;
      waiting = true;
      idle.refresh();
      await new Promise<void>((resolve) => (wake = resolve));
      waiting = false;
    }
    completed = true;
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (ctx.signal.aborted) throw new GatewayError(ErrorCode.UpstreamError, 'The request was cancelled.', { cause: err });
    throw new GatewayError(
      ErrorCode.UpstreamError,
      `Upstream provider ${provider} closed the stream unexpectedly: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    clearTimeout(idle);
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onClose);
    // Keep an error listener: a late socket error must not become an uncaught exception.
    if (!completed) call.destroy();
    call.release();
  }
}

const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const COLON = 0x3a;
const SPACE = 0x20;
const LOWER_E = 0x65;
/**
 * `"error"` is looked for by its tail: a needle that starts with `"` makes the string search stop
 * at every quote of a JSON text, and measured 4–5× slower per chunk than this one.
 */
const ERROR_TAIL = 'rror"';
const TYPE_KEY = '"type":';
const FAILED_TYPE = '"response.failed"';

/**
 * Runs on every event of every stream, so it never parses: it only says whether an event may be
 * an in-band error, and inBandStreamError (which parses) decides. Ordinary chunks and Responses
 * events hold no `"error"` string at all, or only as `"error":null`, so one indexOf (~0.1 µs per
 * chunk, less than the `"usage"` probe every chunk already gets) and a look at the characters
 * around each hit reject them. What passes: an `error` member anywhere (`{"error":…}`, or
 * OpenRouter's mid-stream chunk with `choices`), `"type":"error"`, `"object":"error"` (vLLM),
 * `finish_reason: "error"`, and the odd chunk whose text is exactly "error"; a Responses
 * `response.failed` is recognised by its event name or its leading `type`.
 */
function mayBeInBandError(e: SseEvent): boolean {
  if (e.event !== undefined && (e.event === 'error' || e.event === 'response.failed')) return true;
  const data = e.data;
  if (data.charCodeAt(0) !== OPEN_BRACE) return false;
  if (data.startsWith(TYPE_KEY, 1)) {
    const value = TYPE_KEY.length + 1;
    if (data.startsWith(FAILED_TYPE, data.charCodeAt(value) === SPACE ? value + 1 : value)) return true;
  }
  for (let at = data.indexOf(ERROR_TAIL, 3); at !== -1; at = data.indexOf(ERROR_TAIL, at + ERROR_TAIL.length)) {
    if (data.charCodeAt(at - 1) === LOWER_E && data.charCodeAt(at - 2) === QUOTE && !isNullMember(data, at + ERROR_TAIL.length)) {
      return true;
    }
  }
  return false;
}

/** Whether the text at `from` reads `: null`, i.e. the `"error"` before it was an empty member. */
function isNullMember(data: string, from: number): boolean {
  let i = from;
  while (i < data.length && data.charCodeAt(i) <= SPACE) i++;
  if (data.charCodeAt(i) !== COLON) return false;
  i++;
  while (i < data.length && data.charCodeAt(i) <= SPACE) i++;
  return data.startsWith('null', i);
}

/**
 * Error codes (not HTTP statuses) that say what kind of failure it was: the Responses API's
 * `error.code` and OpenAI's error codes. Anything else without an HTTP status is a 502.
 */
const STATUS_BY_ERROR_CODE: ReadonlyMap<string, number> = new Map([
  ['rate_limit_exceeded', 429],
  ['insufficient_quota', 429],
  ['context_length_exceeded', 400],
  ['invalid_prompt', 400],
]);

/**
 * A stream event that reports a failure, as the same GatewayError a non-2xx with that error
 * would be (status from `code` or `status` when an HTTP error status, message redacted), or
 * undefined for an ordinary event. The shapes, all seen after a 200:
 * - `{"error":{…}}`: OpenAI, OpenRouter before any token, SGLang, vLLM;
 * - a chunk carrying `error` beside its `choices` (finish_reason "error"): OpenRouter after tokens;
 * - `{"object":"error","message":…,"code":400}`: vLLM's ErrorResponse;
 * - `error` and `response.failed` events: the Responses API.
 * An event that looks like one of these but is not JSON is no chunk either: it is reported as a 502.
 */
function inBandStreamError(req: UpstreamRequest, e: SseEvent): GatewayError | undefined {
  let body: JsonObject | undefined;
  try {
    const parsed: unknown = JSON.parse(e.data);
    if (isJsonObject(parsed)) body = parsed;
  } catch {
    /* not JSON: reported below */
  }
  if (!body) return upstreamErrorFrom(req.provider, 502, {}, e.data, undefined, req.secrets);
  const payload = errorPayload(body, e.event);
  if (payload === undefined) return undefined;
  if (typeof payload === 'string') return upstreamErrorFrom(req.provider, 502, { message: payload }, e.data, undefined, req.secrets);
  const status =
    httpErrorStatus(payload.code) ??
    httpErrorStatus(payload.status) ??
    (typeof payload.code === 'string' ? STATUS_BY_ERROR_CODE.get(payload.code) : undefined) ??
    502;
  return upstreamErrorFrom(req.provider, status, errorParts(payload, payload === body), e.data, undefined, req.secrets);
}

/** The object (or string) describing the failure an event reports, if it reports one. */
function errorPayload(body: JsonObject, event: string | undefined): JsonObject | string | undefined {
  const error = body.error;
  if (isJsonObject(error)) return error;
  if (typeof error === 'string' && error !== '') return error;
  if (body.type === 'error' || body.object === 'error' || event === 'error') return body;
  if (body.type === 'response.failed' || event === 'response.failed') {
    const response = body.response;
    if (isJsonObject(response) && isJsonObject(response.error)) return response.error;
    return { message: 'The upstream reported the response as failed.' };
  }
  if (Array.isArray(body.choices) && body.choices.some((c) => isJsonObject(c) && c.finish_reason === 'error')) {
    return { message: 'The upstream ended the generation with finish_reason "error".' };
  }
  return undefined;
}

/** `ownType`: the payload is the event itself, whose `type` names the event (`error`), not the error. */
function errorParts(payload: JsonObject, ownType: boolean): UpstreamErrorParts {
  return {
    message: typeof payload.message === 'string' ? payload.message : undefined,
    type: !ownType || payload.object === 'error' ? stringOrUndefined(payload.type) : undefined,
    code: typeof payload.code === 'string' || typeof payload.code === 'number' ? payload.code : null,
    param: typeof payload.param === 'string' ? payload.param : null,
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Index just past the first blank line (end of the first SSE event) in `text`, or -1. */
function firstEventEnd(text: string): number {
  const lf = text.indexOf('\n\n');
  const crlf = text.indexOf('\r\n\r\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return crlf + 4;
  return lf === -1 ? -1 : lf + 2;
}

async function withIdleTimeout<T>(promise: Promise<T>, ms: number, provider: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new GatewayError(ErrorCode.UpstreamTimeout, `Upstream provider ${provider} sent nothing for ${ms} ms during a stream.`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A body read on the stream path obeys the idle timeout too: headers then silence must not hang a request. */
async function readBounded(stream: Readable, ctx: UpstreamCallContext, provider: string): Promise<string> {
  try {
    return await withIdleTimeout(readAll(stream), ctx.streamIdleTimeoutMs, provider);
  } catch (err) {
    stream.destroy();
    throw err;
  }
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      if (text.length < 1_000_000) text += c;
    });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

function parseJsonObject(provider: string, text: string): JsonObject {
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as JsonObject;
  } catch {
    /* fall through */
  }
  throw new GatewayError(ErrorCode.UpstreamError, `Upstream provider ${provider} returned a body that is not a JSON object.`);
}

/**
 * Some providers (OpenRouter among them) answer 200 with only an `error` object. Passing that on
 * would be a success status carrying an error; the status they meant is in `code` (or `status`)
 * when that is an HTTP error status.
 */
function inBandErrorStatus(body: JsonObject): number | undefined {
  const error = body.error;
  if (error === undefined || error === null || 'choices' in body || 'output' in body || 'data' in body) return undefined;
  if (typeof error !== 'object') return 502;
  return httpErrorStatus((error as JsonObject).code) ?? httpErrorStatus((error as JsonObject).status) ?? 502;
}

function httpErrorStatus(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 400 && n <= 599 ? n : undefined;
}

/** Maps an upstream HTTP status to the taxonomy, keeping the upstream's own message. */
export function upstreamStatusError(
  provider: string,
  status: number,
  text: string,
  retryAfter: string | undefined,
  secrets: readonly (string | undefined)[] = [],
): GatewayError {
  return upstreamErrorFrom(provider, status, extractUpstreamError(text), text, retryAfter, secrets);
}

interface UpstreamErrorParts {
  message?: string;
  type?: string;
  code?: string | number | null;
  param?: string | null;
}

/** `text` is the whole upstream error, shown (shortened) when it had no message of its own. */
function upstreamErrorFrom(
  provider: string,
  status: number,
  parsed: UpstreamErrorParts,
  text: string,
  retryAfter: string | undefined,
  secrets: readonly (string | undefined)[] = [],
): GatewayError {
  const detail = redactSecrets(parsed.message ?? (truncate(text.trim(), 500) || `HTTP ${status}`), secrets);
  const message = `Upstream provider ${provider} returned ${status}: ${detail}`;
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  if (status >= 400 && status < 500) {
    return new GatewayError(ErrorCode.UpstreamRejected, message, {
      upstreamStatus: status,
      upstreamType: parsed.type,
      upstreamCode: typeof parsed.code === 'string' ? redactSecrets(parsed.code, secrets) : parsed.code,
      param: typeof parsed.param === 'string' ? redactSecrets(parsed.param, secrets) : parsed.param,
      retryAfterSeconds,
    });
  }
  return new GatewayError(ErrorCode.UpstreamError, message, { upstreamStatus: status, retryAfterSeconds });
}

function extractUpstreamError(text: string): UpstreamErrorParts {
  try {
    const body = JSON.parse(text);
    const e = body?.error ?? body;
    if (typeof e === 'string') return { message: e };
    if (e && typeof e === 'object') {
      return {
        message: typeof e.message === 'string' ? e.message : undefined,
        type: typeof e.type === 'string' ? e.type : undefined,
        code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : null,
        param: typeof e.param === 'string' ? e.param : null,
      };
    }
  } catch {
    /* not JSON */
  }
  return {};
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

function toUpstreamError(provider: string, err: unknown, timedOut: boolean, clientGone: boolean): GatewayError {
  if (err instanceof GatewayError) return err;
  if (timedOut) {
    return new GatewayError(ErrorCode.UpstreamTimeout, `Upstream provider ${provider} did not answer in time.`, { cause: err });
  }
  if (clientGone) return new GatewayError(ErrorCode.UpstreamError, 'The request was cancelled.', { cause: err });
  const code = (err as { code?: unknown } | null)?.code;
  return new GatewayError(
    ErrorCode.UpstreamError,
    `Could not reach upstream provider ${provider}${code ? ` (${code})` : ''}.`,
    { cause: err },
  );
}

const PASSED_HEADERS = /^(x-ratelimit-|openai-processing-ms|x-request-id$)/i;

function passHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (PASSED_HEADERS.test(k) && v !== undefined) out[k === 'x-request-id' ? 'x-upstream-request-id' : k] = String(v);
  }
  return out;
}

function headerValue(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * A step before the call (fetching a token or temporary credentials) counted against the call's
 * timeout and stopped by its signal, like the request itself: a token endpoint that hangs must
 * not hold a client past its budget. (A result still pending when the call gives up is cached
 * by its owner for the next request.)
 */
export function withinCallBudget<T>(work: Promise<T>, ctx: UpstreamCallContext, timeoutMessage: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new GatewayError(ErrorCode.UpstreamTimeout, timeoutMessage)), ctx.timeoutMs);
    timer.unref();
    const onAbort = () => finish(new GatewayError(ErrorCode.UpstreamError, 'The request was cancelled.'));
    const finish = (err?: unknown, value?: T) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value as T);
    };
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    work.then((v) => finish(undefined, v), (e: unknown) => finish(e ?? new Error('credential step failed')));
  });
}
