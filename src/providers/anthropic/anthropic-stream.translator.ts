import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject, SseEvent } from '../provider-adapter.js';
import { streamErrorToGatewayError } from './anthropic-errors.js';
import { jsonContent, type JsonOutputTool } from './anthropic-json-output.js';
import { chatUsage, finishReason } from './anthropic-response.translator.js';
import type { AnthropicUsage } from './anthropic-wire.types.js';

export interface ChunkOptions {
  /** stream_options.include_usage: every chunk carries usage: null, and a usage-only chunk precedes [DONE]. */
  readonly includeUsage: boolean;
  readonly now?: () => number;
  /** The gateway's response_format tool, when the request asked for JSON: its input streams as content. */
  readonly jsonTool?: JsonOutputTool;
  /** The deployment's credentials, cut out of any upstream error message passed on. */
  readonly secrets?: readonly (string | undefined)[];
}

interface ToolBlock {
  readonly toolIndex: number;
  sentArguments: boolean;
}

interface JsonBlock {
  readonly index: number;
  sent: boolean;
  /** A wrapped value's input, kept whole: the wrapper's closing brace is only told from the value's at the end. */
  buffer: string;
}

/**
 * Anthropic's streamed Messages events → Chat Completions chunks, ending with `[DONE]`.
 *
 * message_start opens the assistant turn (the role chunk); each text block streams as
 * content deltas; each tool_use block becomes one tool call, announced with its id and
 * name, whose JSON arguments then arrive piecewise; message_delta carries the stop reason
 * and final usage, which are sent when message_stop closes the turn. An `error` event is
 * thrown as a GatewayError, and a stream that ends without message_stop is a failure,
 * never a silently truncated answer.
 *
 * With a response_format tool, its input_json_delta pieces are the content deltas instead, and
 * a turn that ended on it alone finishes with `stop`. Text is held back until the turn shows
 * whether the answer came through the tool (then the text was preamble and is dropped) or not.
 */
