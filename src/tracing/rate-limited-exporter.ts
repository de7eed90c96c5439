import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export const EXPORT_FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Passes spans to the OTLP exporter and reports failed exports (collector down, rejected batch)
 * through `warn` at most once a minute, with how many batches failed since: a dead collector
 * must neither flood the logs nor go unnoticed. Requests never see any of this.
 */
export class RateLimitedExporter implements SpanExporter {
  private lastLogMs = -Infinity;
  private failedSinceLog = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly warn: (message: string, failedBatches: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const done = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      if (result.code !== ExportResultCode.SUCCESS) this.failed(result.error);
      resultCallback(result);
    };
    try {
      this.inner.export(spans, done);
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  private failed(error: Error | undefined): void {
    this.failedSinceLog++;
    const now = this.now();
    if (now - this.lastLogMs < EXPORT_FAILURE_LOG_INTERVAL_MS) return;
    this.lastLogMs = now;
    const n = this.failedSinceLog;
    this.failedSinceLog = 0;
    this.warn(error?.message ?? 'export failed', n);
  }
}
