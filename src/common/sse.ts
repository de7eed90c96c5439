import type { Response } from 'express';
import { mapAnthropicError, mapError } from './error-mapping.js';

export type SseFlavour = 'chat' | 'responses' | 'messages';

/** Commits the response to an event stream. Called only once the upstream stream has started. */
export function openSse(res: Response): void {
  res.status(200);
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('connection', 'keep-alive');
  // Proxies such as nginx buffer responses unless told not to; a buffered stream is not a stream.
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
}

export function writeSseData(res: Response, data: string, event?: string): boolean {
  return res.write(event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
}

/**
 * `response.error.code` is a closed set in the Responses API; the gateway's own code travels in
 * the `error` event that follows.
 */
export function responsesErrorCode(status: number): string {
  return status === 429 ? 'rate_limit_exceeded' : 'server_error';
}

/** The `error` event that closes a failed Responses stream; it is what makes SDKs raise. */
export function responsesErrorEvent(err: unknown): Record<string, unknown> {
  const mapped = mapError(err);
  return {
    type: 'error',
    code: mapped.body.error.code ?? mapped.body.error.type,
    message: mapped.body.error.message,
    param: mapped.body.error.param,
  };
}

/**
 * An error after the stream started: one final error event in the flavour the client expects,
 * then the stream ends. Never a silent truncation.
 */
export function writeSseError(
  res: Response,
  err: unknown,
  flavour: SseFlavour = 'chat',
  sequenceNumber?: number,
  response?: Record<string, unknown>,
): void {
  if (res.writableEnded || res.destroyed) return;
  if (flavour === 'messages') {
    // What Anthropic itself sends when a stream fails after its 200; the SDKs raise on it.
    writeSseData(res, JSON.stringify(mapAnthropicError(err).body), 'error');
    res.end();
    return;
  }
  const mapped = mapError(err);
  if (flavour === 'responses') {
    if (response && sequenceNumber !== undefined) {
      // The response the client has been building is closed as failed, as OpenAI does; the error
      // event after it is what makes SDKs raise instead of returning a half-built response.
      const failed = {
        type: 'response.failed',
        sequence_number: sequenceNumber++,
        response: {
          ...response,
          status: 'failed',
          error: { code: responsesErrorCode(mapped.status), message: mapped.body.error.message },
        },
      };
      writeSseData(res, JSON.stringify(failed), 'response.failed');
    }
    const payload = responsesErrorEvent(err);
    if (sequenceNumber !== undefined) payload.sequence_number = sequenceNumber;
    writeSseData(res, JSON.stringify(payload), 'error');
  } else {
    writeSseData(res, JSON.stringify(mapped.body));
  }
  res.end();
}

const SNAPSHOT_EVENTS = new Set(['response.created', 'response.in_progress']);

/**
 * Remembers the latest `response` object a Responses stream announced (response.created /
 * response.in_progress), so a failure later in the stream can be reported as response.failed
 * for that same response. Only those two small events are parsed.
 */
export class ResponseSnapshot {
  response?: Record<string, unknown>;

  observe(e: { event?: string; data: string }): void {
    const named = e.event !== undefined && SNAPSHOT_EVENTS.has(e.event);
    if (!named && (e.event !== undefined || !/"type":\s*"response\.(created|in_progress)"/.test(e.data))) return;
    try {
      const parsed = JSON.parse(e.data) as { response?: unknown };
      if (parsed.response && typeof parsed.response === 'object') this.response = parsed.response as Record<string, unknown>;
    } catch {
      /* a malformed event is the upstream's problem; keep the previous snapshot */
    }
  }
}
