import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import axios, { AxiosError, AxiosInstance } from 'axios';
import { createParser } from 'eventsource-parser';
import { ErrorCode, GatewayError, truncate } from '../common/gateway-error.js';
import { redactSecrets } from '../common/secret-redaction.js';
import type { JsonObject, SseEvent, UpstreamCallContext, UpstreamStream } from './provider-adapter.js';

/**
 * Keep-alive pools shared by every adapter: reusing upstream connections is most of what
 * makes a gateway cheap. One axios instance, configured once, with redirects, response
 * transforms and decompression of streams turned off so the hot path does the least work.
 */
// keepAliveMsecs matches the 60 s axios's http adapter sets on every request's socket: with
// the agent's default (1 s) the two alternate, and each change is a setsockopt syscall, twice
// per request — 3% of the gateway's CPU at 50 connections in the benchmark profile.
const KEEP_ALIVE_MSECS = 60_000;
const httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
const httpsAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });

const client: AxiosInstance = axios.create({
  httpAgent,
  httpsAgent,
  maxRedirects: 0,
  proxy: false,
  validateStatus: () => true,
  transformRequest: [(data) => data],
  transformResponse: [(data) => data],
  maxContentLength: Infinity,
  maxBodyLength: Infinity,
});

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
}

export async function postJson(req: UpstreamRequest, ctx: UpstreamCallContext): Promise<JsonObject> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  try {
    const res = await client.post<string>(req.url, JSON.stringify(req.body), {
      headers: { ...req.headers, 'content-type': 'application/json', accept: 'application/json' },
      responseType: 'text',
      signal,
    });
    if (res.status < 200 || res.status >= 300) {
      throw upstreamStatusError(req.provider, res.status, res.data, headerValue(res.headers['retry-after']), req.secrets);
    }
    const body = parseJsonObject(req.provider, res.data);
    const inBand = inBandErrorStatus(body);
    if (inBand !== undefined) throw upstreamStatusError(req.provider, inBand, res.data, undefined, req.secrets);
    return body;
  } catch (err) {
    throw toUpstreamError(req.provider, err, timeout.aborted, ctx.signal.aborted);
  }
}

export async function postStream(req: UpstreamRequest, ctx: UpstreamCallContext): Promise<UpstreamStream> {
  // The whole-request timeout covers only the wait for headers; after that the idle timer rules.
  const headerTimeout = AbortSignal.timeout(ctx.timeoutMs);
  const controller = new AbortController();
  const signal = AbortSignal.any([ctx.signal, controller.signal]);
  const onHeaderTimeout = () => controller.abort(headerTimeout.reason);
  headerTimeout.addEventListener('abort', onHeaderTimeout, { once: true });
  let res;
  try {
    res = await client.post<IncomingMessage>(req.url, JSON.stringify(req.body), {
      headers: { ...req.headers, 'content-type': 'application/json', accept: 'text/event-stream' },
      responseType: 'stream',
      decompress: true,
      signal,
    });
  } catch (err) {
    throw toUpstreamError(req.provider, err, headerTimeout.aborted, ctx.signal.aborted);
  } finally {
    headerTimeout.removeEventListener('abort', onHeaderTimeout);
  }
  const stream = res.data;
  if (res.status < 200 || res.status >= 300) {
    const text = await readBounded(stream, ctx, req.provider).catch(() => '');
    throw upstreamStatusError(req.provider, res.status, text, headerValue(res.headers['retry-after']), req.secrets);
  }
  const contentType = String(res.headers['content-type'] ?? '');
  if (contentType.includes('application/json')) {
    // Some servers ignore stream:true or answer an error as JSON with a 200.
    const text = await readBounded(stream, ctx, req.provider);
    const body = parseJsonObject(req.provider, text);
    if (body.error) throw upstreamStatusError(req.provider, inBandErrorStatus(body) ?? 502, text, undefined, req.secrets);
    throw new GatewayError(ErrorCode.UpstreamError, `Upstream provider ${req.provider} answered a stream request with a JSON body.`);
  }
  return {
    headers: passHeaders(res.headers as Record<string, unknown>),
    events: sseEvents(req.provider, stream, ctx, () => controller.abort()),
  };
}

/** Turns an upstream byte stream into SSE events, with an idle timeout between chunks. */
async function* sseEvents(
  provider: string,
  stream: IncomingMessage,
  ctx: UpstreamCallContext,
  abort: () => void,
): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => queue.push(e.event ? { event: e.event, data: e.data } : { data: e.data }),
  });
  stream.setEncoding('utf8');
  const iterator = stream[Symbol.asyncIterator]();
  let completed = false;
  try {
    while (true) {
      const next = await withIdleTimeout(iterator.next(), ctx.streamIdleTimeoutMs, provider);
      if (next.done) break;
      parser.feed(next.value as string);
      while (queue.length) yield queue.shift()!;
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
    if (!completed) {
      abort();
      stream.destroy();
    }
  }
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
async function readBounded(stream: IncomingMessage, ctx: UpstreamCallContext, provider: string): Promise<string> {
  try {
    return await withIdleTimeout(readAll(stream), ctx.streamIdleTimeoutMs, provider);
  } catch (err) {
    stream.destroy();
    throw err;
  }
}

function readAll(stream: IncomingMessage): Promise<string> {
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
 * would be a success status carrying an error; the status they meant is in `code` when numeric.
 */
function inBandErrorStatus(body: JsonObject): number | undefined {
  const error = body.error;
  if (error === undefined || error === null || 'choices' in body || 'output' in body || 'data' in body) return undefined;
  const code = typeof error === 'object' ? Number((error as JsonObject).code) : NaN;
  return Number.isInteger(code) && code >= 400 && code <= 599 ? code : 502;
}

/** Maps an upstream HTTP status to the taxonomy, keeping the upstream's own message. */
export function upstreamStatusError(
  provider: string,
  status: number,
  text: string,
  retryAfter: string | undefined,
  secrets: readonly (string | undefined)[] = [],
): GatewayError {
  const parsed = extractUpstreamError(text);
  const detail = redactSecrets(parsed.message ?? (truncate(text.trim(), 500) || `HTTP ${status}`), secrets);
  const message = `Upstream provider ${provider} returned ${status}: ${detail}`;
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  if (status >= 400 && status < 500) {
    return new GatewayError(ErrorCode.UpstreamRejected, message, {
      upstreamStatus: status,
      upstreamType: parsed.type,
      upstreamCode: parsed.code,
      param: parsed.param,
      retryAfterSeconds,
    });
  }
  return new GatewayError(ErrorCode.UpstreamError, message, { upstreamStatus: status, retryAfterSeconds });
}

function extractUpstreamError(text: string): { message?: string; type?: string; code?: string | number | null; param?: string | null } {
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
  const code = (err as AxiosError)?.code;
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
