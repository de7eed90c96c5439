import type { DeploymentTarget } from '../routing/routing-table.js';

/** One server-sent event, as received from or sent to a peer. */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

export type JsonObject = Record<string, unknown>;

/** Per-call settings decided by the router; adapters just honour them. */
export interface UpstreamCallContext {
  /** Aborted when the client goes away or the router gives up on this attempt. */
  readonly signal: AbortSignal;
  readonly requestId: string;
  /** Whole-request budget for a JSON call; for a stream, the time allowed until the response headers. */
  readonly timeoutMs: number;
  /** For streams: the longest silence allowed between two chunks. */
  readonly streamIdleTimeoutMs: number;
  /** W3C trace context (traceparent, tracestate) of this attempt's span; only when tracing is on. */
  readonly traceHeaders?: Readonly<Record<string, string>>;
}

export interface UpstreamStream {
  readonly events: AsyncIterable<SseEvent>;
  /** Upstream response headers worth passing on (x-ratelimit-*, request ids). */
  readonly headers: Readonly<Record<string, string>>;
}

export type Operation = 'chat' | 'responses' | 'embeddings' | 'messages' | 'rerank';

/**
 * A provider: plain requests in, plain results or async iterables of events out. No HTTP
 * framework types, no state beyond connection pools: the target carries everything that
 * differs per deployment.
 */
export interface ProviderAdapter {
  readonly name: string;
  /** Whether the provider natively serves an operation (responses: false means bridge through chat). */
  /** `target`, when given, lets one adapter answer per model (vertex_ai: Claude serves Messages natively, Gemini does not). */
  supports(op: Operation, target?: DeploymentTarget): boolean;
  chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject>;
  chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream>;
  responses(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject>;
  responsesStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream>;
  embeddings(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject>;
  /**
   * The Anthropic Messages API, natively (supports('messages')). `headers` are the client's
   * allow-listed Anthropic headers (anthropic-version, anthropic-beta); the body is sent as
   * given except `model`. Providers without it are served through the Messages <-> Chat bridge.
   */
  messages?(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<JsonObject>;
  messagesStream?(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<UpstreamStream>;
  /** The provider's own token count for a Messages body (`{ input_tokens }`); never a completion. */
  countTokens?(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<JsonObject>;
  /**
   * Rerank (supports('rerank')): a validated Cohere-shaped body in (query, documents as strings,
   * top_n, return_documents), a Cohere-shaped answer out ({ id, results, meta }).
   */
  rerank?(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject>;
}

export const PROVIDER_ADAPTERS = Symbol('PROVIDER_ADAPTERS');
