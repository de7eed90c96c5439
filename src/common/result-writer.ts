import type { Response } from 'express';
import { toGatewayError } from './error-mapping.js';
import type { GatewayResult } from './gateway-result.js';
import type { GatewayRequest } from './request-context.js';
import { openSse, ResponseSnapshot, writeSseError } from './sse.js';

/**
 * Writes a GatewayResult. An event stream is committed (200 + SSE headers) only when the
 * first event arrives, so anything that fails before that still gets a proper JSON status.
 * A failure after that becomes a final SSE error event.
 */
export async function writeResult(res: Response, result: GatewayResult): Promise<void> {
  for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
  const telemetry = (res.req as GatewayRequest | undefined)?.telemetry;
  if (result.kind === 'json') {
    telemetry?.jsonReady(res, result.body);
    // What Express's res.json() sends for a POST (same status, headers and bytes), minus its
    // per-call settings lookups and Buffer copy. A string body also lets Node send the head and
    // the body in one write.
    const json = JSON.stringify(result.body);
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(json));
    res.end(json);
    return;
  }
  const iterator = result.events[Symbol.asyncIterator]();
  let first = await iterator.next(); // throws before any byte is sent: the filter answers with JSON
  telemetry?.streamStarting(res);
  openSse(res);
  let sequence = 0;
  const snapshot = result.flavour === 'responses' ? new ResponseSnapshot() : undefined;
  try {
    while (!first.done) {
      const e = first.value;
      sequence++;
      snapshot?.observe(e);
      telemetry?.streamEvent(e);
      const ok = res.write(e.event ? `event: ${e.event}\ndata: ${e.data}\n\n` : `data: ${e.data}\n\n`);
      // Node corks the socket on a response's first write of a tick and uncorks on nextTick.
      // Events already parsed flow through this loop in microtasks, which all run before that
      // nextTick: in a burst the first event left only after the whole burst had been relayed
      // (time to first chunk ≈ whole stream). Send the head and first event now; later events
      // still coalesce.
      if (sequence === 1) flushSocket(res);
      if (!ok && !res.destroyed) await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
      if (res.destroyed) {
        await iterator.return?.();
        return;
      }
      first = await iterator.next();
    }
    telemetry?.streamEnded();
    res.end();
  } catch (err) {
    telemetry?.streamEnded();
    telemetry?.failed(toGatewayError(err).code);
    writeSseError(res, err, result.flavour, result.flavour === 'responses' ? sequence : undefined, snapshot?.response);
  }
}

function flushSocket(res: Response): void {
  const socket = res.socket;
  if (socket && socket.writableCorked > 0) socket.uncork();
}
