import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode } from './gateway-error.js';
import { isAnthropicRoute, mapAnthropicError, mapError, toGatewayError } from './error-mapping.js';
import type { GatewayRequest } from './request-context.js';
import { writeSseError } from './sse.js';

/**
 * The one place where errors become HTTP responses. Registered globally (APP_FILTER) and
 * catching everything, so neither Nest's default body nor Express's HTML page can ever
 * reach a client.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('GatewayExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const gatewayError = toGatewayError(exception, { method: req.method, path: req.path });
    (req as GatewayRequest).telemetry?.failed(gatewayError.code);
    if (gatewayError.code === ErrorCode.Internal) {
      const detail = exception instanceof Error ? exception.stack ?? exception.message : String(exception);
      this.logger.error(`request ${String(res.getHeader('x-request-id') ?? '-')} ${req.method} ${req.path}: ${detail}`);
    }
    // originalUrl: middleware (the body parser) sees a path relative to its mount point.
    const anthropic = isAnthropicRoute((req.originalUrl ?? req.url).split('?')[0]);
    if (res.headersSent) {
      // A stream already committed to 200: the only honest signal left is an SSE error event.
      writeSseError(res, gatewayError, anthropic ? 'messages' : 'chat');
      return;
    }
    // One mapping, two body shapes: the endpoint decides which its clients can read.
    const mapped = anthropic ? mapAnthropicError(gatewayError) : mapError(gatewayError);
    for (const [name, value] of Object.entries(mapped.headers)) res.setHeader(name, value);
    res.status(mapped.status).json(mapped.body);
  }
}
