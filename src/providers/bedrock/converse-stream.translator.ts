import type { AnthropicUsage } from '../anthropic/anthropic-wire.types.js';
import type { JsonObject, SseEvent } from '../provider-adapter.js';
import { upstreamErrorFromDetails } from '../upstream-http.js';
import { bedrockError, bedrockErrorType } from './bedrock-errors.js';
import { EXCEPTION_EVENT } from './bedrock-event-stream.js';
import { anthropicStopReason, anthropicUsage } from './converse-response.translator.js';

export interface ConverseStreamOptions {
  readonly model: string;
  readonly id: string;
  readonly secrets?: readonly (string | undefined)[];
}

type BlockKind = 'text' | 'thinking' | 'tool_use' | 'redacted';

/**
 * ConverseStream events (re-framed as SSE, the event type as the SSE name) → Anthropic's
 * Messages stream events, which the Anthropic → Chat stream translator turns into chunks.
 *
 * Converse opens only tool blocks explicitly (contentBlockStart); a text or reasoning block
 * begins with its first delta, so the block's start is made up from that delta's kind. The
 * turn's stop reason (messageStop) comes before its usage (metadata): both are sent as one
 * message_delta, then message_stop, once metadata arrives or the stream ends. A stream that
 * ends without messageStop yields no message_stop, which the next translator reports as a
 * truncated answer. An exception message is thrown as the error it names.
 */
export async function* converseEventsAsAnthropic(events: AsyncIterable<SseEvent>, o: ConverseStreamOptions): AsyncGenerator<SseEvent> {
  const open = new Map<number, BlockKind>();
  let stopReason: string | null | undefined;
  let usage: AnthropicUsage = {};
  let done = false;
  const out = (data: JsonObject): SseEvent => ({ event: data.type as string, data: JSON.stringify(data) });
  const finish = function* (): Generator<SseEvent> {
    done = true;
    yield out({ type: 'message_delta', delta: { stop_reason: stopReason ?? null, stop_sequence: null }, usage });
    yield out({ type: 'message_stop' });
  };

  for await (const e of events) {
    if (done) continue;
    const data = parse(e.data);
    switch (e.event) {
      case EXCEPTION_EVENT: {
        const type = bedrockErrorType(typeof data.type === 'string' ? data.type : undefined);
        throw upstreamErrorFromDetails('bedrock', bedrockError(type, typeof data.message === 'string' ? data.message : undefined), e.data, o.secrets);
      }
      case 'messageStart':
        yield out({ type: 'message_start', message: { id: o.id, type: 'message', role: 'assistant', model: o.model, content: [], stop_reason: null, usage: {} } });
        break;
      case 'contentBlockStart': {
        const index = Number(data.contentBlockIndex ?? 0);
        const tool = (data.start as { toolUse?: { toolUseId?: unknown; name?: unknown } } | undefined)?.toolUse;
        if (tool) {
          open.set(index, 'tool_use');
          yield out({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: tool.toolUseId, name: tool.name, input: {} } });
        }
        break;
      }
      case 'contentBlockDelta': {
        const index = Number(data.contentBlockIndex ?? 0);
        const delta = (data.delta ?? {}) as { text?: unknown; toolUse?: { input?: unknown }; reasoningContent?: { text?: unknown; signature?: unknown; redactedContent?: unknown } };
        const reasoning = delta.reasoningContent;
        if (typeof delta.text === 'string') {
          yield* started(index, 'text');
          yield out({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta.text } });
        } else if (typeof delta.toolUse?.input === 'string') {
          yield* started(index, 'tool_use');
          yield out({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: delta.toolUse.input } });
        } else if (typeof reasoning?.redactedContent === 'string') {
          if (!open.has(index)) {
            open.set(index, 'redacted');
            yield out({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: reasoning.redactedContent } });
          }
        } else if (reasoning) {
          yield* started(index, 'thinking');
          if (typeof reasoning.text === 'string') yield out({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: reasoning.text } });
          if (typeof reasoning.signature === 'string') yield out({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: reasoning.signature } });
        }
        break;
      }
      case 'contentBlockStop': {
        const index = Number(data.contentBlockIndex ?? 0);
        if (open.delete(index)) yield out({ type: 'content_block_stop', index });
        break;
      }
      case 'messageStop':
        stopReason = anthropicStopReason(data.stopReason);
        break;
      case 'metadata':
        usage = anthropicUsage(data.usage as Parameters<typeof anthropicUsage>[0]);
        if (stopReason !== undefined) yield* finish();
        break;
      default:
        // Newer event kinds are not ours to guess at.
        break;
    }
  }
  if (!done && stopReason !== undefined) yield* finish();

  function* started(index: number, kind: BlockKind): Generator<SseEvent> {
    if (open.has(index)) return;
    open.set(index, kind);
    const block = kind === 'text' ? { type: 'text', text: '' } : kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'tool_use', id: '', name: '', input: {} };
    yield out({ type: 'content_block_start', index, content_block: block });
  }
}

function parse(text: string): JsonObject {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
  } catch {
    return {};
  }
}
