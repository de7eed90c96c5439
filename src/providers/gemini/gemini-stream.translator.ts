import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject, SseEvent } from '../provider-adapter.js';
import { upstreamErrorFromDetails } from '../upstream-http.js';
import { googleErrorDetails, isGoogleErrorEvent } from './gemini-errors.js';
import { blockedPromptMessage, chatUsage, finishReason, newGeminiId, toolCallOf } from './gemini-response.translator.js';
import type { GeminiResponse, GeminiUsage } from './gemini-wire.types.js';

export interface GeminiChunkOptions {
  readonly provider: string;
  /** stream_options.include_usage: every chunk carries usage: null, and a usage-only chunk precedes [DONE]. */
  readonly includeUsage: boolean;
  /** The model id for the chunks until Gemini names its version. */
  readonly model: string;
  readonly secrets?: readonly (string | undefined)[];
  readonly now?: () => number;
  readonly newId?: () => string;
}

/**
 * streamGenerateContent (alt=sse) events → Chat Completions chunks, ending with `[DONE]`.
 *
 * Each event is a whole GenerateContentResponse holding the next piece of every candidate:
 * text parts stream as content deltas, thought parts as reasoning_content, and a function call
 * (which Gemini sends whole, never in pieces) becomes one tool-call delta with its full
 * arguments. usageMetadata is cumulative, so the last one seen is the total. A Google error
 * object in the stream is thrown as the same GatewayError an HTTP error would be, and a stream
 * that ends before any candidate finished is a failure, never a silently truncated answer.
 */
export async function* toChatChunks(events: AsyncIterable<SseEvent>, options: GeminiChunkOptions): AsyncGenerator<SseEvent> {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? newGeminiId;
  const id = `chatcmpl-${newId()}`;
  const created = Math.floor(now() / 1000);
  let model = options.model;
  let usage: GeminiUsage | undefined;
  const started = new Set<number>();
  const toolCounts = new Map<number, number>();
  const finished = new Set<number>();
  let blocked = false;

  const chunk = (index: number, delta: JsonObject, finish: string | null = null): SseEvent => {
    const body: JsonObject = { id, object: 'chat.completion.chunk', created, model, choices: [{ index, delta, logprobs: null, finish_reason: finish }] };
    if (options.includeUsage) body.usage = null;
    return { data: JSON.stringify(body) };
  };
  const open = function* (index: number): Generator<SseEvent> {
    if (started.has(index)) return;
    started.add(index);
    yield chunk(index, { role: 'assistant', content: '' });
  };

  for await (const event of events) {
    const data = parse(event.data, options.provider);
    if (isGoogleErrorEvent(data)) {
      const details = googleErrorDetails(0, event.data) ?? { status: 502 };
      throw upstreamErrorFromDetails(options.provider, details, event.data, options.secrets);
    }
    const res = data as GeminiResponse;
    if (typeof res.modelVersion === 'string') model = res.modelVersion;
    if (res.usageMetadata) usage = res.usageMetadata;
    const refusal = blockedPromptMessage(res.promptFeedback);
    if (refusal && !blocked) {
      blocked = true;
      yield* open(0);
      yield chunk(0, { refusal });
      yield chunk(0, {}, 'content_filter');
      finished.add(0);
    }
    for (const [i, c] of (res.candidates ?? []).entries()) {
      const index = c.index ?? i;
      if (finished.has(index)) continue;
      yield* open(index);
      for (const part of c.content?.parts ?? []) {
        if (part.functionCall) {
          const n = toolCounts.get(index) ?? 0;
          toolCounts.set(index, n + 1);
          yield chunk(index, { tool_calls: [{ index: n, ...toolCallOf(part, newId) }] });
        } else if (typeof part.text === 'string' && part.text) {
          yield chunk(index, part.thought ? { reasoning_content: part.text } : { content: part.text });
        }
      }
      const finish = finishReason(c.finishReason, (toolCounts.get(index) ?? 0) > 0);
      if (finish) {
        finished.add(index);
        yield chunk(index, {}, finish);
      }
    }
  }
  if (finished.size === 0) {
    throw new GatewayError(ErrorCode.UpstreamError, `Upstream provider ${options.provider} ended the stream before the answer finished.`);
  }
  if (options.includeUsage) {
    yield { data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsage(usage) }) };
  }
  yield { data: '[DONE]' };
}

function parse(text: string, provider: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object') return value;
  } catch {
    /* reported below */
  }
  throw new GatewayError(ErrorCode.UpstreamError, `Upstream provider ${provider} sent a stream event that is not JSON.`);
}
