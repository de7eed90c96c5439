import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject, SseEvent } from '../provider-adapter.js';

/**
 * Legacy Completions answers → Chat Completions answers. `choices[i].text` becomes the
 * assistant message (or delta) content; finish_reason, usage and ids carry over. Token
 * logprobs are dropped: their Completions shape (parallel arrays) has no faithful chat form.
 */

interface CompletionChoice {
  readonly text?: unknown;
  readonly index?: unknown;
  readonly finish_reason?: unknown;
}

export function toChatCompletion(completion: JsonObject, now: () => number = Date.now): JsonObject {
  const choices = completion.choices;
  if (!Array.isArray(choices)) {
    throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider text-completion-openai answered with a body that is not a completion.');
  }
  const out: JsonObject = {
    id: chatId(completion.id),
    object: 'chat.completion',
    created: typeof completion.created === 'number' ? completion.created : Math.floor(now() / 1000),
    model: completion.model,
    choices: (choices as CompletionChoice[]).map((c, i) => ({
      index: typeof c.index === 'number' ? c.index : i,
      message: { role: 'assistant', content: typeof c.text === 'string' ? c.text : '', refusal: null },
      logprobs: null,
      finish_reason: c.finish_reason ?? null,
    })),
  };
  if (completion.usage !== undefined) out.usage = completion.usage;
  if (completion.system_fingerprint !== undefined) out.system_fingerprint = completion.system_fingerprint;
  return out;
}

/**
 * A Completions stream → Chat Completions chunks. Each choice's first chunk also carries
 * `role: assistant`, as OpenAI's chat streams do; a usage-only chunk (stream_options) and
 * `[DONE]` pass through.
 */
export async function* toChatChunks(events: AsyncIterable<SseEvent>, now: () => number = Date.now): AsyncGenerator<SseEvent> {
  const started = new Set<number>();
  for await (const event of events) {
    if (event.data === '[DONE]') {
      yield { data: '[DONE]' };
      continue;
    }
    let chunk: JsonObject;
    try {
      chunk = JSON.parse(event.data) as JsonObject;
    } catch {
      throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider text-completion-openai sent a stream event that is not JSON.');
    }
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as CompletionChoice[]) : [];
    const out: JsonObject = {
      id: chatId(chunk.id),
      object: 'chat.completion.chunk',
      created: typeof chunk.created === 'number' ? chunk.created : Math.floor(now() / 1000),
      model: chunk.model,
      choices: choices.map((c, i) => {
        const index = typeof c.index === 'number' ? c.index : i;
        const delta: JsonObject = {};
        if (!started.has(index)) {
          started.add(index);
          delta.role = 'assistant';
        }
        if (typeof c.text === 'string' && (c.text.length > 0 || delta.role)) delta.content = c.text;
        return { index, delta, logprobs: null, finish_reason: c.finish_reason ?? null };
      }),
    };
    if (chunk.usage !== undefined) out.usage = chunk.usage;
    if (chunk.system_fingerprint !== undefined) out.system_fingerprint = chunk.system_fingerprint;
    yield { data: JSON.stringify(out) };
  }
}

/** `cmpl-abc` → `chatcmpl-abc`, so clients that check the prefix see a chat id. */
function chatId(id: unknown): string {
  const raw = typeof id === 'string' && id ? id : `${Date.now().toString(36)}`;
  return raw.startsWith('chatcmpl-') ? raw : `chatcmpl-${raw.replace(/^cmpl-/, '')}`;
}
