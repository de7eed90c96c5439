import { estimateInputTokens } from './token-estimate.js';

describe('estimateInputTokens', () => {
  it('is ceil(characters / 4) plus 4 per message', () => {
    expect(estimateInputTokens({ messages: [{ role: 'user', content: 'abcdefgh' }] })).toBe(2 + 4);
  });

  it('counts system blocks, tool use and results, tools without cache_control, and 1600 per image', () => {
    const body = {
      system: [{ type: 'text', text: 'abcd', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'abcd' }, { type: 'image', source: { type: 'url', url: 'https://x' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'abcd' }] }] },
      ],
      tools: [{ name: 'f', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
    };
    const toolChars = JSON.stringify({ name: 'f', input_schema: { type: 'object' } }).length;
    const chars = 4 + 4 + (1 + JSON.stringify({ a: 1 }).length) + 4 + toolChars;
    expect(estimateInputTokens(body)).toBe(Math.ceil(chars / 4) + 3 * 4 + 1600 + 8);
  });

  it('is deterministic and grows with the prompt', () => {
    const small = { messages: [{ role: 'user', content: 'hi' }] };
    const big = { messages: [{ role: 'user', content: 'hi '.repeat(1000) }] };
    expect(estimateInputTokens(small)).toBe(estimateInputTokens(small));
    expect(estimateInputTokens(big)).toBeGreaterThan(700);
  });
});
