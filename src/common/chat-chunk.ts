import type { JsonObject } from '../providers/provider-adapter.js';
import { ErrorCode, GatewayError, truncate } from './gateway-error.js';

export interface ChatChunkParts {
  /** The chunk's usage, when this chunk carries it (the last one does, with include_usage). */
  readonly usage?: unknown;
  /** Choice 0, the only one the bridges translate; absent on a usage-only chunk. */
  readonly choice?: JsonObject;
  readonly delta: JsonObject;
}

/**
 * What every bridge that turns a chat stream into another API's events reads from one
 * chat.completion.chunk. An in-band error (OpenRouter's and vLLM's mid-stream `error`) is thrown,
 * so the endpoint ends its own stream with its own error event.
 */
export function readChatChunk(chunk: JsonObject): ChatChunkParts {
  if (chunk.error !== undefined && chunk.error !== null) {
    const e = chunk.error as JsonObject | string;
    const message = typeof e === 'string' ? e : typeof e.message === 'string' ? e.message : JSON.stringify(e);
    throw new GatewayError(ErrorCode.UpstreamError, `The upstream reported an error mid-stream: ${truncate(message, 500)}`);
  }
  const usage = chunk.usage !== undefined && chunk.usage !== null ? chunk.usage : undefined;
  const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => isObject(c) && (c.index ?? 0) === 0) : undefined;
  if (!isObject(choice)) return { usage, delta: {} };
  return { usage, choice, delta: isObject(choice.delta) ? choice.delta : {} };
}

/** One SSE data payload of a chat stream as an object; anything else is the upstream's failure. */
export function parseChatChunk(data: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new GatewayError(ErrorCode.UpstreamError, `The upstream sent a stream event that is not JSON: ${truncate(data, 200)}`);
  }
  if (!isObject(parsed)) throw new GatewayError(ErrorCode.UpstreamError, 'The upstream sent a stream event that is not a JSON object.');
  return parsed;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
