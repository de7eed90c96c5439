import type { JsonObject, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../providers/provider-adapter.js';
import type { DeploymentTarget } from './routing-table.js';

/**
 * Default request parameters a deployment may carry in its litellm_params. LiteLLM copies every
 * litellm_params key into the provider call and lets the caller's own kwargs override them
 * (`{**deployment_params, **request_kwargs}` in its router), so here too the client's value
 * wins and a deployment's value only fills what the client left out.
 */
export const CHAT_DEFAULT_KEYS = [
  'temperature', 'max_tokens', 'max_completion_tokens', 'top_p', 'top_k', 'stop', 'seed', 'frequency_penalty',
  'presence_penalty', 'n', 'response_format', 'reasoning_effort', 'logit_bias', 'logprobs', 'top_logprobs',
  'parallel_tool_calls', 'service_tier', 'verbosity', 'user',
] as const;

export const EMBEDDING_DEFAULT_KEYS = ['dimensions', 'encoding_format', 'user'] as const;

export const REQUEST_DEFAULT_KEYS: readonly string[] = [...new Set<string>([...CHAT_DEFAULT_KEYS, ...EMBEDDING_DEFAULT_KEYS])];

export type RequestDefaults = Readonly<Record<string, unknown>>;

/** The request parameters among a deployment's litellm_params; undefined when it sets none. */
export function pickRequestDefaults(params: Readonly<Record<string, unknown>>): RequestDefaults | undefined {
  let out: Record<string, unknown> | undefined;
  for (const key of REQUEST_DEFAULT_KEYS) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    (out ??= {})[key] = value;
  }
  return out;
}

/** Parameters that set the same limit: a client that sent one must not get the other as a default. */
const SAME_LIMIT: Readonly<Record<string, readonly string[]>> = {
  max_tokens: ['max_completion_tokens'],
  max_completion_tokens: ['max_tokens'],
};

const isSet = (body: JsonObject, key: string) => body[key] !== undefined && body[key] !== null;

/** A Chat Completions body (also what the Responses and Messages bridges send) with the deployment's defaults filled in. */
export function withChatDefaults(body: JsonObject, defaults: RequestDefaults | undefined): JsonObject {
  if (!defaults) return body;
  let out: JsonObject | undefined;
  for (const key of CHAT_DEFAULT_KEYS) {
    if (!(key in defaults) || isSet(body, key) || SAME_LIMIT[key]?.some((k) => isSet(body, k) || (out !== undefined && isSet(out, k)))) continue;
    (out ??= { ...body })[key] = defaults[key];
  }
  return out ?? body;
}

export function withEmbeddingDefaults(body: JsonObject, defaults: RequestDefaults | undefined): JsonObject {
  if (!defaults) return body;
  let out: JsonObject | undefined;
  for (const key of EMBEDDING_DEFAULT_KEYS) {
    if (!(key in defaults) || isSet(body, key)) continue;
    (out ??= { ...body })[key] = defaults[key];
  }
  return out ?? body;
}

/**
 * A native Responses API body. The chat names map onto their Responses places (max_tokens →
 * max_output_tokens, reasoning_effort → reasoning.effort, response_format → text.format);
 * parameters the Responses API does not have (stop, seed, n, penalties) are not sent.
 */
