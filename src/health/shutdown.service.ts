import type { Server } from 'node:http';
import { Injectable } from '@nestjs/common';
import { AppLogger } from '../logging/app-logger.service.js';
import { ReadinessService } from './readiness.service.js';

/** Work that must finish before the process exits (pending spend or log writes). */
export type FlushHook = () => Promise<unknown> | unknown;

export interface DrainOptions {
  /** Total time allowed for in-flight requests, counted from the start of shutdown. */
  readonly graceMs: number;
  /** Keep accepting (readiness failing) this long first, so load balancers can take the instance out. */
  readonly delayMs?: number;
}

export interface DrainResult {
  /** Requests still open when the grace period ended (their connections were closed). */
  readonly cut: number;
  readonly flushFailures: string[];
}

const FLUSH_TIMEOUT_MS = 10_000;

/**
 * Graceful shutdown: fail readiness, stop accepting, let in-flight requests and streams finish
 * within the grace period, then run the flush hooks other modules registered. It also owns the
 * in-flight count (the telemetry middleware moves it; /metrics reads it).
 */
@Injectable()
export class ShutdownService {
  private readonly hooks: { name: string; hook: FlushHook }[] = [];
  private inFlightCount = 0;
  private draining = false;
  private onIdle?: () => void;
  private server?: Server;
  private running?: Promise<DrainResult>;

  constructor(
    private readonly readiness: ReadinessService,
    private readonly logger: AppLogger,
  ) {}

  /** Registers work to run once requests have drained and before the app closes. */
  onShutdown(name: string, hook: FlushHook): void {
    this.hooks.push({ name, hook });
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  requestStarted(): void {
    this.inFlightCount++;
  }

  requestFinished(): void {
    this.inFlightCount--;
    if (this.draining) {
      // Keep-alive sockets that just went idle would otherwise hold the server open.
      this.server?.closeIdleConnections();
      if (this.inFlightCount <= 0) this.onIdle?.();
    }
  }

  /** Idempotent: a second signal while draining waits for the same drain. */
  drain(server: Server, options: DrainOptions): Promise<DrainResult> {
    this.running ??= this.run(server, options);
    return this.running;
  }

  private async run(server: Server, options: DrainOptions): Promise<DrainResult> {
    const started = Date.now();
    const log = this.logger.pino;
    this.readiness.markShuttingDown();
    log.info({ context: 'Shutdown', inFlight: this.inFlightCount, graceMs: options.graceMs, delayMs: options.delayMs ?? 0 }, 'shutdown started');
    if (options.delayMs) await sleep(options.delayMs);

    this.server = server;
    this.draining = true;
    server.close();
    server.closeIdleConnections();

    const remaining = Math.max(0, options.graceMs - (Date.now() - started));
    if (this.inFlightCount > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const cut = Math.max(0, this.inFlightCount);
    if (cut > 0) {
      log.warn({ context: 'Shutdown', cut }, `grace period over: closing ${cut} open request(s)`);
      server.closeAllConnections();
    }

    const flushFailures: string[] = [];
    for (const { name, hook } of this.hooks) {
      try {
        await withTimeout(Promise.resolve().then(hook), FLUSH_TIMEOUT_MS);
      } catch (err) {
        flushFailures.push(name);
        log.error({ context: 'Shutdown', hook: name, err: { message: (err as Error)?.message } }, 'flush hook failed');
      }
    }
    log.info({ context: 'Shutdown', cut, ms: Date.now() - started }, 'requests drained');
    return { cut, flushFailures };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
