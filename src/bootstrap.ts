import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { mapError } from './common/error-mapping.js';
import { ErrorCode, GatewayError } from './common/gateway-error.js';
import type { GatewayOptions } from './config/gateway-options.js';
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS } from './config/server-options.js';
import type { ServerOptions } from './config/server-options.js';
import { AppLogger } from './logging/app-logger.service.js';
import { publishOpenApi } from './openapi/openapi-document.js';
import { setUpstreamMaxSockets } from './providers/upstream-http.js';

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
}

/** Headers a browser client may read on a CORS response. */
const EXPOSED_HEADERS = ['x-request-id', 'x-switchboard-deployment', 'x-switchboard-overhead-ms', 'retry-after'];

/**
 * Builds the application. Shared by main.ts and the e2e tests, so tests run the real wiring.
 * `logger: false` silences every log (embedded use); signal handling is main.ts's business,
 * so nothing here installs process listeners.
 */
export async function createApp(options: GatewayOptions, logger: false | undefined = undefined): Promise<NestExpressApplication> {
  const server: ServerOptions = { ...options.server, logLevel: logger === false ? 'silent' : options.server?.logLevel };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...options, server }), {
    bodyParser: false,
    logger: logger === false ? false : undefined,
    bufferLogs: logger !== false,
  });
  if (logger !== false) app.useLogger(app.get(AppLogger));
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', server.trustProxy ?? false);
  if (server.upstreamMaxSockets !== undefined) setUpstreamMaxSockets(server.upstreamMaxSockets);
  // A global prefix (not an Express mount) so every controller — health, admin, metrics —
  // and the route labels in logs see one consistent path, and nothing answers outside it.
  if (server.basePath) app.setGlobalPrefix(server.basePath);
  if (server.corsOrigins?.length) {
    app.enableCors({
      origin: server.corsOrigins.includes('*') ? '*' : [...server.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
  const http = app.getHttpServer();
  const keepAlive = server.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  const headers = server.headersTimeoutMs ?? keepAlive + 1000;
  http.keepAliveTimeout = keepAlive;
  http.headersTimeout = headers;
  // Node requires requestTimeout >= headersTimeout (0 disables it).
  if (http.requestTimeout !== 0 && http.requestTimeout < headers) http.requestTimeout = headers;
  publishOpenApi(app, server.basePath ?? '');
  if (server.basePath) {
    // Nest's own not-found handler lives under the prefix; outside it Express would answer
    // with an HTML page. Routes are registered by init(), so this lands after all of them.
    await app.init();
    app.use((req: Request, res: Response) => {
      const mapped = mapError(new GatewayError(ErrorCode.RouteNotFound, `No route ${req.method} ${req.path}: this gateway serves under ${server.basePath}.`));
      res.status(mapped.status).json(mapped.body);
    });
  }
  return app;
}
