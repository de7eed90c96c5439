import { GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../provider-adapter.js';

/**
 * Chat Completions request → legacy Completions request (`POST /v1/completions`), for
 * `text-completion-openai/<model>` deployments such as gpt-3.5-turbo-instruct or davinci-002.
 *
 * The conversation becomes one prompt: each message's text, in order, separated by a blank
 * line. LiteLLM sends several messages as a batch of prompts instead (one choice per message);
 * a chat client asked for one answer, so one prompt it is.
 */

/**
 * Chat-only fields the Completions API cannot honour. Sent, OpenAI answers 400 "unrecognized
 * argument"; refused here with the field's name instead, or dropped with drop_params.
 */
const CHAT_ONLY = [
  'tools', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call', 'response_format', 'modalities', 'audio',
  'prediction', 'reasoning_effort', 'web_search_options', 'store', 'metadata', 'service_tier', 'verbosity',
];

/** Fields the translation itself consumes or replaces. */
const CONSUMED = ['model', 'messages', 'max_completion_tokens', 'logprobs', 'top_logprobs'];

export interface CompletionRequestOptions {
  readonly upstreamModel: string;
  readonly dropParams: boolean;
}

export function toCompletionRequest(body: JsonObject, options: CompletionRequestOptions): JsonObject {
  const out: JsonObject = { model: options.upstreamModel, prompt: promptOf(body.messages) };
  for (const [key, value] of Object.entries(body)) {
    if (CONSUMED.includes(key) || value === undefined) continue;
    if (CHAT_ONLY.includes(key)) {
      if (options.dropParams || value === null) continue;
      throw GatewayError.invalid(`'${key}' is not supported by the Completions API this model is served through (text-completion-openai); remove it or set drop_params.`, key);
    }
    // Shared fields (max_tokens, temperature, stop, n, seed, stream_options, ...) and unknown ones
    // go through untouched, as on every other provider: the upstream decides.
    out[key] = value;
  }
  if (body.max_tokens === undefined && typeof body.max_completion_tokens === 'number') out.max_tokens = body.max_completion_tokens;
  // Chat asks `logprobs: true` + `top_logprobs: k`; Completions asks `logprobs: k` (0 = the sampled token only).
  if (body.logprobs === true) out.logprobs = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
  return out;
}

function promptOf(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw GatewayError.invalid('`messages` must be a non-empty array.', 'messages');
  }
  return messages.map((m, i) => messageText(m, i)).filter((t) => t.length > 0).join('\n\n');
}

function messageText(message: unknown, index: number): string {
  const content = (message as { content?: unknown } | null)?.content;
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part, j) => {
        const p = part as { type?: unknown; text?: unknown };
        if (p?.type === 'text' && typeof p.text === 'string') return p.text;
        throw GatewayError.invalid(`messages[${index}].content[${j}]: only text parts can be sent to a text-completion model (got '${String(p?.type)}').`, 'messages');
      })
      .join('');
  }
  throw GatewayError.invalid(`messages[${index}].content must be a string or a list of text parts.`, 'messages');
}
