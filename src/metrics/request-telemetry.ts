import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SseEvent } from '../providers/provider-adapter.js';

export const OVERHEAD_HEADER = 'x-switchboard-overhead-ms';

export interface TokenUsage {
  readonly prompt: number;
  readonly completion: number;
  readonly total: number;
}

/**
 * Per-request timing and facts, filled in along the one request path and read once when the
 * response closes (logs and metrics). Plain fields and no closures, so it costs one small
 * object per request.
 *
 * Times are performance.now() milliseconds. "Upstream" starts when the endpoint handler runs
 * (after auth, body parsing and validation) and ends when the provider's answer is ready
 * (JSON) or its last event has been relayed (stream); the gateway's overhead is the rest.
 */
export class RequestTelemetry {
  readonly start = performance.now();
  handlerStart = 0;
  upstreamEnd = 0;
  firstEvent = 0;
  /** Pre-stream overhead for streams; total minus upstream for JSON. */
  overheadMs?: number;
  stream = false;
  errorCode?: string;
  usage?: TokenUsage;
  /** Data of the last stream event that mentioned usage; parsed once, at the end. */
  private usageEvent?: string;

  /** Called by requestContext() when the endpoint handler starts. */
  handlerStarted(): void {
    this.handlerStart = performance.now();
  }

  /** The provider's JSON answer is ready: sets the overhead header before the body is written. */
  jsonReady(res: ServerResponse, body: Record<string, unknown>): void {
    const now = performance.now();
    this.upstreamEnd = now;
    this.usage = usageOf(body);
    this.setOverheadHeader(res);
  }

  /** The first event of a stream is about to be sent (headers not yet flushed). */
  streamStarting(res: ServerResponse): void {
    const now = performance.now();
    this.stream = true;
    this.firstEvent = now;
    this.setOverheadHeader(res);
  }

  streamEvent(e: SseEvent): void {
    if (e.data.includes('"usage"')) this.usageEvent = e.data;
  }

  streamEnded(): void {
    this.upstreamEnd = performance.now();
    if (this.usageEvent) {
      try {
        const parsed = JSON.parse(this.usageEvent) as Record<string, unknown>;
        const response = parsed.response as Record<string, unknown> | undefined;
        this.usage = usageOf(parsed) ?? (response && typeof response === 'object' ? usageOf(response) : undefined);
      } catch {
        /* a provider's odd event must not break accounting */
      }
      this.usageEvent = undefined;
    }
  }

  /**
   * The header goes out before the body, so it carries the overhead known by then: the time
   * before the handler ran (routing, auth, body parsing, validation). Metrics add the time
   * spent writing the response once it is known.
   */
  private setOverheadHeader(res: ServerResponse): void {
    if (!this.handlerStart || res.headersSent) return;
    this.overheadMs = this.handlerStart - this.start;
    res.setHeader(OVERHEAD_HEADER, this.overheadMs.toFixed(2));
  }

  failed(code: string): void {
    this.errorCode ??= code;
  }

  /** Milliseconds between the handler start and the provider's answer, when both are known. */
  get upstreamMs(): number | undefined {
    return this.handlerStart && this.upstreamEnd ? this.upstreamEnd - this.handlerStart : undefined;
  }

  get ttftMs(): number | undefined {
    return this.firstEvent ? this.firstEvent - this.start : undefined;
  }
}

/** Chat/embeddings (prompt_tokens, completion_tokens) and Responses (input_tokens, output_tokens). */
export function usageOf(body: Record<string, unknown>): TokenUsage | undefined {
  const u = body.usage as Record<string, unknown> | null | undefined;
  if (!u || typeof u !== 'object') return undefined;
  const prompt = num(u.prompt_tokens) ?? num(u.input_tokens) ?? 0;
  const completion = num(u.completion_tokens) ?? num(u.output_tokens) ?? 0;
  const total = num(u.total_tokens) ?? prompt + completion;
  return { prompt, completion, total };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
