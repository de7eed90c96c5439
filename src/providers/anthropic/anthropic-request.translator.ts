import { GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../provider-adapter.js';
import { JSON_TOOL_NAME, jsonOutputTool, type JsonOutputTool } from './anthropic-json-output.js';
import { readParams, RequestDraft } from './anthropic-params.js';
import { thinkingBlocksOf } from './thinking-blocks.js';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicMessagesRequest,
  AnthropicTextBlock,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './anthropic-wire.types.js';

/**
 * Anthropic requires max_tokens; OpenAI clients usually leave it out. 4096 is what every
 * current Claude model can produce and long enough for ordinary answers; a deployment can
 * change it with `model_info.max_output_tokens`.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * reasoning_effort → extended-thinking budget. Anthropic's minimum budget is 1024 tokens;
 * 'minimal' and 'none' mean no thinking at all.
 */
const THINKING_BUDGET: Readonly<Record<string, number | null>> = {
  none: null,
  minimal: null,
  low: 1024,
  medium: 4096,
  high: 16384,
};

const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export interface MessagesRequestOptions {
  readonly upstreamModel: string;
  readonly dropParams: boolean;
  readonly defaultMaxTokens: number;
  readonly stream: boolean;
}

/** The upstream request, and the gateway tool the answer arrives through when response_format asked for JSON. */
export interface MessagesCall {
  readonly request: AnthropicMessagesRequest;
  readonly jsonTool?: JsonOutputTool;
}

/** Chat Completions request body → Anthropic Messages request body. Throws 400s for what cannot be translated. */
export function toMessagesRequest(body: JsonObject, options: MessagesRequestOptions): AnthropicMessagesRequest {
  return toMessagesCall(body, options).request;
}

export function toMessagesCall(body: JsonObject, options: MessagesRequestOptions): MessagesCall {
  const draft = readParams(body, options.dropParams);
  const { system, messages } = translateMessages(body.messages);
  const explicitMax = draft.maxCompletionTokens ?? draft.maxTokens;
  const out: AnthropicMessagesRequest = { model: options.upstreamModel, max_tokens: explicitMax ?? options.defaultMaxTokens, messages };
  if (system !== undefined) out.system = system;
  if (draft.temperature !== undefined) out.temperature = draft.temperature;
  if (draft.topP !== undefined) out.top_p = draft.topP;
  if (draft.topK !== undefined) out.top_k = draft.topK;
  if (draft.stopSequences?.length) out.stop_sequences = draft.stopSequences;
  if (draft.userId !== undefined) out.metadata = { user_id: draft.userId };
  // Thinking first: it decides whether tool use may be forced.
  applyThinking(draft, out, explicitMax);
  // Earlier turns' thinking goes back only to a request that thinks: without thinking Anthropic
  // has no use for it, and a signature is only checked where thinking is on.
  if (!thinkingEnabled(out)) out.messages = withoutThinking(out.messages);
  const jsonTool = applyTools(draft, out);
  if (options.stream) out.stream = true;
  return jsonTool ? { request: out, jsonTool } : { request: out };
}

function applyTools(draft: RequestDraft, out: AnthropicMessagesRequest): JsonOutputTool | undefined {
  const choice = draft.toolChoice;
  const clientTools = draft.tools ?? [];
  if (!clientTools.length && (choice === 'required' || typeof choice === 'object')) {
    throw GatewayError.invalid(`'tool_choice' requires 'tools' to be set.`, 'tool_choice');
  }
  // 'required' and a named tool ask for a tool call on this turn; response_format shapes the
  // final answer, which this turn will not give, so the gateway tool is not offered then.
  const json = draft.jsonOutput && choice !== 'required' && typeof choice !== 'object' ? jsonOutputTool(draft.jsonOutput) : undefined;
  if (json && clientTools.some((t) => t.name === JSON_TOOL_NAME)) {
    throw GatewayError.invalid(
      `Tool name '${JSON_TOOL_NAME}' is reserved on Anthropic models while response_format asks for JSON; rename the tool.`,
      'tools',
    );
  }
  if (!clientTools.length && !json) return undefined;
  out.tools = json ? [...clientTools, json.tool] : clientTools;

  let mapped: AnthropicToolChoice | undefined;
  if (json) {
    // Anthropic rejects forced tool use together with extended thinking, so with thinking the
    // model is only offered the tool ('auto'; a client 'none' cannot be kept then, since
    // Anthropic's 'none' would shut out the gateway tool too). Without thinking: alone, the
    // gateway tool is forced; beside client tools under 'auto' (or no choice), 'any' lets the
    // model either call a client tool or answer through the gateway tool, but never answer in
    // free text, which the client could not parse; under 'none' the client's tools stay
    // declared (earlier turns may hold their calls) while the gateway tool is forced.
    if (thinkingEnabled(out)) mapped = clientTools.length ? { type: 'auto' } : undefined;
    else if (clientTools.length && choice !== 'none') mapped = { type: 'any' };
    else mapped = { type: 'tool', name: json.info.name };
  } else if (choice === 'none') mapped = { type: 'none' };
  else if (choice === 'auto') mapped = { type: 'auto' };
  else if (choice === 'required') mapped = { type: 'any' };
  else if (choice) mapped = { type: 'tool', name: choice.name };
  if (draft.parallelToolCalls === false && mapped?.type !== 'none') {
    mapped = { ...(mapped ?? { type: 'auto' }), disable_parallel_tool_use: true } as AnthropicToolChoice;
  }
  if (mapped) out.tool_choice = mapped;
  return json?.info;
}

function thinkingEnabled(out: AnthropicMessagesRequest): boolean {
  return out.thinking !== undefined && out.thinking.type !== 'disabled';
}

function applyThinking(draft: RequestDraft, out: AnthropicMessagesRequest, explicitMax: number | undefined): void {
  if (draft.thinking) {
    out.thinking = draft.thinking;
    return;
  }
  if (draft.reasoningEffort === undefined) return;
  if (!(draft.reasoningEffort in THINKING_BUDGET)) {
    throw GatewayError.invalid(
      `'reasoning_effort' must be one of ${Object.keys(THINKING_BUDGET).join(', ')}.`,
      'reasoning_effort',
    );
  }
  const budget = THINKING_BUDGET[draft.reasoningEffort];
  if (budget === null) return;
  if (explicitMax === undefined) {
    // OpenAI counts reasoning inside the completion budget, as Anthropic does: keep the
    // default room for the answer on top of the thinking budget.
    out.max_tokens += budget;
  } else if (explicitMax <= budget) {
    throw GatewayError.invalid(
      `reasoning_effort '${draft.reasoningEffort}' gives Anthropic a thinking budget of ${budget} tokens, which must be ` +
        `smaller than max_completion_tokens/max_tokens (${explicitMax}).`,
      draft.maxCompletionTokens !== undefined ? 'max_completion_tokens' : 'max_tokens',
    );
  }
  out.thinking = { type: 'enabled', budget_tokens: budget };
}

interface Turn {
  role: 'user' | 'assistant';
  blocks: AnthropicContentBlock[];
}

/**
 * Chat messages → Anthropic's system prompt and alternating user/assistant turns. System and
 * developer messages move to the top-level system field; tool results become user turns;
 * consecutive turns of one role merge, since Anthropic expects strict alternation.
 */
export function translateMessages(raw: unknown): { system?: string | AnthropicTextBlock[]; messages: AnthropicMessage[] } {
  if (!Array.isArray(raw) || raw.length === 0) throw GatewayError.invalid(`'messages' must be a non-empty array.`, 'messages');
  const system: AnthropicTextBlock[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], blocks: AnthropicContentBlock[]) => {
    if (!blocks.length) return;
    const last = turns[turns.length - 1];
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };

  raw.forEach((message, i) => {
    const path = `messages[${i}]`;
    const m = (message ?? {}) as { role?: unknown; content?: unknown; tool_calls?: unknown; tool_call_id?: unknown };
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(m.content, `${path}.content`));
        break;
      case 'user':
        push('user', userBlocks(m.content, `${path}.content`));
        break;
      case 'assistant':
        // Thinking first: Anthropic wants an assistant turn's thinking blocks before its text and tool calls.
        push('assistant', [
          ...(thinkingBlocksOf(m as JsonObject) ?? []),
          ...textBlocks(m.content, `${path}.content`),
          ...toolUseBlocks(m.tool_calls, `${path}.tool_calls`),
        ]);
        break;
      case 'tool':
        push('user', [toolResultBlock(m.tool_call_id, m.content, path)]);
        break;
      case 'function':
        throw GatewayError.invalid(`${path}: the legacy 'function' role is not supported for Anthropic models; use 'tool'.`, `${path}.role`);
      default:
        throw GatewayError.invalid(`${path}.role '${String(m.role)}' is not a Chat Completions role.`, `${path}.role`);
    }
  });

  if (!turns.length) {
    throw GatewayError.invalid(`'messages' must contain at least one user or assistant message for Anthropic models.`, 'messages');
  }
  return {
    ...(system.length ? { system: system.length === 1 ? system[0].text : system } : {}),
    messages: turns.map(toMessage),
  };
}

