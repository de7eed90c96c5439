import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject, SseEvent } from '../provider-adapter.js';
import { chatUsage, cohereFailure, finishReason } from './cohere-response.translator.js';
import type { CohereUsage } from './cohere-wire.types.js';

export interface CohereChunkOptions {
  /** stream_options.include_usage: every chunk carries usage: null, and a usage-only chunk precedes [DONE]. */
  readonly includeUsage: boolean;
  readonly upstreamModel: string;
  readonly now?: () => number;
  /** The deployment's credentials, cut out of any upstream error message passed on. */
  readonly secrets?: readonly (string | undefined)[];
}

interface ToolState {
  readonly toolIndex: number;
  sentArguments: boolean;
}

interface CohereDelta {
  message?: {
    role?: string;
    content?: { type?: string; text?: string; thinking?: string };
    tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } };
  };
  finish_reason?: string;
  usage?: CohereUsage;
  error?: string;
}

/**
 * Cohere's v2 chat stream → Chat Completions chunks, ending with `[DONE]`.
 *
 * message-start opens the assistant turn (the role chunk); content-delta text streams as content
 * (thinking as reasoning_content); tool-call-start announces one tool call with its id and name,
 * tool-call-delta streams its JSON arguments; message-end carries the finish reason and usage.
 * Citations and the tool plan have no Chat Completions counterpart and are not passed on. A
 * message-end with ERROR, or a stream that ends without message-end, is a failure, never a
 * silently truncated answer.
 */
export async function* toChatChunks(events: AsyncIterable<SseEvent>, options: CohereChunkOptions): AsyncGenerator<SseEvent> {
  const now = options.now ?? Date.now;
  const model = options.upstreamModel;
  let id = '';
  let created = Math.floor(now() / 1000);
  const tools = new Map<number, ToolState>();
  let finished = false;

  const chunk = (delta: JsonObject, finish: string | null = null): SseEvent => {
    const body: JsonObject = { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (options.includeUsage) body.usage = null;
    return { data: JSON.stringify(body) };
  };
  const toolDelta = (toolIndex: number, call: JsonObject): SseEvent => chunk({ tool_calls: [{ index: toolIndex, ...call }] });

  for await (const event of events) {
    // After message-end the turn is over; reading on lets the connection end cleanly.
    if (finished || event.data === '[DONE]') continue;
    const data = parse(event.data);
    const type = typeof data.type === 'string' ? data.type : event.event;
    const delta = (isObject(data.delta) ? data.delta : {}) as CohereDelta;
    switch (type) {
      case 'message-start':
        if (typeof data.id === 'string') id = data.id;
        created = Math.floor(now() / 1000);
        yield chunk({ role: 'assistant', content: '' });
        break;
      case 'content-start':
      case 'content-delta': {
        const content = delta.message?.content;
        if (typeof content?.text === 'string' && content.text) yield chunk({ content: content.text });
        else if (typeof content?.thinking === 'string' && content.thinking) yield chunk({ reasoning_content: content.thinking });
        break;
      }
      case 'tool-call-start': {
        const call = delta.message?.tool_calls;
        const tool: ToolState = { toolIndex: tools.size, sentArguments: false };
        tools.set(Number(data.index ?? tools.size), tool);
        yield toolDelta(tool.toolIndex, { id: call?.id, type: 'function', function: { name: call?.function?.name, arguments: '' } });
        const initial = call?.function?.arguments;
        if (typeof initial === 'string' && initial) {
          tool.sentArguments = true;
          yield toolDelta(tool.toolIndex, { function: { arguments: initial } });
        }
        break;
      }
      case 'tool-call-delta': {
        const tool = tools.get(Number(data.index ?? tools.size - 1));
        const piece = delta.message?.tool_calls?.function?.arguments;
        if (tool && typeof piece === 'string' && piece) {
          tool.sentArguments = true;
          yield toolDelta(tool.toolIndex, { function: { arguments: piece } });
        }
        break;
      }
      case 'tool-call-end': {
        const tool = tools.get(Number(data.index ?? tools.size - 1));
        // A tool without parameters streams no JSON at all; OpenAI clients parse arguments, so send "{}".
        if (tool && !tool.sentArguments) {
          tool.sentArguments = true;
          yield toolDelta(tool.toolIndex, { function: { arguments: '{}' } });
        }
        break;
      }
      case 'message-end': {
        const failure = cohereFailure(delta.finish_reason, delta.error, options.secrets);
        if (failure) throw failure;
        finished = true;
        const reason = tools.size > 0 && delta.finish_reason !== 'MAX_TOKENS' ? 'tool_calls' : finishReason(delta.finish_reason);
        yield chunk({}, reason);
        if (options.includeUsage) {
          yield { data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsage(delta.usage) }) };
        }
        yield { data: '[DONE]' };
        break;
      }
      default:
        // content-end, tool-plan-delta, citation-start/end, and event types added after this was written.
        break;
    }
  }
  if (!finished) throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider cohere ended the stream before message-end.');
}

function parse(text: string): JsonObject {
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    /* reported below */
  }
  throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider cohere sent a stream event that is not a JSON object.');
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
