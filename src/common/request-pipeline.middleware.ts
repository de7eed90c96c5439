import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { GATEWAY_OPTIONS } from '../config/gateway-options.js';
import type { GatewayOptions } from '../config/gateway-options.js';
import { RequestTelemetryMiddleware } from '../metrics/request-telemetry.middleware.js';
import { JsonBodyMiddleware } from './json-body.middleware.js';
import type { GatewayRequest } from './request-context.js';
import { RequestIdMiddleware } from './request-id.middleware.js';

const NOOP = (): void => {};

/**
 * The three middlewares every request passes, run as one. Nest mounts each middleware it is
 * given as its own Express route on '{*splat}', with its own route dispatch, WeakSet entry and
 * error proxy per request; one mounted middleware instead of three was ~7% of the bytes
 * allocated per request (BENCHMARKS.md, issue 15). Order is as before: telemetry first (it
 * must see every request end), then the request id, then the JSON body.
 */
@Injectable()
export class RequestPipelineMiddleware implements NestMiddleware {
  /** POST /config/reload takes no body; every other route gets the strict JSON parser. */
  private readonly bodylessPath: string;

  constructor(
    private readonly telemetry: RequestTelemetryMiddleware,
    private readonly requestId: RequestIdMiddleware,
    private readonly jsonBody: JsonBodyMiddleware,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.bodylessPath = `${options.server?.basePath ?? ''}/config/reload`;
  }

  use(req: GatewayRequest, res: Response, next: NextFunction): void | Promise<void> {
    // Both are synchronous and end by calling next(): nothing runs between them. Nest mounts
    // this with Express use(), which strips the mount path from req.url: compare originalUrl.
    this.telemetry.use(req, res, NOOP);
    this.requestId.use(req, res, NOOP);
    if (req.method === 'POST' && pathOf(req.originalUrl) === this.bodylessPath) return next();
    return this.jsonBody.use(req, res, next);
  }
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
