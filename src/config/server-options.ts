import type { DestinationStream } from 'pino';

/**
 * How the HTTP server behaves in front of clients and behind an ingress. Decided in main.ts
 * from flags and environment (see src/cli/server-flags.ts); every field has a safe default so
 * tests and embedders can pass nothing.
 */
export interface ServerOptions {
  /** Every route is served under this prefix ('' or e.g. '/llm'). */
  readonly basePath?: string;
  /** Express `trust proxy`: false (default) ignores X-Forwarded-For. */
  readonly trustProxy?: boolean | number | string;
  /** Allowed CORS origins; undefined = CORS off. ['*'] allows any origin. */
  readonly corsOrigins?: readonly string[];
  readonly bodyLimitBytes?: number;
  /** Above the ingress's idle timeout, so the gateway never closes a connection the ingress is about to reuse. */
  readonly keepAliveTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  /** How long in-flight requests and streams may run after SIGTERM. */
  readonly shutdownGraceMs?: number;
  /** After SIGTERM, keep accepting (with readiness failing) this long so load balancers can notice. */
  readonly shutdownDelayMs?: number;
  readonly logLevel?: string;
  /** Open sockets per upstream host; undefined leaves the process's current setting (default 1024). */
  readonly upstreamMaxSockets?: number;
  /**
   * How long start-up keeps retrying an unreachable PostgreSQL store (a database often comes up
   * after the gateway's pod). Undefined or 0: fail at once (embedders, tests); the CLI defaults to 60 s.
   */
  readonly storeConnectTimeoutMs?: number;
  /** Where JSON log lines go (default stdout). Tests pass an in-memory stream. */
  readonly logDestination?: DestinationStream;
}

export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 30_000;
export const DEFAULT_STORE_CONNECT_TIMEOUT_MS = 60_000;
