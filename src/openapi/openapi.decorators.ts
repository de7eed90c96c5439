import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtension, ApiOperation, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { ApiResponseOptions } from '@nestjs/swagger';
import { AnthropicErrorResponseDto, ErrorResponseDto } from './dto/error-response.dto.js';

/** Security scheme names, declared once in the document (openapi-document.ts). */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'x-api-key';

/**
 * Whether a DTO's schema admits fields it does not list. Inference bodies pass unknown OpenAI and
 * Anthropic fields upstream (true); admin bodies reject them with a 400 (false). @nestjs/swagger
 * has no class-level option for it, so the document builder applies what is recorded here.
 */
const additionalPropertiesByClass = new Map<Function, boolean>();

export function ApiAdditionalProperties(allowed: boolean): ClassDecorator {
  return (target) => {
    additionalPropertiesByClass.set(target, allowed);
  };
}

export function recordedAdditionalProperties(): ReadonlyMap<Function, boolean> {
  return additionalPropertiesByClass;
}

/** Who may call an operation, machine-readable beside `security` (the e2e checks the guard agrees). */
export const ACCESS_EXTENSION = 'x-switchboard-access';
export type DocumentedAccess = 'master_key' | 'api_key' | 'public';

type ErrorShape = 'openai' | 'anthropic';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed JSON, or a missing or invalid field (`invalid_request_error`).',
  401: 'Missing or wrong API key (`authentication_error` / `invalid_api_key`).',
  403: 'The key may not use this model or route (`permission_error`).',
  404: 'Unknown model (`model_not_found`), or no such key, alias or model id (`not_found`).',
  413: 'Body larger than the configured limit.',
  415: 'Body is not JSON.',
  429: 'Rate limit or budget exceeded, own or upstream (`rate_limit_error`, with `Retry-After`).',
  502: 'Upstream failed or was unreachable after retries and fallbacks (`api_error` / `upstream_error`).',
  503: 'Not ready, shutting down, the store unavailable, or every deployment cooling down.',
  504: 'Upstream timed out (`timeout_error`).',
};

function errorResponses(statuses: readonly number[], shape: ErrorShape = 'openai'): MethodDecorator {
  const type = shape === 'anthropic' ? AnthropicErrorResponseDto : ErrorResponseDto;
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error.', type })));
}

const KEYED = [ApiSecurity(BEARER_SCHEME), ApiSecurity(API_KEY_SCHEME)];

export interface RouteDoc {
  summary: string;
  description?: string;
  /** The success answer; defaults to a JSON object. */
  ok?: ApiResponseOptions;
  /** Error statuses beyond the ones every route of its kind can answer. */
  errors?: readonly number[];
}

/** JSON, or server-sent events when the body asks for `stream: true`. */
export function streamingOk(description: string): ApiResponseOptions {
  return {
    status: 200,
    description,
    content: {
      'application/json': { schema: { type: 'object', additionalProperties: true } },
      'text/event-stream': { schema: { type: 'string', description: 'Server-sent events; a failure after the stream started is a final `error` event.' } },
    },
  };
}

function okResponse(doc: RouteDoc): MethodDecorator {
  return ApiResponse(doc.ok ?? { status: 200, description: 'OK', schema: { type: 'object', additionalProperties: true } });
}

/** A master-key route (admin API): 401 without a key, 403 with a virtual key or without a master key configured. */
export function ApiAdminRoute(doc: RouteDoc): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: withNote(doc.description, 'Master key only.') }),
    ApiExtension(ACCESS_EXTENSION, 'master_key' satisfies DocumentedAccess),
    ...KEYED,
    okResponse(doc),
    errorResponses([400, 401, 403, ...(doc.errors ?? [])]),
  );
}

/** A route that calls a model with a virtual key or the master key (or no key on an open gateway). */
export function ApiInferenceRoute(doc: RouteDoc & { body: Function; shape?: ErrorShape }): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: doc.description }),
    ApiExtension(ACCESS_EXTENSION, 'api_key' satisfies DocumentedAccess),
    ...KEYED,
    ApiBody({ type: doc.body }),
    okResponse(doc),
    errorResponses([400, 401, 403, 404, 413, 415, 429, 502, 503, 504, ...(doc.errors ?? [])], doc.shape),
  );
}

/** A route any valid key may call (model listing). */
export function ApiKeyedRoute(doc: RouteDoc): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: doc.description }),
    ApiExtension(ACCESS_EXTENSION, 'api_key' satisfies DocumentedAccess),
    ...KEYED,
    okResponse(doc),
    errorResponses([401, ...(doc.errors ?? [])]),
  );
}

/** Open without a key (probes; /metrics unless metrics_require_auth). */
export function ApiPublicRoute(doc: RouteDoc): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: doc.description }),
    ApiExtension(ACCESS_EXTENSION, 'public' satisfies DocumentedAccess),
    okResponse(doc),
    errorResponses(doc.errors ?? []),
  );
}

function withNote(description: string | undefined, note: string): string {
  return description ? `${description}\n\n${note}` : note;
}
