import { randomBytes } from 'node:crypto';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import { parseChatChunk, readChatChunk } from '../../common/chat-chunk.js';
import type { JsonObject, SseEvent } from '../../providers/provider-adapter.js';
import { isObject } from './bridge-json.js';
import { matchedStopOf, messageIdOf, messagesUsageOf, reasoningTextOf, stopReasonOf } from './chat-to-messages.js';

interface ToolCall {
  id: string;
  name: string;
  args: string;
}

/**
 * Chat Completions chunks → Anthropic's Messages event sequence: message_start, ping, then per
 * content block content_block_start / content_block_delta… / content_block_stop, and at the end
 * message_delta (stop_reason, usage) and message_stop.
 *
 * Anthropic blocks are strictly sequential, but chat upstreams may interleave the argument pieces
 * of parallel tool calls, or send text after a call. So the first tool call streams live and stays
 * open until the upstream finishes; later calls, and text or reasoning after the first call, are
 * held and sent as whole blocks after it. Text and reasoning before any call stream as they come.
 * The first upstream event is awaited before anything is sent, so an upstream failure at the
 * start still reaches the router as a failed attempt; errors later propagate to the caller, which
 * ends the SSE response with an error event. A stream that stops with neither finish_reason nor
 * [DONE] was cut off and is an error too, never a silently short answer.
 */
export async function* chatStreamToMessagesEvents(events: AsyncIterable<SseEvent>, requestedModel: string): AsyncGenerator<SseEvent> {
  const iterator = events[Symbol.asyncIterator]();
  let next = await iterator.next();
  if (next.done) throw new GatewayError(ErrorCode.UpstreamError, 'The upstream ended the chat stream without sending any event.');
  const state = new StreamState(requestedModel);
  let finished = false;
  try {
    let started = false;
    while (!next.done) {
      const data = next.value.data;
      if (data === '[DONE]') {
        state.sawDone = true;
        break;
      }
      if (data.trim() !== '') {
        const chunk = parseChatChunk(data);
        if (!started) {
          started = true;
          yield* state.start(chunk);
        }
        yield* state.onChunk(chunk);
      }
      next = await iterator.next();
    }
    finished = true;
    if (!started) throw new GatewayError(ErrorCode.UpstreamError, 'The upstream ended the chat stream without sending any chunk.');
    if (state.finishReason === undefined && !state.sawDone) {
      throw new GatewayError(ErrorCode.UpstreamError, 'The upstream ended the chat stream before it finished.');
    }
    yield* state.finish();
  } finally {
    // Stopped early (client gone, [DONE] before the socket closed, an error): release the upstream.
    if (!finished || !next.done) await iterator.return?.(undefined);
  }
}

class StreamState {
  private blockCount = 0;
  /** The block being streamed live: its kind, and for a tool call its chat index. */
  private open?: { kind: 'thinking' | 'text' | 'tool'; key?: number | string };
  private readonly tools = new Map<number | string, ToolCall>();
  private liveKey?: number | string;
  private liveOpened = false;
  private tailThinking = '';
  private tailText = '';
  private usage: unknown;
  private matchedStop: string | null = null;
  finishReason: unknown;
  sawDone = false;

  constructor(private readonly model: string) {}

