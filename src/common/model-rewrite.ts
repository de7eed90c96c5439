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
  const replacement = `"model":${JSON.stringify(requestedName)}`;
  for await (const e of events) {
    if (e.data === '[DONE]' || (!e.data.includes('"model"'))) {
      yield e;
      continue;
    }
    // Every chat chunk carries `model`; parsing and re-serialising each one was the largest
    // gateway-side cost of a stream in the benchmark profile (bench/, BENCHMARKS.md).
    const fast = replaceTopLevelModel(e.data, replacement);
    if (fast !== undefined) {
      yield e.event ? { event: e.event, data: fast } : { data: fast };
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

const MODEL_KEY = '"model":"';

/**
 * Replaces the value of the top-level `"model":"…"` member of a JSON object text without
 * parsing it, or returns undefined when that cannot be done with certainty (no or several
 * occurrences, not at the top level, unusual spacing, unterminated string) so the caller
 * parses instead. `replacement` is the whole member, e.g. `"model":"my-alias"`.
 *
 * Sound because an unescaped `"` is always a string delimiter in JSON: outside strings, a
 * `"model":"` found at depth 1 right after `{` or `,` can only be that member's key.
 */
export function replaceTopLevelModel(data: string, replacement: string): string | undefined {
  const at = data.indexOf(MODEL_KEY);
  if (at <= 0 || data.indexOf(MODEL_KEY, at + 1) !== -1) return undefined;
  let depth = 0;
  let inString = false;
  let prev = '';
  for (let i = 0; i < at; i++) {
    const c = data.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++; // { [
    else if (c === 0x7d || c === 0x5d) depth--; // } ]
    if (c > 0x20) prev = data[i];
  }
  if (inString || depth !== 1 || data[0] !== '{' || (prev !== '{' && prev !== ',')) return undefined;
  for (let i = at + MODEL_KEY.length; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return data.slice(0, at) + replacement + data.slice(i + 1);
  }
  return undefined;
}
