import type { Request, Response } from 'express';
import { ANONYMOUS, Caller } from '../auth/caller.js';
import type { RequestTelemetry } from '../metrics/request-telemetry.js';
import type { UsageMeter } from '../spend/usage-meter.js';
import type { RequestTrace } from '../tracing/request-trace.js';

/** Per-request facts every endpoint service needs, with no framework types inside. */
export interface RequestContext {
  readonly requestId: string;
  readonly caller: Caller;
  /** Aborted when the client disconnects before the response is complete. */
  readonly signal: AbortSignal;
  /** Charges the served result to spend and token limits (inference routes; set by KeyAdmissionService). */
  readonly meter?: UsageMeter;
  /** The request's OpenTelemetry span; only when tracing is on. */
  readonly trace?: RequestTrace;
}

export interface GatewayRequest extends Request {
  requestId?: string;
  caller?: Caller;
  /** Timing and usage for logs and metrics (set by RequestTelemetryMiddleware). */
  telemetry?: RequestTelemetry;
  usageMeter?: UsageMeter;
  /** Set by RequestTelemetryMiddleware on inference routes when tracing is on. */
  trace?: RequestTrace;
}

export function requestContext(req: GatewayRequest, res: Response): RequestContext {
  req.telemetry?.handlerStarted();
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return { requestId: req.requestId ?? '-', caller: req.caller ?? ANONYMOUS, signal: controller.signal, meter: req.usageMeter, trace: req.trace };
}