  *start(first: JsonObject): Generator<SseEvent> {
    const message = {
      id: messageIdOf(first.id),
      type: 'message',
      role: 'assistant',
      model: this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The prompt count arrives with the last chunk: message_delta carries it.
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    yield event('message_start', { message });
    yield event('ping', {});
  }

  *onChunk(chunk: JsonObject): Generator<SseEvent> {
    const { usage, choice, delta } = readChatChunk(chunk);
    if (usage !== undefined) this.usage = usage;
    if (!choice) return;
    const reasoning = reasoningTextOf(delta);
    if (reasoning !== undefined) yield* this.append('thinking', reasoning);
    const text = (typeof delta.content === 'string' ? delta.content : '') + (typeof delta.refusal === 'string' ? delta.refusal : '');
    if (text) yield* this.append('text', text);
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) if (isObject(call)) yield* this.onToolCall(call);
    }
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
      this.finishReason = choice.finish_reason;
      this.matchedStop = matchedStopOf(choice);
    }
  }

  *finish(): Generator<SseEvent> {
    yield* this.close();
    for (const [key, tool] of this.tools) {
      if (key === this.liveKey && this.liveOpened) continue;
      yield* this.wholeToolBlock(tool);
    }
    if (this.tailThinking) yield* this.wholeBlock({ type: 'thinking', thinking: '', signature: '' }, { type: 'thinking_delta', thinking: this.tailThinking });
    if (this.tailText) yield* this.wholeBlock({ type: 'text', text: '' }, { type: 'text_delta', text: this.tailText });
    const stopReason = stopReasonOf(this.finishReason, this.tools.size > 0, this.matchedStop);
    yield event('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? this.matchedStop : null },
      usage: messagesUsageOf(this.usage),
    });
    yield event('message_stop', {});
  }

  private *append(kind: 'thinking' | 'text', piece: string): Generator<SseEvent> {
    if (this.tools.size > 0) {
      if (kind === 'thinking') this.tailThinking += piece;
      else this.tailText += piece;
      return;
    }
    if (this.open?.kind !== kind) {
      yield* this.close();
      yield this.startBlock(kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'text', text: '' });
      this.open = { kind };
    }
    yield this.delta(kind === 'thinking' ? { type: 'thinking_delta', thinking: piece } : { type: 'text_delta', text: piece });
  }

  private *onToolCall(call: JsonObject): Generator<SseEvent> {
    const fn = isObject(call.function) ? call.function : {};
    const key = typeof call.index === 'number' ? call.index : typeof call.id === 'string' && call.id ? call.id : this.lastKey();
    let tool = this.tools.get(key);
    if (!tool) {
      tool = { id: '', name: '', args: '' };
      this.tools.set(key, tool);
      this.liveKey ??= key;
    }
    if (!tool.id && typeof call.id === 'string') tool.id = call.id;
    if (!tool.name && typeof fn.name === 'string') tool.name = fn.name;
    const args = typeof fn.arguments === 'string' ? fn.arguments : '';
    if (key !== this.liveKey) {
      tool.args += args;
      return;
    }
    if (!this.liveOpened) {
      tool.args += args;
      // content_block_start must name the tool: wait for the chunk that does.
      if (!tool.name) return;
      yield* this.close();
      yield this.startBlock({ type: 'tool_use', id: tool.id || toolId(), name: tool.name, input: {} });
      this.open = { kind: 'tool', key };
      this.liveOpened = true;
      if (tool.args) yield this.delta({ type: 'input_json_delta', partial_json: tool.args });
      return;
    }
    if (args) {
      tool.args += args;
      yield this.delta({ type: 'input_json_delta', partial_json: args });
    }
  }

  private lastKey(): number | string {
    let last: number | string = 0;
    for (const key of this.tools.keys()) last = key;
    return last;
  }

  private *wholeToolBlock(tool: ToolCall): Generator<SseEvent> {
    yield* this.wholeBlock(
      { type: 'tool_use', id: tool.id || toolId(), name: tool.name, input: {} },
      tool.args ? { type: 'input_json_delta', partial_json: tool.args } : undefined,
    );
  }

  private *wholeBlock(block: JsonObject, delta: JsonObject | undefined): Generator<SseEvent> {
    yield this.startBlock(block);
    if (delta) yield this.delta(delta);
    yield event('content_block_stop', { index: this.blockCount - 1 });
  }

  private startBlock(block: JsonObject): SseEvent {
    return event('content_block_start', { index: this.blockCount++, content_block: block });
  }

  private delta(delta: JsonObject): SseEvent {
    return event('content_block_delta', { index: this.blockCount - 1, delta });
  }

  private *close(): Generator<SseEvent> {
    if (!this.open) return;
    this.open = undefined;
    yield event('content_block_stop', { index: this.blockCount - 1 });
  }
}

function event(type: string, fields: JsonObject): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...fields }) };
}

function toolId(): string {
  return `toolu_${randomBytes(12).toString('hex')}`;
}

