import { HttpException } from '@nestjs/common';
import { ErrorCode, GatewayError, truncate } from './gateway-error.js';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface MappedError {
  status: number;
  body: OpenAiErrorBody;
  headers: Record<string, string>;
}

const UPSTREAM_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/**
 * The single translation of the error taxonomy to HTTP. Used by the exception filter for
 * ordinary responses and by the SSE writer for errors that happen after a stream started,
 * so the two can never disagree.
 */
export function mapError(err: unknown): MappedError {
  const gatewayError = toGatewayError(err);
  const { status, type, code } = describe(gatewayError);
  const headers: Record<string, string> = { ...(gatewayError.headers ?? {}) };
  if (gatewayError.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(gatewayError.retryAfterSeconds)));
  }
  // The OpenAI and Anthropic SDKs retry any 5xx unless told not to; a config mistake will not fix itself.
  if (gatewayError.code === ErrorCode.DeploymentMisconfigured) headers['x-should-retry'] = 'false';
  return {
    status,
    headers,
    body: { error: { message: gatewayError.message, type, param: gatewayError.param, code } },
  };
}

function describe(err: GatewayError): { status: number; type: string; code: string | null } {
  switch (err.code) {
    case ErrorCode.ModelNotFound:
      return { status: 404, type: 'invalid_request_error', code: 'model_not_found' };
    case ErrorCode.InvalidRequest:
      return { status: 400, type: 'invalid_request_error', code: null };
    case ErrorCode.UnsupportedMediaType:
      return { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type' };
    case ErrorCode.PayloadTooLarge:
      return { status: 413, type: 'invalid_request_error', code: 'payload_too_large' };
    case ErrorCode.RouteNotFound:
      return { status: 404, type: 'invalid_request_error', code: 'not_found' };
    case ErrorCode.Unauthorized:
      return { status: 401, type: 'authentication_error', code: 'invalid_api_key' };
    case ErrorCode.Forbidden:
      return { status: 403, type: 'permission_error', code: 'permission_denied' };
    case ErrorCode.RateLimited:
      return { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' };
    case ErrorCode.BudgetExceeded:
      return { status: 429, type: 'rate_limit_error', code: 'budget_exceeded' };
    case ErrorCode.UpstreamRejected: {
      const status = err.upstreamStatus && err.upstreamStatus >= 400 && err.upstreamStatus < 500 ? err.upstreamStatus : 400;
      const type = UPSTREAM_TYPE_BY_STATUS[status] ?? 'invalid_request_error';
      const upstreamCode = err.upstreamCode;
      return { status, type, code: upstreamCode === undefined || upstreamCode === null ? null : String(upstreamCode) };
    }
    case ErrorCode.UpstreamError:
      return { status: 502, type: 'api_error', code: 'upstream_error' };
    case ErrorCode.DeploymentMisconfigured:
      return { status: 502, type: 'api_error', code: 'deployment_misconfigured' };
    case ErrorCode.UpstreamTimeout:
      return { status: 504, type: 'timeout_error', code: 'upstream_timeout' };
    case ErrorCode.NoHealthyDeployment:
      return { status: 503, type: 'api_error', code: 'no_healthy_deployment' };
    case ErrorCode.ShuttingDown:
      return { status: 503, type: 'api_error', code: 'shutting_down' };
    case ErrorCode.NotReady:
      return { status: 503, type: 'api_error', code: 'not_ready' };
    // OpenAI's own answer to an unknown previous_response_id; clients that recover by resending the
    // whole conversation recognise this code.
    case ErrorCode.PreviousResponseNotFound:
      return { status: 400, type: 'invalid_request_error', code: 'previous_response_not_found' };
    case ErrorCode.ResponseStoreUnavailable:
      return { status: 503, type: 'api_error', code: 'response_store_unavailable' };
    case ErrorCode.Internal:
      return { status: 500, type: 'api_error', code: 'internal_error' };
    default: {
      const exhaustive: never = err.code;
      return exhaustive;
    }
  }
}

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic's error type for each status the gateway answers with (docs.anthropic.com, "Errors"). */
const ANTHROPIC_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/**
 * The same failure as mapError() — same status, same headers (retry-after, x-ratelimit-*), same
 * message — in the Anthropic Messages API's error shape, for the /v1/messages routes, whose
 * clients (Anthropic SDKs, Claude Code) read only that shape.
 */
export function mapAnthropicError(err: unknown): { status: number; headers: Record<string, string>; body: AnthropicErrorBody } {
  const mapped = mapError(err);
  const gatewayError = toGatewayError(err);
  let type = ANTHROPIC_TYPE_BY_STATUS[mapped.status] ?? (mapped.status >= 500 ? 'api_error' : 'invalid_request_error');
  // 503 means "try later" for every cause, but only an exhausted group is Anthropic's overload.
  if (mapped.status === 503 && gatewayError.code !== ErrorCode.NoHealthyDeployment) type = 'api_error';
  return { status: mapped.status, headers: mapped.headers, body: { type: 'error', error: { type, message: mapped.body.error.message } } };
}

/**
 * Whether a path is one of the Anthropic-compatible routes (/v1/messages, /messages, their
 * count_tokens; under any --base-path), whose errors take Anthropic's shape. Called only when an
 * error is answered, so failures raised before any controller (auth, body parsing) count too.
 */
export function isAnthropicRoute(path: string): boolean {
  return ANTHROPIC_ROUTE.test(path);
}

const ANTHROPIC_ROUTE = /(?:^|\/)(?:v1\/)?messages(?:\/count_tokens)?\/?$/;

/** The request an error answers, when known: lets a framework 404 name the route without its query. */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
}

/** Normalises anything thrown into the taxonomy, without leaking internals of unknown errors. */
export function toGatewayError(err: unknown, route?: RouteInfo): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HttpException) return fromHttpException(err, route);
  return new GatewayError(ErrorCode.Internal, 'The gateway hit an internal error. It has been logged.', { cause: err });
}

function fromHttpException(err: HttpException, route: RouteInfo | undefined): GatewayError {
  const status = err.getStatus();
  const response = err.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? flattenMessage((response as { message: unknown }).message)
      : err.message;
  switch (status) {
    case 400:
      return new GatewayError(ErrorCode.InvalidRequest, message);
    case 401:
      return new GatewayError(ErrorCode.Unauthorized, message);
    case 403:
      return new GatewayError(ErrorCode.Forbidden, message);
    case 404:
      // Nest's unknown-route message is "Cannot GET <url>", query string included — and query
      // strings carry keys (`/key/info?key=sk-...`). The path alone names the route.
      return new GatewayError(
        ErrorCode.RouteNotFound,
        route ? `No route ${route.method} ${truncate(route.path, 200)}.` : message.replace(/\?\S*/g, ''),
      );
    case 413:
      return new GatewayError(ErrorCode.PayloadTooLarge, message);
    case 415:
      return new GatewayError(ErrorCode.UnsupportedMediaType, message);
    case 429:
      return new GatewayError(ErrorCode.RateLimited, message);
    default:
      return status >= 400 && status < 500
        ? new GatewayError(ErrorCode.UpstreamRejected, message, { upstreamStatus: status })
        : new GatewayError(ErrorCode.Internal, 'The gateway hit an internal error. It has been logged.', { cause: err });
  }
}

function flattenMessage(message: unknown): string {
  if (Array.isArray(message)) return message.map(String).join('; ');
  return String(message);
}
