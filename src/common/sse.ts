import type { Response } from 'express';
import { mapError } from './error-mapping.js';

export type SseFlavour = 'chat' | 'responses';

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
 * An error after the stream started: one final error event in the flavour the client expects,
 * then the stream ends. Never a silent truncation.
 */
export function writeSseError(res: Response, err: unknown, flavour: SseFlavour = 'chat', sequenceNumber?: number): void {
  if (res.writableEnded || res.destroyed) return;
  const mapped = mapError(err);
  if (flavour === 'responses') {
    const payload: Record<string, unknown> = {
      type: 'error',
      code: mapped.body.error.code ?? mapped.body.error.type,
      message: mapped.body.error.message,
      param: mapped.body.error.param,
    };
    if (sequenceNumber !== undefined) payload.sequence_number = sequenceNumber;
    writeSseData(res, JSON.stringify(payload), 'error');
  } else {
    writeSseData(res, JSON.stringify(mapped.body));
  }
  res.end();
}
