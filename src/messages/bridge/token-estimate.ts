import type { JsonObject } from '../../providers/provider-adapter.js';
import { isObject } from './bridge-json.js';

/** Tokens a resized image costs at most on Anthropic (about 1.15 megapixels / 750). */
const IMAGE_TOKENS = 1600;
const PER_MESSAGE_TOKENS = 4;
const PER_TOOL_TOKENS = 8;

/**
 * An estimate of a Messages request's input tokens, for count_tokens on providers without a token
 * counter. Deterministic: ceil(characters / 4) over all text the model reads (system, message text,
 * tool_use input and tool_result content as JSON/text, documents, tool names, descriptions and
 * schemas as JSON), plus 4 per message, 8 per tool and 1600 per image or PDF document.
 * Thinking blocks count as text: Anthropic counts them too when they are in the last turn.
 */
export function estimateInputTokens(body: JsonObject): number {
  let chars = 0;
  let fixed = 0;
  const visit = (block: unknown): void => {
    if (typeof block === 'string') {
      chars += block.length;
      return;
    }
    if (!isObject(block)) return;
    switch (block.type) {
      case 'text':
        chars += str(block.text).length;
        return;
      case 'thinking':
        chars += str(block.thinking).length;
        return;
      case 'image':
        fixed += IMAGE_TOKENS;
        return;
      case 'document': {
        const source = isObject(block.source) ? block.source : {};
        if (source.type === 'text') chars += str(source.data).length;
        else if (source.type === 'content' && Array.isArray(source.content)) source.content.forEach(visit);
        else if (source.type === 'content') chars += str(source.content).length;
        else fixed += IMAGE_TOKENS;
        chars += str(block.title).length;
        return;
      }
      case 'tool_use':
        chars += str(block.name).length + JSON.stringify(block.input ?? {}).length;
        return;
      case 'tool_result':
        if (Array.isArray(block.content)) block.content.forEach(visit);
        else chars += str(block.content).length;
        return;
      default:
        return;
    }
  };
  if (Array.isArray(body.system)) body.system.forEach(visit);
  else visit(body.system);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages) {
    fixed += PER_MESSAGE_TOKENS;
    const content = isObject(m) ? m.content : undefined;
    if (Array.isArray(content)) content.forEach(visit);
    else visit(content);
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const t of tools) {
    fixed += PER_TOOL_TOKENS;
    if (!isObject(t)) continue;
    const { cache_control: _cacheControl, ...rest } = t;
    chars += JSON.stringify(rest).length;
  }
  return Math.ceil(chars / 4) + fixed;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