function withoutThinking(messages: AnthropicMessage[]): AnthropicMessage[] {
  const kept: AnthropicMessage[] = [];
  for (const m of messages) {
    if (typeof m.content === 'string') {
      kept.push(m);
      continue;
    }
    const blocks = m.content.filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
    if (!blocks.length) continue;
    kept.push(toMessage({ role: m.role, blocks }));
  }
  return kept;
}

function toMessage(turn: Turn): AnthropicMessage {
  // Anthropic wants a user turn's tool results before anything else in it.
  const blocks = turn.role === 'user' ? [...turn.blocks].sort((a, b) => rank(a) - rank(b)) : turn.blocks;
  const only = blocks.length === 1 ? blocks[0] : undefined;
  return { role: turn.role, content: only?.type === 'text' ? only.text : blocks };
}

function rank(block: AnthropicContentBlock): number {
  return block.type === 'tool_result' ? 0 : 1;
}

/** Text-only content (system, developer, assistant, tool): a string or an array of text parts. */
function textBlocks(content: unknown, path: string): AnthropicTextBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw GatewayError.invalid(`${path} must be a string or an array of content parts.`, path);
  const out: AnthropicTextBlock[] = [];
  content.forEach((part, j) => {
    const p = part as { type?: unknown; text?: unknown; refusal?: unknown };
    const text = p?.type === 'text' ? p.text : p?.type === 'refusal' ? p.refusal : undefined;
    if (typeof text !== 'string') {
      throw GatewayError.invalid(`${path}[${j}]: content part type '${String(p?.type)}' is not allowed here.`, `${path}[${j}]`);
    }
    // Anthropic rejects empty text blocks; an empty part carries nothing anyway.
    if (text) out.push({ type: 'text', text });
  });
  return out;
}