export async function* toChatChunks(events: AsyncIterable<SseEvent>, options: ChunkOptions): AsyncGenerator<SseEvent> {
  const now = options.now ?? Date.now;
  let id = '';
  let model = '';
  let created = Math.floor(now() / 1000);
  let stopReason: string | null = null;
  const usage: AnthropicUsage = {};
  const tools = new Map<number, ToolBlock>();
  /** Open thinking blocks by content index: text and signature, sent whole as thinking_blocks when the block stops. */
  const thinking = new Map<number, { thinking: string; signature: string }>();
  const jsonTool = options.jsonTool;
  let json: JsonBlock | undefined;
  const heldText: string[] = [];
  let finished = false;

  const chunk = (delta: JsonObject, finish: string | null = null): SseEvent => {
    const body: JsonObject = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (options.includeUsage) body.usage = null;
    return { data: JSON.stringify(body) };
  };
  const toolDelta = (toolIndex: number, call: JsonObject): SseEvent => chunk({ tool_calls: [{ index: toolIndex, ...call }] });
  const text = (piece: string): SseEvent | undefined => {
    if (!piece) return undefined;
    if (!jsonTool) return chunk({ content: piece });
    if (!json) heldText.push(piece);
    return undefined;
  };

  for await (const event of events) {
    // After message_stop the turn is over; reading on lets the connection end cleanly.
    if (finished) continue;
    const data = parse(event.data);
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start': {
        const message = (data.message ?? {}) as { id?: unknown; model?: unknown; usage?: AnthropicUsage };
        id = typeof message.id === 'string' ? message.id : id;
        model = typeof message.model === 'string' ? message.model : model;
        created = Math.floor(now() / 1000);
        mergeUsage(usage, message.usage);
        yield chunk({ role: 'assistant', content: '' });
        break;
      }
      case 'content_block_start': {
        const index = Number(data.index);
        const block = (data.content_block ?? {}) as { type?: unknown; id?: unknown; name?: unknown; text?: unknown; thinking?: unknown; signature?: unknown; data?: unknown };
        if (block.type === 'tool_use' && jsonTool && block.name === jsonTool.name) {
          // A second call would append a second JSON document: only the first is the answer.
          json ??= { index, sent: false, buffer: '' };
          heldText.length = 0;
        } else if (block.type === 'tool_use') {
          const tool: ToolBlock = { toolIndex: tools.size, sentArguments: false };
          tools.set(index, tool);
          yield toolDelta(tool.toolIndex, { id: block.id, type: 'function', function: { name: block.name, arguments: '' } });
        } else if (block.type === 'text' && typeof block.text === 'string') {
          const out = text(block.text);
          if (out) yield out;
        } else if (block.type === 'thinking') {
          const start = typeof block.thinking === 'string' ? block.thinking : '';
          thinking.set(index, { thinking: start, signature: typeof block.signature === 'string' ? block.signature : '' });
          if (start) yield chunk({ reasoning_content: start });
        } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
          yield chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: block.data }] });
        }
        break;
      }
      case 'content_block_delta': {
        const delta = (data.delta ?? {}) as { type?: unknown; text?: unknown; partial_json?: unknown; thinking?: unknown; signature?: unknown };
        if (delta.type === 'text_delta' && typeof delta.text === 'string') {
          const out = text(delta.text);
          if (out) yield out;
        } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string' && json?.index === Number(data.index)) {
          if (jsonTool!.wrapped) json.buffer += delta.partial_json;
          else if (delta.partial_json) {
            json.sent = true;
            yield chunk({ content: delta.partial_json });
          }
        } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
          const tool = tools.get(Number(data.index));
          if (tool && delta.partial_json) {
            tool.sentArguments = true;
            yield toolDelta(tool.toolIndex, { function: { arguments: delta.partial_json } });
          }
        } else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string') {
          const block = thinking.get(Number(data.index));
          if (block) block.thinking += delta.thinking;
          if (delta.thinking) yield chunk({ reasoning_content: delta.thinking });
        } else if (delta.type === 'signature_delta' && typeof delta.signature === 'string') {
          const block = thinking.get(Number(data.index));
          if (block) block.signature += delta.signature;
        }
        break;
      }
      case 'content_block_stop': {
        const done = thinking.get(Number(data.index));
        if (done) {
          // The whole block once it is signed: a later turn must send it back unchanged.
          thinking.delete(Number(data.index));
          yield chunk({ thinking_blocks: [{ type: 'thinking', thinking: done.thinking, signature: done.signature }] });
          break;
        }
        if (json && json.index === Number(data.index) && !json.sent) {
          json.sent = true;
          yield chunk({ content: jsonTool!.wrapped ? unwrap(json.buffer, jsonTool!) : '{}' });
          break;
        }
        const tool = tools.get(Number(data.index));
        // A tool without parameters streams no JSON at all; OpenAI clients parse arguments, so send "{}".
        if (tool && !tool.sentArguments) {
          tool.sentArguments = true;
          yield toolDelta(tool.toolIndex, { function: { arguments: '{}' } });
        }
        break;
      }
      case 'message_delta': {
        const delta = (data.delta ?? {}) as { stop_reason?: unknown };
        if (typeof delta.stop_reason === 'string') stopReason = delta.stop_reason;
        mergeUsage(usage, data.usage as AnthropicUsage | undefined);
        break;
      }
      case 'message_stop': {
        finished = true;
        if (heldText.length && !json) yield chunk({ content: heldText.join('') });
        yield chunk({}, finishReason(stopReason, json !== undefined && tools.size === 0));
        if (options.includeUsage) {
          yield { data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsage(usage) }) };
        }
        yield { data: '[DONE]' };
        break;
      }
      case 'error':
        throw streamErrorToGatewayError(data, options.secrets);
      default:
        // ping and citation deltas, and event types added after this adapter was written.
        break;
    }
  }
  if (!finished) {
    throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider anthropic ended the stream before message_stop.');
  }
}

/** The wrapped input as the client's JSON; if it does not parse (cut short by max_tokens), what arrived. */
function unwrap(buffer: string, jsonTool: JsonOutputTool): string {
  if (!buffer) return jsonContent(undefined, jsonTool);
  try {
    return jsonContent(JSON.parse(buffer), jsonTool);
  } catch {
    return buffer;
  }
}

/** Usage in message_start is the opening count; message_delta's counts are cumulative and win. */
function mergeUsage(into: AnthropicUsage, from: AnthropicUsage | undefined): void {
  if (!from) return;
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    const v = from[key];
    if (typeof v === 'number') into[key] = v;
  }
  if (from.output_tokens_details) into.output_tokens_details = from.output_tokens_details;
}

function parse(text: string): JsonObject {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  } catch {
    /* reported below */
  }
  throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider anthropic sent a stream event that is not a JSON object.');
}
