import { toMessagesRequest } from '../../providers/anthropic/anthropic-request.translator.js';
import { decodeThinking, encodeThinking } from './reasoning-carrier.js';

describe('thinking blocks in encrypted_content', () => {
  const blocks = [
    { type: 'thinking' as const, thinking: 'Plan: call the tool.', signature: 'EqQB+/=sig' },
    { type: 'redacted_thinking' as const, data: 'EmwK/+=' },
  ];

  it('round-trips every block byte for byte', () => {
    expect(decodeThinking(encodeThinking(blocks))).toEqual(blocks);
  });

  it('ignores values it did not write (an OpenAI encrypted item, garbage, non-strings)', () => {
    expect(decodeThinking('gAAAAABopaque')).toBeUndefined();
    expect(decodeThinking('switchboard.thinking.v1:%%%not-base64')).toBeUndefined();
    expect(decodeThinking(`switchboard.thinking.v1:${Buffer.from('[{"type":"thinking"}]').toString('base64')}`)).toBeUndefined();
    expect(decodeThinking(42)).toBeUndefined();
  });
});

describe('chat assistant thinking_blocks → Anthropic', () => {
  const messages = [
    { role: 'user', content: 'Weather?' },
    {
      role: 'assistant',
      content: null,
      thinking_blocks: [{ type: 'thinking', thinking: 't', signature: 's' }, { type: 'bogus' }],
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'w', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
  ];

  it('with thinking on: the blocks lead the assistant turn (invalid ones dropped)', () => {
    const out = toMessagesRequest({ model: 'c', messages, reasoning_effort: 'low' }, { upstreamModel: 'c', dropParams: false, defaultMaxTokens: 4096, stream: false });
    expect(out.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'thinking', thinking: 't', signature: 's' }, { type: 'tool_use', id: 'toolu_1', name: 'w', input: {} }],
    });
  });

  it('with thinking off: the blocks are not sent', () => {
    const out = toMessagesRequest({ model: 'c', messages }, { upstreamModel: 'c', dropParams: false, defaultMaxTokens: 4096, stream: false });
    expect(out.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'w', input: {} }] });
  });
});