function userBlocks(content: unknown, path: string): (AnthropicTextBlock | AnthropicImageBlock)[] {
  if (!Array.isArray(content)) return textBlocks(content, path);
  const out: (AnthropicTextBlock | AnthropicImageBlock)[] = [];
  content.forEach((part, j) => {
    const p = part as { type?: unknown; text?: unknown; image_url?: unknown };
    if (p?.type === 'text' && typeof p.text === 'string') {
      if (p.text) out.push({ type: 'text', text: p.text });
    } else if (p?.type === 'image_url') {
      out.push(imageBlock(p.image_url, `${path}[${j}].image_url`));
    } else {
      throw GatewayError.invalid(
        `${path}[${j}]: content part type '${String(p?.type)}' is not supported for Anthropic models (text and image_url are).`,
        `${path}[${j}].type`,
      );
    }
  });
  return out;
}

function imageBlock(imageUrl: unknown, path: string): AnthropicImageBlock {
  const url = typeof imageUrl === 'string' ? imageUrl : (imageUrl as { url?: unknown })?.url;
  if (typeof url !== 'string' || !url) throw GatewayError.invalid(`${path}.url is required.`, `${path}.url`);
  if (url.startsWith('data:')) {
    const m = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
    if (!m) throw GatewayError.invalid(`${path}.url: only base64 data URLs can be sent to Anthropic.`, `${path}.url`);
    const mediaType = m[1].toLowerCase();
    if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
      throw GatewayError.invalid(
        `${path}.url: image type '${mediaType}' is not supported by Anthropic (jpeg, png, gif and webp are).`,
        `${path}.url`,
      );
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: m[3] } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw GatewayError.invalid(`${path}.url must be an http(s) URL or a base64 data URL.`, `${path}.url`);
}

function toolUseBlocks(toolCalls: unknown, path: string): AnthropicToolUseBlock[] {
  if (toolCalls === null || toolCalls === undefined) return [];
  if (!Array.isArray(toolCalls)) throw GatewayError.invalid(`${path} must be an array.`, path);
  return toolCalls.map((call, j) => {
    const c = call as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } };
    const at = `${path}[${j}]`;
    if (typeof c?.id !== 'string' || !c.id) throw GatewayError.invalid(`${at}.id is required.`, `${at}.id`);
    if (typeof c.function?.name !== 'string' || !c.function.name) {
      throw GatewayError.invalid(`${at}.function.name is required.`, `${at}.function.name`);
    }
    return { type: 'tool_use', id: c.id, name: c.function.name, input: parseArguments(c.function.arguments, `${at}.function.arguments`) };
  });
}

/** OpenAI carries tool arguments as a JSON string; Anthropic wants the object itself. */
function parseArguments(args: unknown, path: string): Record<string, unknown> {
  if (args === undefined || args === null || args === '') return {};
  let parsed: unknown = args;
  if (typeof args === 'string') {
    try {
      parsed = JSON.parse(args);
    } catch {
      throw GatewayError.invalid(`${path} is not valid JSON.`, path);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw GatewayError.invalid(`${path} must encode a JSON object.`, path);
  }
  return parsed as Record<string, unknown>;
}

function toolResultBlock(toolCallId: unknown, content: unknown, path: string): AnthropicToolResultBlock {
  if (typeof toolCallId !== 'string' || !toolCallId) {
    throw GatewayError.invalid(`${path}.tool_call_id is required for tool messages.`, `${path}.tool_call_id`);
  }
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: toolCallId };
  if (typeof content === 'string') {
    if (content) block.content = content;
  } else {
    const parts = textBlocks(content, `${path}.content`);
    if (parts.length) block.content = parts;
  }
  return block;
}
