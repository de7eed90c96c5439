import { mapError } from '../../common/error-mapping.js';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import { responsesErrorCode, responsesErrorEvent } from '../../common/sse.js';
import { parseChatChunk, readChatChunk } from '../../common/chat-chunk.js';
import type { JsonObject, SseEvent } from '../../providers/provider-adapter.js';
import {
  BridgeResponseContext,
  chatUsageToResponses,
  finishToStatus,
  functionCallItem,
  messageItem,
  outputTextPart,
  reasoningItem,
  reasoningOf,
  responseEnvelope,
  summaryTextPart,
} from './chat-to-response.js';
import type { ThinkingBlock } from '../../providers/anthropic/thinking-blocks.js';
import { encodeThinking, thinkingBlocksOf } from './reasoning-carrier.js';

/**
 * A Chat Completions chunk stream → the Responses API event stream.
 *
 * Output is emitted one item at a time, as OpenAI does: a reasoning item (the chunks'
 * `reasoning_content`) is closed when text or a function call starts, a message item (text,
 * refusal) when a function call starts, and a function call when the next one starts. Every
 * event carries a `sequence_number` counted here, including the final `response.failed`
 * when the upstream breaks off, so the numbering never has gaps or repeats.
 */
export async function* chatStreamToResponseEvents(
  chunks: AsyncIterable<SseEvent>,
  request: JsonObject,
  ctx: BridgeResponseContext,
  /**
   * Runs before the final event is sent, so that a client reading response.completed can continue
   * the response at once (on any replica); the response it returns is the one announced.
   */
  onComplete?: (response: JsonObject) => Promise<JsonObject>,
): AsyncGenerator<SseEvent> {
  const iterator = chunks[Symbol.asyncIterator]();
  // The first upstream event is awaited before anything is emitted: a failure here still
  // reaches the router as a failed attempt (retry, fallback) instead of a response.failed.
  let next = await iterator.next();
  if (next.done) throw new GatewayError(ErrorCode.UpstreamError, 'The upstream ended the chat stream without sending any event.');
  const state = new StreamState(request, ctx);
  state.start();
  yield* state.drain();
  let finished = false;
  try {
    while (!next.done) {
      if (next.value.data === '[DONE]') {
        state.sawDone = true;
        break;
      }
      if (next.value.data.trim() !== '') {
        state.onChunk(parseChatChunk(next.value.data));
        yield* state.drain();
      }
      next = await iterator.next();
    }
    finished = true;
    state.checkEnded();
  } catch (err) {
    finished = true;
    state.fail(err);
    yield* state.drain();
    return;
  } finally {
    // Stopped early (client gone, [DONE] before the socket closed): release the upstream.
    if (!finished || !next.done) await iterator.return?.(undefined);
  }
  const response = state.finish();
  yield* state.drain();
  state.announce(onComplete ? await onComplete(response) : response);
  yield* state.drain();
}

interface TextState {
  readonly item: JsonObject & { content: JsonObject[] };
  readonly outputIndex: number;
  part?: { kind: 'output_text' | 'refusal'; index: number; value: JsonObject };
}

interface ReasoningState {
  readonly item: JsonObject & { summary: JsonObject[] };
  readonly outputIndex: number;
  readonly part: JsonObject & { text: string };
  /** Anthropic thinking blocks seen for this item, carried in its encrypted_content. */
  readonly thinking: ThinkingBlock[];
}

interface ToolState {
  readonly item: JsonObject & { arguments: string; name: string };
  readonly outputIndex: number;
  done: boolean;
}

class StreamState {
  private sequence = 0;
  private pending: SseEvent[] = [];
  private readonly envelope: JsonObject;
  private readonly output: JsonObject[] = [];
  private reasoning?: ReasoningState;
  private message?: TextState;
  private tool?: ToolState;
  private readonly tools = new Map<number | string, ToolState>();
  private finishReason: unknown;
  private usage: unknown;
  /** The upstream sent `[DONE]`. */
  sawDone = false;

  constructor(
    request: JsonObject,
    private readonly ctx: BridgeResponseContext,
  ) {
    this.envelope = responseEnvelope(request, ctx, ctx.ids.next('resp'), ctx.now());
  }

