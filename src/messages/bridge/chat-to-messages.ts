import { randomBytes } from 'node:crypto';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { isObject } from './bridge-json.js';

/**
 * Chat finish_reason → Anthropic stop_reason. Chat does not say which stop sequence matched; vLLM
 * (`stop_reason`) and SGLang (`matched_stop`) do, and only then is the answer `stop_sequence`.
 */
export function stopReasonOf(finishReason: unknown, hasToolUse: boolean, matchedStop: string | null): string {
  if (finishReason === 'length') return 'max_tokens';
  if (finishReason === 'content_filter') return 'refusal';
  // Some servers (Ollama, Gemini's compatibility layer) finish a tool-calling turn with 'stop'.
  if (finishReason === 'tool_calls' || finishReason === 'function_call' || hasToolUse) return 'tool_use';
  return matchedStop !== null ? 'stop_sequence' : 'end_turn';
}

/** The matched stop string, when the upstream reports it (vLLM `stop_reason`, SGLang `matched_stop`). */
export function matchedStopOf(choice: JsonObject): string | null {
  const value = choice.stop_reason ?? choice.matched_stop;
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Chat usage → Anthropic usage. OpenAI's prompt_tokens includes cached tokens, Anthropic's
 * input_tokens does not: cache reads are split out when the upstream reports them.
 */
export function messagesUsageOf(usage: unknown): JsonObject {
  const u = isObject(usage) ? usage : {};
  const prompt = num(u.prompt_tokens);
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : undefined;
  const cached = typeof details?.cached_tokens === 'number' ? details.cached_tokens : undefined;
  const out: JsonObject = { input_tokens: Math.max(0, prompt - (cached ?? 0)), output_tokens: num(u.completion_tokens) };
  if (cached !== undefined) out.cache_read_input_tokens = cached;
  return out;
}

/** msg_ + the upstream's id, so logs on both sides line up; random when the upstream gave none. */
export function messageIdOf(chatId: unknown): string {
  if (typeof chatId === 'string' && chatId !== '') return chatId.startsWith('msg_') ? chatId : `msg_${chatId}`;
  return `msg_${randomBytes(12).toString('hex')}`;
}

export function reasoningTextOf(part: JsonObject): string | undefined {
  const text = part.reasoning_content ?? part.reasoning;
  return typeof text === 'string' && text.length > 0 ? text : undefined;
}

/** A chat.completion → an Anthropic Message whose `model` is the name the client asked for. */
export function chatToMessagesResponse(chat: JsonObject, requestedModel: string): JsonObject {
  const choice = Array.isArray(chat.choices) ? chat.choices.find((c) => isObject(c) && (c.index ?? 0) === 0) : undefined;
  if (!isObject(choice)) throw new GatewayError(ErrorCode.UpstreamError, 'The upstream chat completion contained no choices.');
  const message = isObject(choice.message) ? choice.message : {};
  const content: JsonObject[] = [];
  const reasoning = reasoningTextOf(message);
  // Not signed: only Anthropic can sign thinking, and a later turn drops it for this provider anyway.
  if (reasoning !== undefined) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  const text = contentText(message.content) + (typeof message.refusal === 'string' ? message.refusal : '');
  if (text) content.push({ type: 'text', text });
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
  toolCalls.forEach((call, i) => {
    const fn = isObject(call.function) ? call.function : {};
    const name = typeof fn.name === 'string' ? fn.name : '';
    content.push({
      type: 'tool_use',
      id: typeof call.id === 'string' && call.id ? call.id : `toolu_${randomBytes(12).toString('hex')}`,
      name,
      input: parseInput(fn.arguments, name, choice.finish_reason === 'length', i),
    });
  });
  const matched = matchedStopOf(choice);
  const stopReason = stopReasonOf(choice.finish_reason, toolCalls.length > 0, matched);
  return {
    id: messageIdOf(chat.id),
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? matched : null,
    usage: messagesUsageOf(chat.usage),
  };
}

/** Tool arguments as the object Anthropic clients expect; cut-off JSON (max_tokens) becomes {}. */
function parseInput(args: unknown, name: string, truncated: boolean, index: number): JsonObject {
  if (args === undefined || args === null || args === '') return {};
  if (isObject(args)) return args;
  try {
    const parsed: unknown = JSON.parse(String(args));
    if (isObject(parsed)) return parsed;
  } catch {
    /* handled below */
  }
  if (truncated) return {};
  throw new GatewayError(
    ErrorCode.UpstreamError,
    `The upstream returned arguments for tool call ${index} ('${name}') that are not a JSON object.`,
  );
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
