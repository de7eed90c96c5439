import type { JsonObject } from '../provider-adapter.js';

/**
 * Anthropic's thinking blocks as they travel through Chat Completions: `message.thinking_blocks`
 * (LiteLLM's name, which OpenAI-compatible clients of Anthropic models already read and send back)
 * on answers and stream deltas, and on assistant messages of later turns. With extended thinking
 * and tool use combined, Anthropic needs the last assistant turn's blocks back unchanged,
 * `signature` (or a redacted block's `data`) included, or it refuses the request.
 */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

/** The valid thinking blocks of a chat message or delta (others are ignored, never forwarded). */
export function thinkingBlocksOf(part: JsonObject): ThinkingBlock[] | undefined {
  const raw = part.thinking_blocks;
  if (!Array.isArray(raw)) return undefined;
  const blocks: ThinkingBlock[] = [];
  for (const b of raw) {
    if (b === null || typeof b !== 'object') continue;
    const block = b as Record<string, unknown>;
    if (block.type === 'thinking' && typeof block.thinking === 'string' && typeof block.signature === 'string') {
      blocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      blocks.push({ type: 'redacted_thinking', data: block.data });
    }
  }
  return blocks.length ? blocks : undefined;
}

/** The response content blocks that are thinking, as chat's thinking_blocks. */
export function thinkingBlocksFromContent(content: readonly { type: string; thinking?: unknown; signature?: unknown; data?: unknown }[]): ThinkingBlock[] {
  return thinkingBlocksOf({ thinking_blocks: content as unknown[] }) ?? [];
}
