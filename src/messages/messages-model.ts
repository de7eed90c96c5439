import type { SseEvent } from '../providers/provider-adapter.js';

/**
 * A native Messages stream names the model only in `message_start`: that one event is parsed
 * and gets the name the client sent; every other event passes through as Anthropic sent it.
 */
export async function* withRequestedModel(events: AsyncIterable<SseEvent>, requestedName: string): AsyncGenerator<SseEvent> {
  let pending = true;
  for await (const e of events) {
    if (pending && (e.event === 'message_start' || (e.event === undefined && e.data.includes('"message_start"')))) {
      pending = false;
      yield renamed(e, requestedName);
      continue;
    }
    yield e;
  }
}

function renamed(e: SseEvent, requestedName: string): SseEvent {
  try {
    const data = JSON.parse(e.data) as { message?: { model?: unknown } };
    if (!data.message || typeof data.message !== 'object') return e;
    data.message.model = requestedName;
    return { event: e.event ?? 'message_start', data: JSON.stringify(data) };
  } catch {
    return e;
  }
}
