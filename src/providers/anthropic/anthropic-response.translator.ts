import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../provider-adapter.js';
import { jsonContent, type JsonOutputTool } from './anthropic-json-output.js';
import type { AnthropicMessageResponse, AnthropicUsage } from './anthropic-wire.types.js';
import { thinkingBlocksFromContent } from './thinking-blocks.js';

/**
 * Anthropic stop_reason → OpenAI finish_reason. A turn paused by a server tool is complete
 * from a Chat Completions client's point of view; a refusal is what OpenAI calls a content
 * filter; running out of context is running out of length.
 */
const FINISH_REASON: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** `answeredInJson`: the turn ended on the gateway's response_format tool alone, which is a finished answer. */
export function finishReason(stopReason: string | null | undefined, answeredInJson = false): string {
  const reason = (stopReason && FINISH_REASON[stopReason]) || 'stop';
  return answeredInJson && reason === 'tool_calls' ? 'stop' : reason;
}

/**
 * Anthropic usage → OpenAI usage. Anthropic counts cache reads and cache writes apart from
 * input_tokens; OpenAI's prompt_tokens is the whole prompt with cached_tokens as a subset.
 */
export function chatUsage(usage: AnthropicUsage | undefined): JsonObject {
  const input = usage?.input_tokens ?? 0;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const output = usage?.output_tokens ?? 0;
  const prompt = input + cacheRead + cacheWrite;
  const out: JsonObject = {
    prompt_tokens: prompt,
    completion_tokens: output,
    total_tokens: prompt + output,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
  const thinking = usage?.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') out.completion_tokens_details = { reasoning_tokens: thinking };
  return out;
}

/**
 * Anthropic Message → Chat Completions object. `model` is rewritten to the client's alias by the caller.
 * With `jsonTool`, a call of the gateway's response_format tool is the answer: its input becomes
 * the content, and it is no tool call the client would have to run.
 */
export function toChatCompletion(body: JsonObject, now: () => number = Date.now, jsonTool?: JsonOutputTool): JsonObject {
  const msg = body as unknown as AnthropicMessageResponse;
  if (msg.type !== 'message' || !Array.isArray(msg.content)) {
    throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider anthropic returned a body that is not a Message.');
  }
  let text = '';
  let reasoning = '';
  let json: string | undefined;
  const toolCalls: JsonObject[] = [];
  for (const block of msg.content) {
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'thinking' && typeof block.thinking === 'string') reasoning += block.thinking;
    else if (block.type === 'tool_use' && jsonTool && block.name === jsonTool.name) {
      // Two JSON documents side by side would parse as neither: the first call is the answer.
      json ??= jsonContent(block.input, jsonTool);
    } else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  // Text next to the JSON answer (possible only when thinking kept tool use from being forced)
  // is preamble that would make the content unparseable.
  const message: JsonObject = { role: 'assistant', content: json ?? (text || null), refusal: null };
  // Not an OpenAI field, but the de-facto name clients of OpenAI-compatible servers read.
  if (reasoning) message.reasoning_content = reasoning;
  const thinkingBlocks = thinkingBlocksFromContent(msg.content);
  if (thinkingBlocks.length) message.thinking_blocks = thinkingBlocks;
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: msg.id,
    object: 'chat.completion',
    created: Math.floor(now() / 1000),
    model: msg.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(msg.stop_reason, json !== undefined && !toolCalls.length) }],
    usage: chatUsage(msg.usage),
  };
}
