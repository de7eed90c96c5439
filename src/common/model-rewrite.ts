import type { JsonObject, SseEvent } from '../providers/provider-adapter.js';

/**
 * Clients must see the name they sent, never the upstream id. JSON bodies carry `model` at
 * the top; Responses stream events carry it inside `response`.
 */
export function rewriteModel(body: JsonObject, requestedName: string): JsonObject {
  if ('model' in body) body.model = requestedName;
  const response = body.response as JsonObject | undefined;
  if (response && typeof response === 'object' && 'model' in response) response.model = requestedName;
  return body;
}

export async function* rewriteStreamModel(events: AsyncIterable<SseEvent>, requestedName: string): AsyncGenerator<SseEvent> {
  for await (const e of events) {
    if (e.data === '[DONE]' || (!e.data.includes('"model"'))) {
      yield e;
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(e.data);
    } catch {
      yield e;
      continue;
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      yield { event: e.event, data: JSON.stringify(rewriteModel(parsed as JsonObject, requestedName)) };
    } else {
      yield e;
    }
  }
}
