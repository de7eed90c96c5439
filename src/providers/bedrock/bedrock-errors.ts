import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamErrorDetails } from '../upstream-http.js';

/**
 * Bedrock's error types → HTTP status, for the router's retry and cooldown classes. The same
 * table serves HTTP errors and exceptions inside a stream (which arrive after a 200, named in
 * lowerCamel case). ServiceQuotaExceeded is sent as a 400 but means "over your quota, try
 * later": it is treated as the rate limit it is. ModelNotReady is AWS's own 429.
 */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  ThrottlingException: 429,
  TooManyRequestsException: 429,
  ServiceQuotaExceededException: 429,
  ModelNotReadyException: 429,
  ValidationException: 400,
  SerializationException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ExpiredTokenException: 403,
  IncompleteSignatureException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

/** How Bedrock's models word a prompt longer than their context window. */
const CONTEXT_WINDOW = /input is too long|too many (input )?tokens|prompt is too long|exceeds? the (maximum )?context|maximum context length|context window/i;

/** `ThrottlingException:http://internal.amazon.com/coral/...`, `com.amazon.coral.service#ValidationException`, `throttlingException` → `ThrottlingException`. */
export function bedrockErrorType(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const name = raw.split(':')[0].split('#').pop()!.trim();
  return name ? name[0].toUpperCase() + name.slice(1) : undefined;
}

/** The details of one Bedrock error, from its type (header or body) and message. */
export function bedrockError(type: string | undefined, message: string | undefined, httpStatus?: number): UpstreamErrorDetails {
  const status = (type ? STATUS_BY_TYPE[type] : undefined) ?? (httpStatus !== undefined && httpStatus >= 400 ? httpStatus : 502);
  const contextWindow = status === 400 && message !== undefined && CONTEXT_WINDOW.test(message);
  return { status, message, type, code: contextWindow ? 'context_length_exceeded' : (type ?? null) };
}

/** Reads a non-2xx Bedrock answer: the type in `x-amzn-errortype` (or the body's `__type`), the reason in `message`. */
export function bedrockErrorDetails(httpStatus: number, text: string, headers: IncomingHttpHeaders): UpstreamErrorDetails {
  let body: { message?: unknown; Message?: unknown; __type?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as typeof body;
  } catch {
    /* an HTML page from a proxy: the status says enough */
  }
  const header = headers['x-amzn-errortype'];
  const type = bedrockErrorType(typeof header === 'string' ? header : typeof body.__type === 'string' ? body.__type : undefined);
  const m = body.message ?? body.Message;
  return bedrockError(type, typeof m === 'string' ? m : undefined, httpStatus);
}
