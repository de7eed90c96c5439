import type { JsonObject } from '../../providers/provider-adapter.js';
import { thinkingBlocksOf, type ThinkingBlock } from '../../providers/anthropic/thinking-blocks.js';

/**
 * Anthropic thinking blocks ride in a bridged reasoning item's `encrypted_content`, the field
 * OpenAI clients already keep and send back with the item on later turns (the Vercel AI SDK and
 * the Agents SDK do; `previous_response_id` and `item_reference` get it from the conversation
 * store). Not encrypted: the thinking text is the summary the client saw; what matters is that
 * Anthropic gets each block, signature included, back unchanged. The prefix marks the format so
 * a foreign value (a real OpenAI encrypted reasoning item) is never mistaken for one.
 */
const PREFIX = 'switchboard.thinking.v1:';

export function encodeThinking(blocks: readonly ThinkingBlock[]): string {
  return PREFIX + Buffer.from(JSON.stringify(blocks), 'utf8').toString('base64');
}

/** The thinking blocks a reasoning item carries; undefined for anything not written by encodeThinking. */
export function decodeThinking(encrypted: unknown): ThinkingBlock[] | undefined {
  if (typeof encrypted !== 'string' || !encrypted.startsWith(PREFIX)) return undefined;
  try {
    const blocks = JSON.parse(Buffer.from(encrypted.slice(PREFIX.length), 'base64').toString('utf8')) as unknown;
    return thinkingBlocksOf({ thinking_blocks: blocks } as JsonObject);
  } catch {
    return undefined;
  }
}

export { thinkingBlocksOf };
