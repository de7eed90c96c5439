import { ErrorCode, GatewayError, truncate } from '../../common/gateway-error.js';
import { redactSecrets } from '../../common/secret-redaction.js';
import type { JsonObject } from '../provider-adapter.js';
import type { CohereChatResponse, CohereUsage } from './cohere-wire.types.js';

/**
 * Cohere finish_reason → OpenAI finish_reason. ERROR and TIMEOUT are not finishes a client can
 * act on: the adapter reports them as failures (see cohereFailure), never as a 200.
 */
const FINISH_REASON: Readonly<Record<string, string>> = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  MAX_TOKENS: 'length',
  TOOL_CALL: 'tool_calls',
  ERROR: 'error',
  TIMEOUT: 'error',
};

export function finishReason(reason: unknown): string {
  return (typeof reason === 'string' && FINISH_REASON[reason]) || 'stop';
}

/**
 * A generation Cohere ended with ERROR (or TIMEOUT) is a failed call, as OpenRouter's mid-stream
 * finish_reason "error" is elsewhere (upstream-http): a 502 (504 for TIMEOUT) with Cohere's
 * message, so the router may retry it and the client never gets half an answer as a success.
 */
export function cohereFailure(reason: unknown, detail: unknown, secrets: readonly (string | undefined)[] = []): GatewayError | undefined {
  if (reason !== 'ERROR' && reason !== 'TIMEOUT') return undefined;
  const why = typeof detail === 'string' && detail ? `: ${truncate(redactSecrets(detail, secrets), 500)}` : '';
  if (reason === 'TIMEOUT') return new GatewayError(ErrorCode.UpstreamTimeout, `Upstream provider cohere stopped the generation on its time limit${why}`);
  return new GatewayError(ErrorCode.UpstreamError, `Upstream provider cohere ended the generation with an error${why}`);
}

/**
 * Cohere usage → OpenAI usage. billed_units are what Cohere charges (the prompt as sent, without
 * the instructions Cohere adds around it), so spend matches the invoice; `tokens` is the fallback.
 */
export function chatUsage(usage: CohereUsage | undefined): JsonObject {
  const prompt = count(usage?.billed_units?.input_tokens) ?? count(usage?.tokens?.input_tokens) ?? 0;
  const completion = count(usage?.billed_units?.output_tokens) ?? count(usage?.tokens?.output_tokens) ?? 0;
  const out: JsonObject = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const cached = count(usage?.cached_tokens);
  if (cached !== undefined) out.prompt_tokens_details = { cached_tokens: cached };
  return out;
}

/** Cohere's chat answer → a Chat Completions object. `model` is rewritten to the client's alias by the caller. */
export function toChatCompletion(body: JsonObject, upstreamModel: string, now: () => number = Date.now, secrets: readonly (string | undefined)[] = []): JsonObject {
  const res = body as unknown as CohereChatResponse;
  if (!res.message || typeof res.message !== 'object') {
    throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider cohere returned a body that is not a chat response.');
  }
  const failure = cohereFailure(res.finish_reason, undefined, secrets);
  if (failure) throw failure;
  let text = '';
  let reasoning = '';
  for (const block of res.message.content ?? []) {
    if (block?.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block?.type === 'thinking' && typeof block.thinking === 'string') reasoning += block.thinking;
  }
  const toolCalls = (res.message.tool_calls ?? []).map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.function?.name, arguments: c.function?.arguments || '{}' },
  }));
  const message: JsonObject = { role: 'assistant', content: text || null, refusal: null };
  // Not an OpenAI field, but the de-facto name clients of OpenAI-compatible servers read.
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: res.id,
    object: 'chat.completion',
    created: Math.floor(now() / 1000),
    model: upstreamModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toolCalls.length && res.finish_reason !== 'MAX_TOKENS' ? 'tool_calls' : finishReason(res.finish_reason) }],
    usage: chatUsage(res.usage),
  };
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
}
