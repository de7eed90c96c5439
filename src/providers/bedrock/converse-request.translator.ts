import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonOutputTool } from '../anthropic/anthropic-json-output.js';
import { DEFAULT_MAX_TOKENS, toMessagesCall } from '../anthropic/anthropic-request.translator.js';
import type { AnthropicContentBlock, AnthropicImageBlock, AnthropicMessagesRequest, AnthropicTextBlock } from '../anthropic/anthropic-wire.types.js';
import type { JsonObject } from '../provider-adapter.js';
import type { ConverseContentBlock, ConverseImageFormat, ConverseRequest, ConverseToolChoice } from './converse-wire.types.js';

export interface ConverseRequestOptions {
  readonly upstreamModel: string;
  readonly dropParams: boolean;
  /** model_info.max_output_tokens: sent as maxTokens when the client gives none. */
  readonly maxOutputTokens?: number;
}

export interface ConverseCall {
  readonly request: ConverseRequest;
  /** The gateway tool a response_format answer arrives through, as on Anthropic. */
  readonly jsonTool?: JsonOutputTool;
}

/**
 * Chat Completions → Converse, in two steps: the Anthropic translation (roles, turn merging,
 * tool calls and results, thinking blocks across turns, response_format as a forced tool,
 * parameter validation) and then a block-for-block renaming into Converse's shapes. Converse is
 * Anthropic's model of a conversation with other field names, so every rule the Anthropic path
 * has learned applies to Claude, Llama, Mistral and Nova on Bedrock unchanged.
 */
export function toConverseCall(body: JsonObject, options: ConverseRequestOptions): ConverseCall {
  let call: ReturnType<typeof toMessagesCall>;
  try {
    call = toMessagesCall(body, {
      upstreamModel: options.upstreamModel,
      dropParams: options.dropParams,
      defaultMaxTokens: options.maxOutputTokens ?? DEFAULT_MAX_TOKENS,
      stream: false,
    });
  } catch (err) {
    throw renamed(err);
  }
  const a = call.request;
  const explicitMax = typeof body.max_completion_tokens === 'number' || typeof body.max_tokens === 'number';
  const thinking = a.thinking !== undefined && (a.thinking as { type?: unknown }).type !== 'disabled';
  const out: ConverseRequest = { messages: a.messages.map((m, i) => ({ role: m.role, content: blocks(m.content, `messages[${i}]`) })) };
  if (a.system !== undefined) out.system = typeof a.system === 'string' ? [{ text: a.system }] : a.system.map((b) => ({ text: b.text }));

  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  // Without a client or configured limit Bedrock applies the model's own maximum, which is what
  // an OpenAI client that sent none expects; thinking needs room above its budget, so it is sent then.
  if (explicitMax || thinking || options.maxOutputTokens !== undefined) inference.maxTokens = a.max_tokens;
  if (a.temperature !== undefined) inference.temperature = a.temperature;
  if (a.top_p !== undefined) inference.topP = a.top_p;
  if (a.stop_sequences?.length) inference.stopSequences = a.stop_sequences;
  if (Object.keys(inference).length) out.inferenceConfig = inference;

  const extra: Record<string, unknown> = {};
  if (a.top_k !== undefined) extra.top_k = a.top_k;
  if (thinking) extra.thinking = a.thinking;
  if (Object.keys(extra).length) out.additionalModelRequestFields = extra;

  if (a.tools?.length) {
    out.toolConfig = {
      tools: a.tools.map((t) => ({ toolSpec: { name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: { json: t.input_schema } } })),
    };
    const choice = toolChoice(a, options.dropParams);
    if (choice) out.toolConfig.toolChoice = choice;
  }
  return call.jsonTool ? { request: out, jsonTool: call.jsonTool } : { request: out };
}

/** Converse has no 'none' and no parallel-call switch; 'none' cannot be honoured, so it is refused unless drop_params. */
function toolChoice(a: AnthropicMessagesRequest, dropParams: boolean): ConverseToolChoice | undefined {
  const c = a.tool_choice;
  if (!c) return undefined;
  if (c.type === 'auto') return { auto: {} };
  if (c.type === 'any') return { any: {} };
  if (c.type === 'tool') return { tool: { name: c.name } };
  if (dropParams) return undefined;
  throw GatewayError.invalid(
    `tool_choice 'none' is not supported by Bedrock Converse while tools are declared; omit the tools, or set drop_params to send the request without it.`,
    'tool_choice',
  );
}

function blocks(content: string | AnthropicContentBlock[], path: string): ConverseContentBlock[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((b, j): ConverseContentBlock => {
    switch (b.type) {
      case 'text':
        return { text: b.text };
      case 'image':
        return image(b, `${path}.content[${j}]`);
      case 'tool_use':
        return { toolUse: { toolUseId: b.id, name: b.name, input: b.input } };
      case 'tool_result': {
        const parts = typeof b.content === 'string' ? [{ type: 'text', text: b.content } as AnthropicTextBlock] : (b.content ?? []);
        // Converse requires a tool result to hold something; an empty result is an empty text.
        const inner = parts.map((p) => (p.type === 'text' ? { text: p.text } : image(p, `${path}.content[${j}]`)));
        return { toolResult: { toolUseId: b.tool_use_id, content: inner.length ? inner : [{ text: '' }] } };
      }
      case 'thinking':
        return { reasoningContent: { reasoningText: { text: b.thinking, ...(b.signature ? { signature: b.signature } : {}) } } };
      case 'redacted_thinking':
        return { reasoningContent: { redactedContent: b.data } };
    }
  });
}

function image(b: AnthropicImageBlock, path: string): { image: { format: ConverseImageFormat; source: { bytes: string } } } {
  if (b.source.type !== 'base64') {
    throw GatewayError.invalid(`${path}: Bedrock Converse takes images as base64 data URLs; the gateway does not download image URLs.`, path);
  }
  return { image: { format: b.source.media_type.replace(/^image\//, '') as ConverseImageFormat, source: { bytes: b.source.data } } };
}

/** The Anthropic translation's 400s name Anthropic; on this path the constraint is Bedrock's. */
function renamed(err: unknown): unknown {
  if (!(err instanceof GatewayError) || err.code !== ErrorCode.InvalidRequest || !/Anthropic/.test(err.message)) return err;
  return GatewayError.invalid(err.message.replace(/Anthropic models/g, 'Bedrock models').replace(/Anthropic/g, 'Bedrock Converse'), err.param);
}
