import { performance } from 'node:perf_hooks';
import { Inject, Injectable, NestMiddleware, Optional } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { GATEWAY_OPTIONS } from '../config/gateway-options.js';
import type { GatewayOptions } from '../config/gateway-options.js';
import type { GatewayRequest } from '../common/request-context.js';
import { ShutdownService } from '../health/shutdown.service.js';
import { AppLogger } from '../logging/app-logger.service.js';
import { TracingService } from '../tracing/tracing.service.js';
import { DeploymentIndex } from './deployment-index.js';
import { MetricsService } from './metrics.service.js';
import { RequestTelemetry } from './request-telemetry.js';

const DEPLOYMENT_HEADER = 'x-switchboard-deployment';
const CACHE_HEADER = 'x-switchboard-cache';

/**
 * First in the chain: starts the request's telemetry, counts it in flight, and when the
 * response closes writes one structured log line and the metrics. One object and one 'close'
 * listener per request; everything else happens once, at the end.
 *
 * Never logged: headers (keys live there), query strings, bodies — except the prompt when
 * general_settings.log_prompts is true.
 */
@Injectable()
export class RequestTelemetryMiddleware implements NestMiddleware {
  private readonly index = new DeploymentIndex();
  private readonly basePath: string;
  /** Only when tracing is on: off, the per-request cost is this one undefined check. */
  private readonly tracing?: TracingService;

  constructor(
    private readonly metrics: MetricsService,
    private readonly logger: AppLogger,
    private readonly shutdown: ShutdownService,
    private readonly registry: ConfigRegistryService,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Optional() tracing?: TracingService,
  ) {
    this.basePath = options.server?.basePath ?? '';
    if (tracing?.enabled) this.tracing = tracing;
    metrics.setInFlightSource(() => shutdown.inFlight);
  }

  use(req: GatewayRequest, res: Response, next: NextFunction): void {
    const telemetry = new RequestTelemetry();
    req.telemetry = telemetry;
    if (this.tracing) req.trace = this.tracing.startRequest(req);
    this.shutdown.requestStarted();
    // While draining, ask clients (and the ingress) not to reuse this connection.
    if (this.shutdown.isDraining) res.setHeader('connection', 'close');
    res.once('close', () => this.finish(req, res, telemetry));
    next();
  }

  private finish(req: GatewayRequest, res: Response, t: RequestTelemetry): void {
    this.shutdown.requestFinished();
    const end = performance.now();
    const totalMs = end - t.start;
    const table = this.registry.table;
    const deploymentId = res.getHeader(DEPLOYMENT_HEADER);
    const requested = typeof req.body?.model === 'string' ? (req.body.model as string) : undefined;
    const label = typeof deploymentId === 'string' ? this.index.lookup(table, deploymentId) : undefined;
    const group = label?.group ?? (requested !== undefined ? this.index.groupOf(table, requested) : '');
    const provider = label?.provider ?? '';
    // Aborted before the response completed: not a server status, so say so.
    const aborted = !res.writableFinished;
    const status = aborted && !res.headersSent ? 499 : res.statusCode;
    const route = this.routeOf(req);
    const cache = res.getHeader(CACHE_HEADER);
    // A cache hit reached no provider: no upstream time, and its tokens are not upstream tokens.
    const hit = cache === 'hit';
    const upstreamMs = hit ? undefined : t.upstreamMs;
    const overheadMs = upstreamMs !== undefined ? Math.max(0, totalMs - upstreamMs) : undefined;
    const errorCode = t.errorCode ?? (aborted ? 'client_closed' : undefined);

    this.metrics.recordRequest({
      route,
      model: group,
      provider,
      status,
      errorCode,
      durationS: totalMs / 1000,
      upstreamS: upstreamMs !== undefined ? upstreamMs / 1000 : undefined,
      ttftS: t.ttftMs !== undefined ? t.ttftMs / 1000 : undefined,
      overheadS: overheadMs !== undefined ? overheadMs / 1000 : undefined,
      promptTokens: hit ? undefined : t.usage?.prompt,
      completionTokens: hit ? undefined : t.usage?.completion,
    });
    req.trace?.end({
      status,
      route,
      aborted,
      errorCode: t.errorCode,
      group,
      deploymentId: typeof deploymentId === 'string' ? deploymentId : undefined,
      provider,
      usage: t.usage,
      body: req.body,
      keyAlias: req.caller?.keyAlias,
      requestId: req.requestId,
    });

    const log = this.logger.pino;
    if (!log.isLevelEnabled('info')) return;
    const line: Record<string, unknown> = {
      reqId: req.requestId,
      method: req.method,
      route,
      path: pathOnly(req.originalUrl),
      status,
      latencyMs: round(totalMs),
      clientIp: req.ip,
    };
    if (requested !== undefined) line.model = requested;
    if (group) line.group = group;
    if (typeof deploymentId === 'string') line.deployment = deploymentId;
    if (provider) line.provider = provider;
    if (t.stream) line.stream = true;
    if (typeof cache === 'string') line.cache = cache;
    if (upstreamMs !== undefined) line.upstreamMs = round(upstreamMs);
    if (t.ttftMs !== undefined) line.ttftMs = round(t.ttftMs);
    if (overheadMs !== undefined) line.overheadMs = round(overheadMs);
    if (t.usage) {
      line.promptTokens = t.usage.prompt;
      line.completionTokens = t.usage.completion;
      line.totalTokens = t.usage.total;
    }
    if (errorCode) line.errorCode = errorCode;
    if (this.registry.config.general.logPrompts && req.body && typeof req.body === 'object') {
      const prompt = req.body.messages ?? req.body.input ?? req.body.prompt;
      if (prompt !== undefined) line.prompt = prompt;
    }
    log.info(line, 'request');
  }

  private routeOf(req: GatewayRequest): string {
    const path = (req as { route?: { path?: unknown } }).route?.path;
    if (typeof path !== 'string') return 'unmatched';
    return this.basePath && path.startsWith(this.basePath) ? path.slice(this.basePath.length) || '/' : path;
  }
}

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
