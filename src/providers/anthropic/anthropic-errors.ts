import { ErrorCode, GatewayError, truncate } from '../../common/gateway-error.js';
import { redactSecrets } from '../../common/secret-redaction.js';

/**
 * The HTTP status Anthropic documents for each error type. A stream that already answered
 * 200 reports failures as an `error` event carrying only the type, so the status has to be
 * recovered from it to map the failure like its non-streamed twin (overloaded → 529 → 502).
 */
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Turns the payload of a streamed `error` event into the gateway's taxonomy. The message reaches
 * the client, and Anthropic echoes keys in its errors: `secrets` (the deployment's credentials)
 * are cut out of it, as from every other upstream error (upstream-http).
 */
export function streamErrorToGatewayError(data: unknown, secrets: readonly (string | undefined)[] = []): GatewayError {
  const error = (data as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  const type = typeof error?.type === 'string' ? redactSecrets(truncate(error.type, 100), secrets) : 'api_error';
  const detail = typeof error?.message === 'string' ? truncate(redactSecrets(error.message, secrets), 500) : type;
  const status = STATUS_BY_ERROR_TYPE[type] ?? 500;
  const message = `Upstream provider anthropic reported ${type} during the stream: ${detail}`;
  if (status >= 400 && status < 500) {
    return new GatewayError(ErrorCode.UpstreamRejected, message, { upstreamStatus: status, upstreamType: type });
  }
  if (status === 504) return new GatewayError(ErrorCode.UpstreamTimeout, message);
  return new GatewayError(ErrorCode.UpstreamError, message, { upstreamStatus: status });
}
