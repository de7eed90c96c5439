/**
 * The one error taxonomy of the gateway. Everything that can fail is expressed as a
 * GatewayError with one of these codes; GatewayExceptionFilter is the only place that
 * turns a code into an HTTP status and an OpenAI-shaped body.
 */
export enum ErrorCode {
  ModelNotFound = 'model_not_found',
  InvalidRequest = 'invalid_request',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  RouteNotFound = 'route_not_found',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  RateLimited = 'rate_limited',
  BudgetExceeded = 'budget_exceeded',
  /** The upstream answered with a 4xx: its status and message are passed on. */
  UpstreamRejected = 'upstream_rejected',
  /** The upstream answered 5xx, or could not be reached, after retries and fallbacks. */
  UpstreamError = 'upstream_error',
  UpstreamTimeout = 'upstream_timeout',
  /** The deployment cannot be called as configured (e.g. its api_key variable is unset). */
  DeploymentMisconfigured = 'deployment_misconfigured',
  /** Every deployment of the group is cooling down. */
  NoHealthyDeployment = 'no_healthy_deployment',
  ShuttingDown = 'shutting_down',
  /** A readiness check failed (store, Redis, ...): the instance should get no traffic. */
  NotReady = 'not_ready',
  /** previous_response_id names no bridged response this caller may continue (unknown, expired, not stored, another key's). */
  PreviousResponseNotFound = 'previous_response_not_found',
  /** The store of bridged responses (Redis) did not answer in time: a continuation cannot be built. */
  ResponseStoreUnavailable = 'response_store_unavailable',
  Internal = 'internal_error',
}

export interface GatewayErrorOptions {
  param?: string | null;
  /** For UpstreamRejected: the status the upstream answered with. */
  upstreamStatus?: number;
  /** For UpstreamRejected: the upstream's own error type, when it gave one. */
  upstreamType?: string;
  /** For UpstreamRejected: the upstream's own error code, when it gave one. */
  upstreamCode?: string | number | null;
  /** Seconds the client should wait before retrying (429 / 503). */
  retryAfterSeconds?: number;
  /** Extra response headers (e.g. x-ratelimit-*). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly param: string | null;
  readonly upstreamStatus?: number;
  readonly upstreamType?: string;
  readonly upstreamCode?: string | number | null;
  readonly retryAfterSeconds?: number;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.param = options.param ?? null;
    this.upstreamStatus = options.upstreamStatus;
    this.upstreamType = options.upstreamType;
    this.upstreamCode = options.upstreamCode;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
  }

  static modelNotFound(model: string): GatewayError {
    return new GatewayError(
      ErrorCode.ModelNotFound,
      `The model '${truncate(model, 200)}' does not exist or is not configured on this gateway.`,
      { param: 'model' },
    );
  }

  static invalid(message: string, param: string | null = null): GatewayError {
    return new GatewayError(ErrorCode.InvalidRequest, message, { param });
  }
}

export function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
