import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { SseEvent } from '../provider-adapter.js';
import { streamErrorToGatewayError } from './anthropic-errors.js';
import { ANTHROPIC_VERSION } from './anthropic-wire.types.js';

/**
 * Client headers forwarded to Anthropic on the native /v1/messages path. Only these two: they
 * change what the API accepts (beta features such as interleaved thinking, 1M context, prompt
 * caching scopes, and the API version the body is written for). Everything else the client sends
 * (its key, user-agent, x-stainless-*, x-app) stays at the gateway.
 */
export const FORWARDED_ANTHROPIC_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

/** The allow-listed client headers, from a Node header map (lower-case names; repeated values joined). */
export function forwardedAnthropicHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_ANTHROPIC_HEADERS) {
    const value = headers[name];
    const joined = Array.isArray(value) ? value.join(',') : value;
    if (typeof joined === 'string' && joined.trim().length > 0) out[name] = joined.trim();
  }
  return out;
}

/**
 * The Anthropic headers of one native call. The version is the client's when it sent one (its
 * body is written for it), else the deployment's extra_headers, else the adapter's. Beta flags
 * are the union of the deployment's and the client's: an operator's flag is not dropped because
 * a client asked for another one.
 */
export function anthropicCallHeaders(
  configured: Readonly<Record<string, string>>,
  client: Readonly<Record<string, string>>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  let version: string | undefined;
  let beta: string | undefined;
  for (const [name, value] of Object.entries(configured)) {
    const lower = name.toLowerCase();
    if (lower === 'anthropic-version') version = value;
    else if (lower === 'anthropic-beta') beta = value;
    else headers[name] = value;
  }
  headers['anthropic-version'] = client['anthropic-version'] ?? version ?? ANTHROPIC_VERSION;
  const betas = [beta, client['anthropic-beta']]
    .flatMap((v) => (v ?? '').split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  if (betas.length > 0) headers['anthropic-beta'] = [...new Set(betas)].join(',');
  return headers;
}

/**
 * A native Messages stream, events passed on byte for byte except two: an `error` event becomes a
 * thrown GatewayError (so a failure on the first event is retried by the router, and a later one
 * is reported by the gateway's writer as an Anthropic `error` event), and a stream that ends
 * without `message_stop` is a failure, never a silent truncation. Only `error` events are parsed.
 */
export async function* nativeMessageEvents(events: AsyncIterable<SseEvent>, secrets: readonly (string | undefined)[]): AsyncGenerator<SseEvent> {
  let stopped = false;
  for await (const e of events) {
    const type = e.event ?? eventType(e.data);
    if (type === 'error') throw streamErrorToGatewayError(parse(e.data), secrets);
    yield e;
    if (type === 'message_stop') stopped = true;
  }
  if (!stopped) throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider anthropic ended the stream before message_stop.');
}

function eventType(data: string): string | undefined {
  const m = /^\{\s*"type"\s*:\s*"([a-z_]+)"/.exec(data);
  return m?.[1];
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}
