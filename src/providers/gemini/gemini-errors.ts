import type { UpstreamErrorDetails } from '../upstream-http.js';

/**
 * Google's canonical error codes (google.rpc.Code names, as `error.status`) → HTTP status.
 * Google sends the HTTP status as `error.code` too; this table is for bodies where it is
 * missing or is not an HTTP status, such as errors reported inside a stream that answered 200.
 */
const STATUS_BY_GOOGLE_CODE: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  DATA_LOSS: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/**
 * Gemini words a too-long prompt as "The input token count (N) exceeds the maximum number of
 * tokens allowed (M)", which the shared context-window test does not recognise; the code says it.
 */
const CONTEXT_WINDOW = /input token count.*exceeds the maximum|exceeds the maximum number of tokens|context window/i;

interface GoogleError {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

/**
 * Reads a Google error body (`{"error":{"code","message","status","details"}}`, or a list of
 * them, which streamGenerateContent sometimes sends). Undefined when the body is not one, so
 * the caller falls back to the default reading (Claude on Vertex answers in Anthropic's shape).
 */
export function googleErrorDetails(httpStatus: number, text: string): UpstreamErrorDetails | undefined {
  const error = googleError(text);
  if (!error) return undefined;
  const name = typeof error.status === 'string' ? error.status : undefined;
  const code = typeof error.code === 'number' && error.code >= 400 && error.code <= 599 ? error.code : undefined;
  const status = (httpStatus >= 400 ? httpStatus : undefined) ?? code ?? (name ? STATUS_BY_GOOGLE_CODE[name] : undefined) ?? 502;
  const message = typeof error.message === 'string' ? error.message : undefined;
  const contextWindow = status === 400 && message !== undefined && CONTEXT_WINDOW.test(message);
  return {
    status,
    message,
    type: name,
    code: contextWindow ? 'context_length_exceeded' : (name ?? null),
    retryAfter: retryDelay(error.details),
  };
}

/** Whether a stream event's data is a Google error rather than a GenerateContentResponse. */
export function isGoogleErrorEvent(value: unknown): boolean {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'object' && v !== null && typeof (v as { error?: unknown }).error === 'object' && (v as { error?: unknown }).error !== null;
}

function googleError(text: string): GoogleError | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(body)) body = body[0];
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as GoogleError;
  // Anthropic's errors on Vertex have a `type` and no `status`/`code`: not Google's.
  if (e.status === undefined && e.code === undefined) return undefined;
  return e;
}

/** google.rpc.RetryInfo's retryDelay ("17s", "0.5s") as Retry-After seconds. */
function retryDelay(details: unknown): string | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    const info = d as { '@type'?: unknown; retryDelay?: unknown };
    if (typeof info?.['@type'] !== 'string' || !info['@type'].endsWith('google.rpc.RetryInfo')) continue;
    const m = typeof info.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(info.retryDelay) : null;
    if (m) return String(Math.ceil(Number(m[1])));
  }
  return undefined;
}
