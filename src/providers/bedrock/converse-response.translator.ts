import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { AnthropicMessageResponse, AnthropicResponseBlock, AnthropicUsage } from '../anthropic/anthropic-wire.types.js';
import type { JsonObject } from '../provider-adapter.js';
import type { ConverseResponse, ConverseResponseBlock, ConverseUsage } from './converse-wire.types.js';

/**
 * Converse's stop reasons in Anthropic's words, so the Anthropic → Chat translators finish the
 * job. A guardrail or content filter stopping the answer is Anthropic's `refusal`, which Chat
 * reports as `content_filter`.
 */
export function anthropicStopReason(reason: unknown): string | null {
  if (typeof reason !== 'string') return null;
  return reason === 'guardrail_intervened' || reason === 'content_filtered' ? 'refusal' : reason;
}

export function anthropicUsage(u: ConverseUsage | undefined): AnthropicUsage {
  const out: AnthropicUsage = {};
  if (typeof u?.inputTokens === 'number') out.input_tokens = u.inputTokens;
  if (typeof u?.outputTokens === 'number') out.output_tokens = u.outputTokens;
  if (typeof u?.cacheReadInputTokens === 'number') out.cache_read_input_tokens = u.cacheReadInputTokens;
  if (typeof u?.cacheWriteInputTokens === 'number') out.cache_creation_input_tokens = u.cacheWriteInputTokens;
  return out;
}

/** A Converse answer as the Anthropic Message it is equivalent to. `id`: Converse answers carry none. */
export function converseToMessage(body: JsonObject, model: string, id: string): AnthropicMessageResponse {
  const res = body as ConverseResponse;
  const content = res.output?.message?.content;
  if (!Array.isArray(content)) {
    throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider bedrock returned a body that is not a Converse answer (no output.message.content).');
  }
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: content.flatMap(block),
    stop_reason: anthropicStopReason(res.stopReason),
    usage: anthropicUsage(res.usage),
  };
}

function block(b: ConverseResponseBlock): AnthropicResponseBlock[] {
  if (typeof b?.text === 'string') return [{ type: 'text', text: b.text }];
  if (b?.toolUse) return [{ type: 'tool_use', id: b.toolUse.toolUseId, name: b.toolUse.name, input: b.toolUse.input ?? {} }];
  const r = b?.reasoningContent;
  if (r?.reasoningText) return [{ type: 'thinking', thinking: r.reasoningText.text ?? '', signature: r.reasoningText.signature ?? '' }];
  if (typeof r?.redactedContent === 'string') return [{ type: 'redacted_thinking', data: r.redactedContent }];
  return [];
}