export function withResponsesDefaults(body: JsonObject, defaults: RequestDefaults | undefined): JsonObject {
  if (!defaults) return body;
  const out: JsonObject = { ...body };
  let changed = false;
  const fill = (key: string, value: unknown) => {
    if (value === undefined || value === null || isSet(out, key)) return;
    out[key] = value;
    changed = true;
  };
  fill('max_output_tokens', defaults.max_output_tokens ?? defaults.max_completion_tokens ?? defaults.max_tokens);
  for (const key of ['temperature', 'top_p', 'top_logprobs', 'parallel_tool_calls', 'service_tier', 'user']) fill(key, defaults[key]);
  if (typeof defaults.reasoning_effort === 'string') {
    const reasoning = isObject(out.reasoning) ? out.reasoning : {};
    if (!isSet(reasoning, 'effort')) {
      out.reasoning = { ...reasoning, effort: defaults.reasoning_effort };
      changed = true;
    }
  }
  const format = responsesTextFormat(defaults.response_format);
  const verbosity = defaults.verbosity;
  if (format !== undefined || verbosity !== undefined) {
    const text = isObject(out.text) ? out.text : {};
    const merged: JsonObject = { ...text };
    if (format !== undefined && !isSet(text, 'format')) merged.format = format;
    if (verbosity !== undefined && verbosity !== null && !isSet(text, 'verbosity')) merged.verbosity = verbosity;
    if (Object.keys(merged).length !== Object.keys(text).length) {
      out.text = merged;
      changed = true;
    }
  }
  return changed ? out : body;
}

/**
 * A native Anthropic Messages body: max_tokens, temperature, top_p, top_k and stop (as
 * stop_sequences) have Messages equivalents; the rest are chat-only.
 */
export function withMessagesDefaults(body: JsonObject, defaults: RequestDefaults | undefined): JsonObject {
  if (!defaults) return body;
  let out: JsonObject | undefined;
  const fill = (key: string, value: unknown) => {
    if (value === undefined || value === null || isSet(out ?? body, key)) return;
    (out ??= { ...body })[key] = value;
  };
  fill('max_tokens', defaults.max_tokens ?? defaults.max_completion_tokens);
  for (const key of ['temperature', 'top_p', 'top_k']) fill(key, defaults[key]);
  const stop = defaults.stop;
  fill('stop_sequences', typeof stop === 'string' ? [stop] : stop);
  return out ?? body;
}

/** Chat `response_format` → Responses `text.format` (json_schema's fields move up one level there). */
function responsesTextFormat(format: unknown): unknown {
  if (!isObject(format)) return undefined;
  if (format.type === 'json_schema' && isObject(format.json_schema)) return { type: 'json_schema', ...format.json_schema };
  return format;
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Wraps an adapter so every call fills in the chosen deployment's defaults. The router hands
 * each attempt its own target, so a retry or fallback on another deployment gets that
 * deployment's defaults, never the first one's. Adapters then apply drop_params and their own
 * parameter rules to the result exactly as to what the client sent.
 */
export function withRequestDefaults(adapter: ProviderAdapter): ProviderAdapter {
  const defaultsOf = (t: DeploymentTarget) => t.deployment?.requestDefaults;
  const wrapped: ProviderAdapter = {
    name: adapter.name,
    supports: (op) => adapter.supports(op),
    chat: (t, body, ctx) => adapter.chat(t, withChatDefaults(body, defaultsOf(t)), ctx),
    chatStream: (t, body, ctx) => adapter.chatStream(t, withChatDefaults(body, defaultsOf(t)), ctx),
    responses: (t, body, ctx) => adapter.responses(t, withResponsesDefaults(body, defaultsOf(t)), ctx),
    responsesStream: (t, body, ctx) => adapter.responsesStream(t, withResponsesDefaults(body, defaultsOf(t)), ctx),
    embeddings: (t, body, ctx) => adapter.embeddings(t, withEmbeddingDefaults(body, defaultsOf(t)), ctx),
  };
  // Optional methods stay absent when the adapter has none: callers test for them.
  if (adapter.messages) {
    const messages = adapter.messages.bind(adapter);
    wrapped.messages = (t: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext) =>
      messages(t, withMessagesDefaults(body, defaultsOf(t)), headers, ctx);
  }
  if (adapter.messagesStream) {
    const messagesStream = adapter.messagesStream.bind(adapter);
    wrapped.messagesStream = (t: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<UpstreamStream> =>
      messagesStream(t, withMessagesDefaults(body, defaultsOf(t)), headers, ctx);
  }
  if (adapter.countTokens) wrapped.countTokens = adapter.countTokens.bind(adapter);
  return wrapped;
}
