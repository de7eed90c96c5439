import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { AppLogger } from '../logging/app-logger.service.js';
import { redactUrl } from '../common/url-redaction.js';
import { ROUTE_OPERATIONS } from './gen-ai-attributes.js';
import type { OtelSettings } from './otel-settings.js';
import { RequestTrace } from './request-trace.js';
import type { TraceRuntime } from './request-trace.js';

/** Spans wait this long at most before a batch is sent; short enough for a test to see them. */
const EXPORT_DELAY_MS = 1000;
/** One export request's budget: a slow collector delays only the (unref'd) export, never requests. */
const EXPORT_TIMEOUT_MS = 5000;
/** Spans buffered while the collector is away; beyond that the newest are dropped. */
const MAX_QUEUE = 4096;

interface RequestLike {
  readonly method?: string;
  readonly headers: IncomingHttpHeaders;
  readonly originalUrl?: string;
  readonly url?: string;
}

/**
 * OpenTelemetry traces: a private tracer provider (nothing is registered globally, no context
 * manager, no auto-instrumentation) exporting over OTLP/HTTP JSON. When tracing is off the
 * service holds nothing, the SDK is never even loaded, and callers see `enabled === false`.
 */
@Injectable()
export class TracingService implements OnApplicationShutdown {
  private constructor(
    private readonly runtime: TraceRuntime | undefined,
    private readonly provider: BasicTracerProvider | undefined,
    /** Inference route paths, with the base path → gen_ai.operation.name. */
    private readonly routes: ReadonlyMap<string, string>,
  ) {}

  static disabled(): TracingService {
    return new TracingService(undefined, undefined, new Map());
  }

  static async create(settings: OtelSettings | undefined, basePath: string, logger: AppLogger | undefined): Promise<TracingService> {
    if (!settings) return TracingService.disabled();
    const [{ BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler }, { OTLPTraceExporter }, { resourceFromAttributes }, { W3CTraceContextPropagator }, { RateLimitedExporter }] =
      await Promise.all([
        import('@opentelemetry/sdk-trace-base'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/resources'),
        import('@opentelemetry/core'),
        import('./rate-limited-exporter.js'),
      ]);
    const endpoint = redactUrl(settings.endpoint);
    const exporter = new RateLimitedExporter(
      new OTLPTraceExporter({ url: settings.endpoint, headers: { ...settings.headers }, timeoutMillis: EXPORT_TIMEOUT_MS }),
      (message, failedBatches) =>
        logger?.pino.warn({ context: 'Tracing', endpoint, failedBatches }, `trace export failed (${message}); requests are unaffected, spans are dropped`),
    );
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: EXPORT_DELAY_MS, exportTimeoutMillis: EXPORT_TIMEOUT_MS, maxQueueSize: MAX_QUEUE })],
    });
    const runtime: TraceRuntime = {
      tracer: provider.getTracer('switchboard'),
      propagator: new W3CTraceContextPropagator(),
      recordContent: settings.recordContent,
    };
    const routes = new Map(Object.entries(ROUTE_OPERATIONS).map(([path, op]) => [`${basePath}${path}`, op]));
    logger?.pino.info({ context: 'Tracing', endpoint, serviceName: settings.serviceName, sampleRatio: settings.sampleRatio, recordContent: settings.recordContent }, 'OpenTelemetry tracing on');
    return new TracingService(runtime, provider, routes);
  }

  get enabled(): boolean {
    return this.runtime !== undefined;
  }

  /** The SERVER span of an inference request; undefined for any other route (and when off). */
  startRequest(req: RequestLike): RequestTrace | undefined {
    const runtime = this.runtime;
    if (!runtime || req.method !== 'POST') return undefined;
    const url = req.originalUrl ?? req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const operation = this.routes.get(path);
    if (operation === undefined) return undefined;
    return new RequestTrace(runtime, req, operation, path);
  }

  /** Sends what is buffered (graceful shutdown); an unreachable collector costs at most the export timeout. */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}
