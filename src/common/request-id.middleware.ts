import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { GatewayRequest } from './request-context.js';

const VALID_ID = /^[\w.:@/+=-]{1,128}$/;

/** Keeps the caller's (or the ingress's) x-request-id when it is sane, else makes one, and echoes it. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(req: GatewayRequest, res: Response, next: NextFunction): void {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = id;
    res.setHeader('x-request-id', id);
    next();
  }
}
