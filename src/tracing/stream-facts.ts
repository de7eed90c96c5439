import type { JsonObject } from '../providers/provider-adapter.js';

/** Longest prompt or completion text put on a span event, in characters. */
export const MAX_CONTENT_CHARS = 8192;

/**
 * What an upstream answer says about itself — model, id, finish reason, token usage and, when
 * content recording is on, the generated text — read from a JSON body or from stream events in
 * any of the three wire shapes the gateway relays (Chat Completions chunks, Responses events,
 * Anthropic Messages events). Only events that can carry one of those are parsed.
 */
export class StreamFacts {
  model?: string;
  id?: string;
  finishReason?: string;
  inputTokens?: number;
  outputTokens?: number;
  private textParts?: string[];
  private textLength = 0;

  constructor(private readonly recordText: boolean) {}

  get text(): string | undefined {
    return this.textParts?.join('');
  }

  observeJson(body: JsonObject): void {
    this.identity(body);
    this.usage(body.usage);
    const choices = body.choices as JsonObject[] | undefined;
    const choice = Array.isArray(choices) ? choices[0] : undefined;
    if (choice) {
      if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
      const message = choice.message as JsonObject | undefined;
      if (this.recordText && typeof message?.content === 'string') this.addText(message.content);
    }
    if (typeof body.stop_reason === 'string') this.finishReason = body.stop_reason;
    if (typeof body.status === 'string' && body.object === 'response') this.finishReason = body.status;
    if (!this.recordText) return;
    // Messages: content blocks; Responses: output items with output_text parts.
    if (Array.isArray(body.content)) for (const b of body.content as JsonObject[]) if (typeof b?.text === 'string') this.addText(b.text);
    if (Array.isArray(body.output)) {
      for (const item of body.output as JsonObject[]) {
        if (!Array.isArray(item?.content)) continue;
        for (const part of item.content as JsonObject[]) if (part?.type === 'output_text' && typeof part.text === 'string') this.addText(part.text);
      }
    }
  }

  observeEvent(data: string): void {
    const wanted =
      this.recordText ||
      this.model === undefined ||
      data.includes('"usage"') ||
      data.includes('_reason":"') ||
      data.includes('"response.completed"');
    if (!wanted || data === '[DONE]') return;
    let e: JsonObject;
    try {
      e = JSON.parse(data) as JsonObject;
    } catch {
      return;
    }
    if (!e || typeof e !== 'object') return;
    // Responses and Messages wrap the object they describe.
    const inner = (e.response ?? e.message) as JsonObject | undefined;
    if (inner && typeof inner === 'object') {
      this.identity(inner);
      this.usage(inner.usage);
      if (e.type === 'response.completed' && typeof inner.status === 'string') this.finishReason = inner.status;
    } else {
      this.identity(e);
    }
    this.usage(e.usage);
    const choices = e.choices as JsonObject[] | undefined;
    const choice = Array.isArray(choices) ? choices[0] : undefined;
    if (choice) {
      if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
      const delta = choice.delta as JsonObject | undefined;
      if (this.recordText && typeof delta?.content === 'string') this.addText(delta.content);
    }
    const delta = e.delta as JsonObject | string | undefined;
    if (delta && typeof delta === 'object' && typeof delta.stop_reason === 'string') this.finishReason = delta.stop_reason;
    if (!this.recordText) return;
    if (e.type === 'response.output_text.delta' && typeof delta === 'string') this.addText(delta);
    if (e.type === 'content_block_delta' && delta && typeof delta === 'object' && typeof delta.text === 'string') this.addText(delta.text);
  }

  private identity(o: JsonObject): void {
    if (this.model === undefined && typeof o.model === 'string') this.model = o.model;
    if (this.id === undefined && typeof o.id === 'string') this.id = o.id;
  }

  /** Chat (prompt_tokens/completion_tokens) or Responses and Messages (input_tokens/output_tokens). */
  private usage(u: unknown): void {
    if (!u || typeof u !== 'object') return;
    const o = u as JsonObject;
    const input = num(o.prompt_tokens) ?? num(o.input_tokens);
    const output = num(o.completion_tokens) ?? num(o.output_tokens);
    // Messages streams report input at the start and output at the end: keep both.
    if (input !== undefined && (input > 0 || this.inputTokens === undefined)) this.inputTokens = input;
    if (output !== undefined && (output > 0 || this.outputTokens === undefined)) this.outputTokens = output;
  }

  /** Text beyond what a span event keeps is not collected at all. */
  private addText(t: string): void {
    if (this.textLength > MAX_CONTENT_CHARS || !t) return;
    (this.textParts ??= []).push(t);
    this.textLength += t.length;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
