import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import type { IdSource } from './bridge-ids.js';
import { encodeThinking, thinkingBlocksOf } from './reasoning-carrier.js';

/** What the Responses side needs to know about the call, beyond the chat result. */
export interface BridgeResponseContext {
  /** The name the client sent: every Responses object carries it as `model`. */
  readonly requestedName: string;
  readonly ids: IdSource;
  /** Unix seconds. */
  readonly now: () => number;
  /** The response is going to be kept in the conversation store (the request did not say store: false). */
  readonly stored?: boolean;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/**
 * The Response object around the output, echoing the request settings the way OpenAI does,
 * so clients that read back `instructions`, `tools` or `temperature` see what they sent.
 */
export function responseEnvelope(request: JsonObject, ctx: BridgeResponseContext, id: string, createdAt: number): JsonObject {
  const text = isObject(request.text) ? request.text : {};
  const reasoning = isObject(request.reasoning) ? request.reasoning : {};
  const textConfig: JsonObject = { format: isObject(text.format) ? text.format : { type: 'text' } };
  if (typeof text.verbosity === 'string') textConfig.verbosity = text.verbosity;
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: ctx.requestedName,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: typeof request.previous_response_id === 'string' ? request.previous_response_id : null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    // Lowered to false after the fact when keeping it failed: the client then knows it cannot continue it.
    store: ctx.stored === true,
    temperature: request.temperature ?? null,
    text: textConfig,
    tool_choice: request.tool_choice ?? 'auto',
    tools: Array.isArray(request.tools) ? request.tools.filter((t) => isObject(t) && t.type === 'function') : [],
    top_p: request.top_p ?? null,
    truncation: request.truncation ?? 'disabled',
    usage: null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

/** Chat finish_reason → Responses status and incomplete_details. */
export function finishToStatus(finishReason: unknown): { status: 'completed' | 'incomplete'; incompleteDetails: JsonObject | null } {
  if (finishReason === 'length') return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
  return { status: 'completed', incompleteDetails: null };
}

/** Chat usage → Responses usage; null when the upstream reported none. */
export function chatUsageToResponses(usage: unknown): JsonObject | null {
  if (!isObject(usage)) return null;
  const input = num(usage.prompt_tokens);
  const output = num(usage.completion_tokens);
  const promptDetails = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const completionDetails = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: num(promptDetails.cached_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: num(completionDetails.reasoning_tokens) },
    total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : input + output,
  };
}

export function outputTextPart(text: string): JsonObject {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

export function messageItem(id: string, status: string, content: JsonObject[]): JsonObject {
  return { id, type: 'message', status, content, role: 'assistant' };
}

/**
 * The model's reasoning (Chat's de-facto `reasoning_content`) as a Responses reasoning item. It goes
 * into `summary`, not `content`: `summary` is the field every client reads (the openai SDK types
 * require it, the Vercel AI SDK reads nothing else), and the summary events are what they stream.
 */
export function reasoningItem(id: string, text: string): JsonObject & { summary: JsonObject[] } {
  return { id, type: 'reasoning', summary: text ? [summaryTextPart(text)] : [] };
}

/**
 * The reasoning text of a chat message or delta. DeepSeek, older vLLM builds and the Anthropic
 * adapter name it `reasoning_content`; Groq, OpenRouter and newer vLLM builds name it `reasoning`.
 */
export function reasoningOf(part: JsonObject): string | undefined {
  const text = part.reasoning_content ?? part.reasoning;
  return typeof text === 'string' && text.length > 0 ? text : undefined;
}

export function summaryTextPart(text: string): JsonObject {
  return { type: 'summary_text', text };
}

export function functionCallItem(id: string, status: string, callId: string, name: string, args: string): JsonObject {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/** A complete (non-streamed) chat completion → a Response object. */
export function chatToResponse(chat: JsonObject, request: JsonObject, ctx: BridgeResponseContext): JsonObject {
  const choice = Array.isArray(chat.choices) ? chat.choices[0] : undefined;
  if (!isObject(choice)) {
    throw new GatewayError(ErrorCode.UpstreamError, 'The upstream chat completion contained no choices.');
  }
  const id = ctx.ids.next('resp');
  const message = isObject(choice.message) ? choice.message : {};
  const { status, incompleteDetails } = finishToStatus(choice.finish_reason);
  const text = contentText(message.content);
  const refusal = typeof message.refusal === 'string' && message.refusal.length > 0 ? message.refusal : undefined;
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];

  const output: JsonObject[] = [];
  const reasoning = reasoningOf(message);
  const thinking = thinkingBlocksOf(message);
  if (reasoning !== undefined || thinking) {
    const item = reasoningItem(ctx.ids.next('rs'), reasoning ?? '');
    if (thinking) item.encrypted_content = encodeThinking(thinking);
    output.push(item);
  }
  // A response with neither text nor calls still has an (empty) message, reasoning or not: clients look for the answer there.
  if (text.length > 0 || refusal || toolCalls.length === 0) {
    const parts: JsonObject[] = [];
    if (text.length > 0 || !refusal) parts.push(outputTextPart(text));
    if (refusal) parts.push({ type: 'refusal', refusal });
    output.push(messageItem(ctx.ids.next('msg'), status === 'incomplete' ? 'incomplete' : 'completed', parts));
  }
  for (const call of toolCalls) {
    const fn = isObject(call.function) ? call.function : {};
    output.push(
      functionCallItem(
        ctx.ids.next('fc'),
        'completed',
        typeof call.id === 'string' && call.id ? call.id : ctx.ids.next('call'),
        typeof fn.name === 'string' ? fn.name : '',
        typeof fn.arguments === 'string' ? fn.arguments : '',
      ),
    );
  }

  const createdAt = typeof chat.created === 'number' ? chat.created : ctx.now();
  return {
    ...responseEnvelope(request, ctx, id, createdAt),
    status,
    completed_at: status === 'completed' ? ctx.now() : null,
    incomplete_details: incompleteDetails,
    output,
    usage: chatUsageToResponses(chat.usage),
  };
}

/** Chat content is usually a string; a few servers answer with text parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  }
  return '';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