  drain(): SseEvent[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  start(): void {
    this.emit('response.created', { response: this.snapshot() });
    this.emit('response.in_progress', { response: this.snapshot() });
  }

  onChunk(chunk: JsonObject): void {
    const { usage, choice, delta } = readChatChunk(chunk);
    if (usage !== undefined) this.usage = usage;
    if (!choice) return;
    const reasoning = reasoningOf(delta);
    if (reasoning !== undefined) this.appendReasoning(reasoning);
    const thinking = thinkingBlocksOf(delta);
    if (thinking) this.attachThinking(thinking);
    if (typeof delta.content === 'string' && delta.content.length > 0) this.appendText('output_text', delta.content);
    if (typeof delta.refusal === 'string' && delta.refusal.length > 0) this.appendText('refusal', delta.refusal);
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) if (isObject(call)) this.onToolCall(call);
    }
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) this.finishReason = choice.finish_reason;
  }

  /** A stream that stops with neither finish_reason nor [DONE] was cut off, not completed. */
  checkEnded(): void {
    if (this.finishReason === undefined && !this.sawDone) {
      throw new GatewayError(ErrorCode.UpstreamError, 'The upstream ended the chat stream before it finished.');
    }
  }

  finish(): JsonObject {
    const { status, incompleteDetails } = finishToStatus(this.finishReason);
    if (!this.output.some((item) => item.type !== 'reasoning')) {
      // Like the non-streamed bridge: a response always has a message, if only an empty one.
      this.openPart('output_text');
    }
    this.closeReasoning();
    this.closeMessage(status === 'incomplete' ? 'incomplete' : 'completed');
    this.closeTool();
    const response = {
      ...this.snapshot(),
      status,
      completed_at: status === 'completed' ? this.ctx.now() : null,
      incomplete_details: incompleteDetails,
      usage: chatUsageToResponses(this.usage),
    };
    return response;
  }

  announce(response: JsonObject): void {
    this.emit(response.status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
  }

  fail(err: unknown): void {
    const mapped = mapError(err);
    this.emit('response.failed', {
      response: {
        ...this.snapshot(),
        status: 'failed',
        error: { code: responsesErrorCode(mapped.status), message: mapped.body.error.message },
      },
    });
    // Same convention as a native stream that breaks (common/sse.ts): the error event makes SDKs raise.
    const { type: _type, ...fields } = responsesErrorEvent(err);
    this.emit('error', fields as JsonObject);
  }

  private appendReasoning(delta: string): void {
    const reasoning = this.openReasoning();
    reasoning.part.text += delta;
    this.emit('response.reasoning_summary_text.delta', { item_id: reasoning.item.id, output_index: reasoning.outputIndex, summary_index: 0, delta });
  }

  /** A signed (or redacted) thinking block, sent whole once it ends: kept for the next turn. */
  private attachThinking(blocks: ThinkingBlock[]): void {
    const reasoning = this.openReasoning();
    reasoning.thinking.push(...blocks);
    reasoning.item.encrypted_content = encodeThinking(reasoning.thinking);
  }

  private openReasoning(): ReasoningState {
    if (!this.reasoning) {
      this.closeMessage('completed');
      this.closeTool();
      const item = reasoningItem(this.ctx.ids.next('rs'), '');
      const outputIndex = this.output.length;
      this.output.push(item);
      this.emit('response.output_item.added', { output_index: outputIndex, item });
      // Reasoning from a chat upstream is one running text: a single summary part holds it.
      const part = summaryTextPart('') as ReasoningState['part'];
      item.summary.push(part);
      this.reasoning = { item, outputIndex, part, thinking: [] };
      this.emit('response.reasoning_summary_part.added', { item_id: item.id, output_index: outputIndex, summary_index: 0, part });
    }
    return this.reasoning;
  }

  private closeReasoning(): void {
    const reasoning = this.reasoning;
    if (!reasoning) return;
    const base = { item_id: reasoning.item.id, output_index: reasoning.outputIndex, summary_index: 0 };
    this.emit('response.reasoning_summary_text.done', { ...base, text: reasoning.part.text });
    this.emit('response.reasoning_summary_part.done', { ...base, part: reasoning.part });
    this.emit('response.output_item.done', { output_index: reasoning.outputIndex, item: reasoning.item });
    this.reasoning = undefined;
  }

  private appendText(kind: 'output_text' | 'refusal', delta: string): void {
    const message = this.openPart(kind);
    const part = message.part!;
    const base = { item_id: message.item.id, output_index: message.outputIndex, content_index: part.index };
    if (kind === 'output_text') {
      part.value.text = (part.value.text as string) + delta;
      this.emit('response.output_text.delta', { ...base, delta, logprobs: [] });
    } else {
      part.value.refusal = (part.value.refusal as string) + delta;
      this.emit('response.refusal.delta', { ...base, delta });
    }
  }

  /** The open message item with an open part of the given kind, opening either as needed. */
  private openPart(kind: 'output_text' | 'refusal'): TextState {
    if (!this.message) {
      this.closeReasoning();
      this.closeTool();
      const item = messageItem(this.ctx.ids.next('msg'), 'in_progress', []) as TextState['item'];
      this.message = { item, outputIndex: this.output.length };
      this.output.push(item);
      this.emit('response.output_item.added', { output_index: this.message.outputIndex, item });
    }
    const message = this.message;
    if (message.part?.kind !== kind) {
      this.closePart();
      const value = kind === 'output_text' ? outputTextPart('') : { type: 'refusal', refusal: '' };
      message.part = { kind, index: message.item.content.length, value };
      message.item.content.push(value);
      this.emit('response.content_part.added', {
        item_id: message.item.id,
        output_index: message.outputIndex,
        content_index: message.part.index,
        part: value,
      });
    }
    return message;
  }

  private closePart(): void {
    const message = this.message;
    const part = message?.part;
    if (!message || !part) return;
    const base = { item_id: message.item.id, output_index: message.outputIndex, content_index: part.index };
    if (part.kind === 'output_text') {
      this.emit('response.output_text.done', { ...base, text: part.value.text, logprobs: [] });
    } else {
      this.emit('response.refusal.done', { ...base, refusal: part.value.refusal });
    }
    this.emit('response.content_part.done', { ...base, part: part.value });
    message.part = undefined;
  }

  private closeMessage(status: 'completed' | 'incomplete'): void {
    if (!this.message) return;
    this.closePart();
    this.message.item.status = status;
    this.emit('response.output_item.done', { output_index: this.message.outputIndex, item: this.message.item });
    this.message = undefined;
  }

  private onToolCall(call: JsonObject): void {
    const fn = isObject(call.function) ? call.function : {};
    const key = typeof call.index === 'number' ? call.index : typeof call.id === 'string' && call.id ? call.id : this.currentToolKey();
    let state = this.tools.get(key);
    if (!state) {
      this.closeReasoning();
      this.closeMessage('completed');
      this.closeTool();
      const callId = typeof call.id === 'string' && call.id ? call.id : this.ctx.ids.next('call');
      const item = functionCallItem(this.ctx.ids.next('fc'), 'in_progress', callId, typeof fn.name === 'string' ? fn.name : '', '') as ToolState['item'];
      state = { item, outputIndex: this.output.length, done: false };
      this.tools.set(key, state);
      this.tool = state;
      this.output.push(item);
      this.emit('response.output_item.added', { output_index: state.outputIndex, item });
    } else if (!state.item.name && typeof fn.name === 'string') {
      state.item.name = fn.name;
    }
    const args = fn.arguments;
    if (typeof args !== 'string' || args.length === 0) return;
    if (state.done) {
      // The item was already reported complete; appending now would hand the client wrong arguments.
      throw new GatewayError(ErrorCode.UpstreamError, 'The upstream interleaved the arguments of several tool calls, which the Responses stream cannot express.');
    }
    state.item.arguments += args;
    this.emit('response.function_call_arguments.delta', { item_id: state.item.id, output_index: state.outputIndex, delta: args });
  }

  private currentToolKey(): number | string {
    for (const [key, state] of this.tools) if (state === this.tool) return key;
    return this.tools.size;
  }

  private closeTool(): void {
    const state = this.tool;
    if (!state) return;
    state.item.status = 'completed';
    this.emit('response.function_call_arguments.done', {
      item_id: state.item.id,
      output_index: state.outputIndex,
      name: state.item.name,
      arguments: state.item.arguments,
    });
    this.emit('response.output_item.done', { output_index: state.outputIndex, item: state.item });
    state.done = true;
    this.tool = undefined;
  }

  private snapshot(): JsonObject {
    return { ...this.envelope, output: this.output };
  }

  /** Serialised at once: later mutations of the live items must not leak into earlier events. */
  private emit(type: string, fields: JsonObject): void {
    this.pending.push({ event: type, data: JSON.stringify({ type, sequence_number: this.sequence++, ...fields }) });
  }
}


function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
