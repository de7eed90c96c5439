import { randomBytes } from 'node:crypto';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../provider-adapter.js';
import { THOUGHT_SIGNATURE_SEPARATOR } from './gemini-request.translator.js';
import type { GeminiCandidate, GeminiPart, GeminiResponse, GeminiUsage } from './gemini-wire.types.js';

/** Gemini finishReason → OpenAI finish_reason. Every kind of block is what OpenAI calls a content filter. */
const FINISH_REASON: Readonly<Record<string, string>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  LANGUAGE: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'stop',
  OTHER: 'stop',
};

export interface ResponseOptions {
  readonly now?: () => number;
  /** Makes tool-call ids and the completion id (Gemini has neither); tests fix it. */
  readonly newId?: () => string;
}

export function newGeminiId(): string {
  return randomBytes(12).toString('hex');
}

/** A function call part → an OpenAI tool call, its thought signature carried in the id (see THOUGHT_SIGNATURE_SEPARATOR). */
export function toolCallOf(part: GeminiPart, newId: () => string): JsonObject {
  const call = part.functionCall!;
  const base = call.id ?? `call_${newId()}`;
  return {
    id: part.thoughtSignature ? `${base}${THOUGHT_SIGNATURE_SEPARATOR}${part.thoughtSignature}` : base,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  };
}

export function finishReason(reason: string | undefined, calledTools: boolean): string | null {
  if (reason === undefined) return null;
  const mapped = FINISH_REASON[reason] ?? 'stop';
  return mapped === 'stop' && calledTools ? 'tool_calls' : mapped;
}

/** Gemini usage → OpenAI usage: thinking is part of the completion, cached tokens part of the prompt. */
export function chatUsage(usage: GeminiUsage | undefined): JsonObject {
  const prompt = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const thoughts = usage?.thoughtsTokenCount ?? 0;
  const completion = (usage?.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage?.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: usage?.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}

/** The refusal text for a prompt Gemini blocked before generating anything. */
export function blockedPromptMessage(feedback: GeminiResponse['promptFeedback']): string | undefined {
  if (!feedback?.blockReason) return undefined;
  const detail = feedback.blockReasonMessage ? `: ${feedback.blockReasonMessage}` : '';
  return `The prompt was blocked by Gemini's safety filters (blockReason ${feedback.blockReason})${detail}.`;
}

/** generateContent response → Chat Completions object. `model` is rewritten to the client's alias by the caller. */
export function toChatCompletion(body: JsonObject, model: string, options: ResponseOptions = {}): JsonObject {
  const res = body as GeminiResponse;
  const now = options.now ?? Date.now;
  const newId = options.newId ?? newGeminiId;
  const id = `chatcmpl-${res.responseId ?? newId()}`;
  const blocked = blockedPromptMessage(res.promptFeedback);
  if (!blocked && !Array.isArray(res.candidates)) {
    throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider gemini returned a body without candidates.');
  }
  const choices = blocked
    ? [{ index: 0, message: { role: 'assistant', content: null, refusal: blocked }, logprobs: null, finish_reason: 'content_filter' }]
    : res.candidates!.map((c, i) => choice(c, i, newId));
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(now() / 1000),
    model: res.modelVersion ?? model,
    choices,
    usage: chatUsage(res.usageMetadata),
  };
}

function choice(c: GeminiCandidate, i: number, newId: () => string): JsonObject {
  let text = '';
  let reasoning = '';
  const toolCalls: JsonObject[] = [];
  for (const part of c.content?.parts ?? []) {
    if (part.functionCall) toolCalls.push(toolCallOf(part, newId));
    else if (typeof part.text === 'string' && part.thought) reasoning += part.text;
    else if (typeof part.text === 'string') text += part.text;
  }
  const message: JsonObject = { role: 'assistant', content: text || null, refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  return { index: c.index ?? i, message, logprobs: null, finish_reason: finishReason(c.finishReason, toolCalls.length > 0) ?? 'stop' };
}
